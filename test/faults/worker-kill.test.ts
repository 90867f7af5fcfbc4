/**
 * Fault 1 — the worker is killed with `kill -9` while cases are mid-flight, at the worst moment:
 * the SMTP server has the escalation mail in full but has not answered yet, so the activity never
 * learns it was sent. More deadlines fall due while no worker runs.
 * Checks: every case continues, every deadline fires, every escalation mail is in the mailbox
 * exactly once (one Message-ID per notification), and the audit log has no duplicate or missing event.
 */
import { CaseEvent, Notification } from '../../db/entities';
import { checkConsistency } from '../../scripts/consistency';
import { figures, sleep, startFaultStack, until, type CapturedMail, type FaultStack } from './harness';

jest.setTimeout(600_000);

const CASES = 5;
let stack: FaultStack;
beforeAll(async () => {
  stack = await startFaultStack();
  // 600×: a general repair must be fixed 2 h → 12 s after dispatch (R4).
  await stack.usePolicy(600);
});
afterAll(async () => stack?.close());

async function auditDuplicates(): Promise<{ duplicates: number; gaps: number; events: number }> {
  const conn = stack.orm.em.fork().getConnection();
  const [dup] = await conn.execute<{ n: string }[]>('select count(*) as n from (select case_id, seq from case_event group by case_id, seq having count(*) > 1) d');
  // Events are numbered 0..n per case: a lost write is a hole.
  const [gap] = await conn.execute<{ n: string }[]>('select count(*) as n from (select case_id from case_event group by case_id having max(seq) + 1 <> count(distinct seq)) g');
  return { duplicates: Number(dup.n), gaps: Number(gap.n), events: await stack.orm.em.fork().count(CaseEvent, {}) };
}

describe('fault: worker killed', () => {
  it('worker kill: a worker killed between an escalation mail reaching SMTP and its row being marked sent — every deadline still fires, each escalation mail is in the mailbox once, no audit event twice', async () => {
    let killedAt: CapturedMail | undefined;
    stack.smtp.onMessage = async (mail) => {
      if (killedAt || !mail.subject.includes('超时升级')) return;
      killedAt = mail;
      await stack.worker.kill(); // before SMTP answers 250: the worker never learns it went out
    };

    const cases: string[] = [];
    for (let i = 0; i < CASES; i++) {
      const res = await stack.call('POST', '/repairs', 'S-FD1', {
        room: `1-1-${(3 + i) * 100 + 1}`, contactName: '王先生', contactPhone: '13800138000', channel: 'phone', description: '厨房水管漏水', classification: 'general',
      });
      expect(res.status).toBe(201);
      cases.push(res.body.caseId);
      const engineer = await until(async () => (await stack.call('GET', `/repairs/${res.body.caseId}`, 'S-SV1')).body.assigneeId as string | undefined, 'assigned');
      expect((await stack.call('POST', `/repairs/${res.body.caseId}/accept`, engineer, {})).status).toBe(200);
      expect((await stack.call('POST', `/repairs/${res.body.caseId}/arrive`, engineer, {})).status).toBe(200);
      await sleep(1000); // staggered, so later deadlines fall due while no worker runs
    }

    await until(async () => killedAt, 'the first escalation mail (and the kill)');
    await sleep(8000); // the other cases' R4 deadlines fall due with no worker
    await stack.worker.start();

    // The crashed send is retried when its activity times out; every case escalates once.
    const escalationRows = await until(async () => {
      const rows = await stack.orm.em.fork().find(Notification, { template: 'escalation' });
      const sentCases = new Set(rows.filter((r) => r.status === 'sent').map((r) => r.caseId));
      return cases.every((c) => sentCases.has(c)) && rows.every((r) => r.status === 'sent') ? rows : undefined;
    }, 'every case escalated and every escalation row sent', 300_000);

    // The cases go on after the restart: the engineers complete them.
    for (const caseId of cases) {
      const view = (await stack.call('GET', `/repairs/${caseId}`, 'S-SV1')).body;
      const done = await stack.call('POST', `/repairs/${caseId}/complete`, view.assigneeId, { summary: '已修复' });
      expect(done.status).toBe(200);
    }

    const escalations = stack.smtp.mails.filter((m) => m.subject.includes('超时升级'));
    const byKey = new Map<string, Set<string>>();
    for (const m of escalations) byKey.set(m.idempotencyKey, (byKey.get(m.idempotencyKey) ?? new Set()).add(m.messageId));
    const duplicateMessages = [...byKey.values()].reduce((n, ids) => n + ids.size - 1, 0);
    const audit = await auditDuplicates();
    const consistency = await until(async () => {
      const r = await checkConsistency(stack.orm, stack.client);
      return r.mismatches.length === 0 ? r : undefined;
    }, 'read model consistent with the workflows').catch(() => checkConsistency(stack.orm, stack.client));
    figures('worker kill -9 between SMTP DATA and the sent mark', {
      breaks: `kill -9 of the worker (pid gone) while SMTP held the reply to ${killedAt!.idempotencyKey}; restarted 8 s later`,
      checks: 'every R4 deadline fired, one Message-ID per escalation, no duplicate/missing audit event',
      'read-model mismatches (scripts/consistency.ts)': consistency.mismatches.length,
      cases: cases.length,
      'escalation rows': escalationRows.length,
      'escalation deliveries (raw SMTP transactions)': escalations.length,
      'distinct escalation messages (Message-ID)': [...byKey.values()].reduce((n, ids) => n + ids.size, 0),
      'resent after the crash (same Message-ID)': escalations.length - byKey.size,
      'duplicate messages': duplicateMessages,
      'audit events': audit.events,
      'duplicate audit events': audit.duplicates,
      'cases with a missing audit event': audit.gaps,
    });
    expect(new Set(escalationRows.map((r) => r.caseId))).toEqual(new Set(cases));
    expect(consistency.mismatches).toEqual([]);
    expect(byKey.size).toBe(escalationRows.length);
    for (const row of escalationRows) expect(byKey.get(row.idempotencyKey)).toEqual(new Set([row.messageId]));
    expect(duplicateMessages).toBe(0);
    // The crash window was really hit: the mail that SMTP held when the worker died went out again, as the same message.
    expect(escalations.filter((m) => m.idempotencyKey === killedAt!.idempotencyKey).map((m) => m.messageId)).toEqual([killedAt!.messageId, killedAt!.messageId]);
    expect(audit.duplicates).toBe(0);
    expect(audit.gaps).toBe(0);
    await until(async () => {
      const rows = await stack.orm.em.fork().find(Notification, {});
      return rows.every((r) => r.status === 'sent');
    }, 'every notification sent');
  });
});
