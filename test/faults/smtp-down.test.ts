/**
 * Fault 4 — the SMTP server is down (5 s in `npm test`, 60 s in `npm run test:faults`) while
 * cases send work orders and copies. Checks: nothing reaches the mailbox meanwhile, the
 * notifications stay queued and their activities retry, while each case's audit trail and read
 * model go on (the mails ride with the audit write, which hands them to a retrying notification
 * activity rather than wait for SMTP); after recovery each one is delivered exactly once (one
 * message per notification row, no duplicate Message-ID).
 */
import { Case, CaseEvent, Notification, type INotification } from '../../db/entities';
import { figures, OUTAGE_MS, sleep, startFaultStack, until, type FaultStack } from './harness';
import { openPayload } from '../helpers/payload-keys';

jest.setTimeout(600_000);

let stack: FaultStack;
beforeAll(async () => {
  stack = await startFaultStack();
  // The documents' own durations: nothing falls due during the test, only the dispatch mails go out.
  await stack.usePolicy(1);
});
afterAll(async () => stack?.close());

describe('fault: SMTP down', () => {
  it('smtp down: with the SMTP server down, work orders queue and retry; after recovery each notification is delivered exactly once', async () => {
    await stack.smtp.down();
    const downSince = Date.now();
    const cases: string[] = [];
    for (let i = 0; i < 4; i++) {
      const res = await stack.call('POST', '/repairs', 'S-FD1', {
        room: `3-2-${(2 + i) * 100 + 1}`, contactName: '张先生', contactPhone: '13700137000', channel: 'phone', description: '门禁失灵', classification: 'general',
      });
      expect(res.status).toBe(201);
      cases.push(res.body.caseId);
    }
    // Every case has asked for its mails, and at least one has failed and is being retried.
    await until(async () => {
      const rows = await stack.orm.em.fork().find(Notification, { caseId: { $in: cases } });
      return new Set(rows.map((r) => r.caseId)).size === cases.length && rows.some((r) => r.attempts > 1);
    }, 'notifications queued and retrying');
    // The audit writes that carried the mails are not held up by them: each engineer accepts while
    // SMTP is still down, and the read model shows it (it is up again only further on).
    for (const caseId of cases) {
      const engineer = await until(async () => (await stack.call('GET', `/repairs/${caseId}`, 'S-SV1')).body.assigneeId as string | undefined, 'assigned');
      expect((await stack.call('POST', `/repairs/${caseId}/accept`, engineer, {})).status).toBe(200);
    }
    await until(async () => {
      const rows = await stack.orm.em.fork().find(Case, { id: { $in: cases }, status: 'accepted' });
      const events = await stack.orm.em.fork().find(CaseEvent, { caseId: { $in: cases }, action: 'accept' });
      return rows.length === cases.length && events.length === cases.length;
    }, 'every acceptance in the read model while SMTP is down');
    const acceptedWhileDownMs = Date.now() - downSince;
    // How: the audit write that carried a work order and its copy completed, handing both back
    // unsent, and a notification activity of their own retries them.
    const { events } = await stack.client.workflow.getHandle(`repair-${cases[0]}`).fetchHistory();
    const scheduled = new Map(events!.flatMap((e) => (e.activityTaskScheduledEventAttributes ? [[String(e.eventId), e.activityTaskScheduledEventAttributes]] : [])));
    const carried = events!.flatMap((e) => {
      const done = e.activityTaskCompletedEventAttributes;
      const activity = done && scheduled.get(String(done.scheduledEventId));
      if (!activity || activity.activityType!.name !== 'appendCaseEvents' || (activity.input!.payloads ?? []).length < 2) return [];
      return [openPayload<{ unsent: { template: string }[] }>(done.result!.payloads![0]).unsent.map((m) => m.template)];
    });
    // The work order, its copy, and the household's progress mail with its case link (docs/console.md).
    expect(carried[0]).toEqual(['dispatch', 'dispatchCopy', 'caseProgress']);
    expect([...scheduled.values()].map((a) => a.activityType!.name)).toContain('notifyAll');
    await sleep(Math.max(0, OUTAGE_MS - (Date.now() - downSince)));
    const during = stack.smtp.mails.length;
    const queued = await stack.orm.em.fork().find(Notification, { caseId: { $in: cases } });
    const downMs = Date.now() - downSince;
    await stack.smtp.up();

    let last: INotification[] = [];
    const rows = await until(async () => {
      const found = (last = await stack.orm.em.fork().find(Notification, { caseId: { $in: cases } }));
      return found.length >= queued.length && found.every((r) => r.status === 'sent') ? found : undefined;
    }, 'every notification sent after recovery', 240_000).catch((error: Error) => {
      // Which ones did not go out, and why, is what a reader of a failure needs.
      const unsent = last.filter((r) => r.status !== 'sent').map((r) => ({ key: r.idempotencyKey, template: r.template, status: r.status, attempts: r.attempts, error: r.lastError }));
      throw new Error(`${error.message}; of ${queued.length} queued, not sent: ${JSON.stringify(unsent)}`);
    });
    await sleep(2000); // a late duplicate would arrive now
    const byKey = new Map<string, string[]>();
    for (const m of stack.smtp.mails) byKey.set(m.idempotencyKey, [...(byKey.get(m.idempotencyKey) ?? []), m.messageId]);
    const duplicates = [...byKey.values()].reduce((n, ids) => n + ids.length - 1, 0);
    figures('SMTP server down', {
      breaks: `SMTP server stopped for ${(downMs / 1000).toFixed(0)} s while 4 repairs were reported (work orders + butler copies)`,
      checks: 'no mail while down, activities retry, each notification delivered once after recovery',
      cases: cases.length,
      'notification rows': rows.length,
      'mails received while down': during,
      'most attempts of one notification': Math.max(...rows.map((r) => r.attempts)),
      'mails received after recovery': stack.smtp.mails.length,
      duplicates,
      'every acceptance in the read model, after SMTP went down (s)': (acceptedWhileDownMs / 1000).toFixed(1),
    });
    expect(during).toBe(0);
    expect(stack.smtp.mails.length).toBe(rows.length);
    for (const row of rows) expect(byKey.get(row.idempotencyKey)).toEqual([row.messageId]);
    expect(duplicates).toBe(0);
  });
});
