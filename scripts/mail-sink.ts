/** The embedded stack's SMTP server: keeps every mail as an .eml file, so nothing leaves the machine. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';

export interface MailSink {
  url: string;
  close(): Promise<void>;
}

export async function startMailSink(options: { dir: string; port: number; host?: string }): Promise<MailSink> {
  mkdirSync(options.dir, { recursive: true });
  let counter = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    size: 10 * 1024 * 1024,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const stamp = new Date().toISOString().replace(/[:.]/g, '-');
        const to = session.envelope.rcptTo.map((r) => r.address).join(',').replace(/[^\w@.,-]/g, '_');
        writeFileSync(join(options.dir, `${stamp}-${String(++counter).padStart(4, '0')}-${to}.eml`), Buffer.concat(chunks));
        callback();
      });
    },
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => resolve());
  });
  return { url: `smtp://${host}:${options.port}`, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
