/**
 * One Idempotency-Key per thing a person sends. The same thing sent again after a failure — an
 * answer lost on a basement's network, a busy 503, a double tap — goes with the same key, so the API
 * opens the case or does the action once; a success, or something else sent, starts a new key. (A
 * fresh key per tap, as the front desk's form had, opened a second case when the first answer was
 * lost.) Ours, not a library's: it is a dozen lines over `crypto.randomUUID`.
 */
export function retryKeys(newKey: () => string = () => crypto.randomUUID()) {
  let last: { what: string; key: string } | undefined;
  const keys = {
    /** The key for sending `what` (compared as JSON): the last one if `what` is what was last sent and not yet done. */
    keyFor(what: unknown): string {
      const sent = JSON.stringify(what);
      if (last?.what !== sent) last = { what: sent, key: newKey() };
      return last.key;
    },
    /** The last thing sent was answered: the next send is a new one. */
    done(): void {
      last = undefined;
    },
    /** Sends `what` with its key (`post` throws on an error answer, which keeps the key for a repeat). */
    async send<T>(what: unknown, post: (header: { 'Idempotency-Key': string }) => Promise<T>): Promise<T> {
      const answer = await post({ 'Idempotency-Key': keys.keyFor(what) });
      keys.done();
      return answer;
    },
  };
  return keys;
}
