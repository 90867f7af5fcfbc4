/**
 * R12 on real parts: repairs opened through the API, a reason recorded on some (as the butler's
 * `recordUnfinishedReason` action writes it), one repair finished; then the reconciliation runs through
 * the property's Temporal Schedule and through the API, and each butler, the front desk and — in the
 * afternoon — the supervisor find their list in the SMTP server.
 */
import request from 'supertest';
import { Case } from '../../db/entities';
import { localDate } from '../../domain/calendar';
import { DEFAULT_POLICY } from '../../domain/policy';
import { reconciliationScheduleId } from '../../domain/reconciliation';
import { ensureSchedules } from '../../schedules';
import type { openRequestReconciliation } from '../../workflows/reconciliation';
import type { ReceivedMail } from '../helpers/smtp';
import { eventually, startTestStack, type TestStack } from '../helpers/stack';

let stack: TestStack;

beforeAll(async () => {
  // Deadlines far away: nothing escalates while the lists are built.
  stack = await startTestStack({ policy: DEFAULT_POLICY });
});
afterAll(async () => stack?.close());

const SHANGHAI = { id: 'P001', timeZone: 'Asia/Shanghai' };
const CONTACT = { contactName: '钱女士', contactPhone: '13712345678' };
const as = (staffId: string) => ({ Authorization: `Bearer ${stack.keyOf(staffId)}` });

async function report(room: string, description: string): Promise<string> {
  const res = await request(stack.app)
    .post('/api/v1/repairs')
    .set(as('S-FD1'))
    .send({ room, ...CONTACT, channel: 'phone', description, classification: 'general' })
    .expect(201);
  return res.body.caseId as string;
}

async function dispatched(caseId: string): Promise<void> {
  await eventually(async () => (await stack.orm.em.fork().findOne(Case, { id: caseId }))?.status === 'dispatched', { what: `${caseId} dispatched` });
}

/**
 * A finished repair as the read model shows it. How a repair gets there (sign-off, return visit,
 * invalid) is other rules' business; the reconciliation only reads the row. The workflow is ended
 * first so that no later event of it rewrites the row — and only once it is idle: its audit events
 * are written behind it, and a write already running when it is terminated still lands afterwards.
 */
async function finish(caseId: string): Promise<void> {
  await dispatched(caseId);
  const handle = stack.client.workflow.getHandle(`repair-${caseId}`);
  await eventually(
    async () => {
      const { raw } = await handle.describe();
      return !raw.pendingWorkflowTask && (raw.pendingActivities ?? []).length === 0;
    },
    { what: `${caseId} idle, waiting for the engineer` },
  );
  await handle.terminate('finished, for the R12 test');
  await stack.orm.em.fork().nativeUpdate(Case, { id: caseId }, { status: 'closed', closedAt: new Date() });
}

/** What the butler's `recordUnfinishedReason` action leaves on the read model. */
async function recordReason(caseId: string, reason: string, at: Date): Promise<void> {
  await stack.orm.em.fork().nativeUpdate(Case, { id: caseId }, { unfinishedReason: reason, unfinishedReasonAt: at });
}

/** The mails of one run: every key of a run starts with its workflow ID. */
function mailsOf(workflowId: string): ReceivedMail[] {
  return stack.mails.filter((m) => String(m.headers.get('x-idempotency-key') ?? '').startsWith(`${workflowId}:`));
}
const to = (mails: ReceivedMail[], staffId: string) => mails.filter((m) => m.to.includes(`${staffId.toLowerCase()}@demo.wuye.local`));

function expectNoPersonalData(mails: ReceivedMail[]): void {
  for (const m of mails) {
    expect(m.text).not.toContain(CONTACT.contactName);
    expect(m.text).not.toContain(CONTACT.contactPhone);
  }
}

describe('R12 open-request reconciliation', () => {
  const today = () => localDate(new Date(), SHANGHAI.timeZone);

  it('R12: each property gets a morning (09:00) and an afternoon (15:00) schedule in its time zone; ensuring them again changes nothing, a changed spec is updated', async () => {
    // A property that moved time zone: the second call must update the schedules in place.
    await ensureSchedules(stack.client, stack.config, [{ ...SHANGHAI, timeZone: 'UTC' }]);
    await ensureSchedules(stack.client, stack.config, [SHANGHAI]);
    const morning = stack.client.schedule.getHandle(reconciliationScheduleId('P001', 'morning'));
    const before = await morning.describe();
    await ensureSchedules(stack.client, stack.config, [SHANGHAI]);
    const after = await morning.describe();
    expect(after.info.lastUpdatedAt).toEqual(before.info.lastUpdatedAt);
    expect(after.info.numActionsTaken).toBe(0);

    for (const [slot, hour] of [['morning', 9], ['afternoon', 15]] as const) {
      const d = await stack.client.schedule.getHandle(reconciliationScheduleId('P001', slot)).describe();
      expect(d.spec.timezone).toBe('Asia/Shanghai');
      expect(d.spec.calendars).toHaveLength(1);
      expect(d.spec.calendars![0]).toMatchObject({ hour: [{ start: hour, end: hour }], minute: [{ start: 0, end: 0 }], second: [{ start: 0, end: 0 }] });
      expect(d.action).toMatchObject({
        type: 'startWorkflow',
        workflowType: 'openRequestReconciliation',
        workflowId: `reconcile-P001-${slot}`,
        taskQueue: stack.config.TEMPORAL_TASK_QUEUE,
        args: [{ propertyId: 'P001', slot }],
      });
      expect(d.action.staticSummary).toMatch(/^R12 /);
      expect(d.memo).toMatchObject({ rule: 'R12', propertyId: 'P001', slot });
      expect(d.policies.overlap).toBe('SKIP');
      const next = d.info.nextActionTimes[0].toLocaleTimeString('en-GB', { timeZone: 'Asia/Shanghai', hour: '2-digit', minute: '2-digit' });
      expect(next).toBe(`${hour === 9 ? '09' : hour}:00`);
    }
  });

  let withReason: string;
  let staleReason: string;
  let finished: string;
  let westWing: string;

  it('R12: the scheduled morning run mails each butler the open repairs of their areas, with today’s reasons, and the front desk every list', async () => {
    withReason = await report('1-1-301', '卫生间水管漏水');
    staleReason = await report('1-2-601', '阳台门锁损坏');
    finished = await report('2-1-101', '厨房角阀滴水');
    westWing = await report('3-1-502', '客厅灯不亮');
    await Promise.all([withReason, staleReason, westWing].map(dispatched));
    await finish(finished);
    await recordReason(withReason, '等待配件，明日上午更换', new Date());
    await recordReason(staleReason, '业主出差，约下周上门', new Date(Date.now() - 24 * 3_600_000));

    await ensureSchedules(stack.client, stack.config, [SHANGHAI]);
    const schedule = stack.client.schedule.getHandle(reconciliationScheduleId('P001', 'morning'));
    await schedule.trigger();
    const workflowId = await eventually(async () => (await schedule.describe()).info.recentActions.at(-1)?.action.workflow.workflowId, { what: 'the scheduled run' });
    expect(workflowId).toMatch(/^reconcile-P001-morning-/);
    const summary = await stack.client.workflow.getHandle<typeof openRequestReconciliation>(workflowId).result();
    expect(summary).toEqual({
      slot: 'morning',
      date: today(),
      butlers: [
        { butlerId: 'S-BT1', open: 2, withoutReason: 1 },
        { butlerId: 'S-BT2', open: 1, withoutReason: 1 },
      ],
    });

    const mails = mailsOf(workflowId);
    const [east] = to(mails, 'S-BT1');
    expect(to(mails, 'S-BT1')).toHaveLength(1);
    expect(east.subject).toContain(`${today()} 上午 · S-BT1 · 2 项，1 项今日未记录原因`);
    expect(east.text).toContain(withReason);
    expect(east.text).toContain('今日未完成原因：等待配件，明日上午更换');
    expect(east.text).toContain(staleReason);
    expect(east.text).toMatch(/⚠ 今日未记录未完成原因（上次 .*业主出差，约下周上门）/);
    expect(east.text).toContain('1-1-301');
    expect(east.text).not.toContain(finished);
    expect(east.text).not.toContain(westWing);

    const [west] = to(mails, 'S-BT2');
    expect(to(mails, 'S-BT2')).toHaveLength(1);
    expect(west.text).toContain(westWing);
    expect(west.text).toContain('3-1-502');
    for (const other of [withReason, staleReason, finished]) expect(west.text).not.toContain(other);

    const [frontDesk] = to(mails, 'S-FD1');
    expect(to(mails, 'S-FD1')).toHaveLength(1);
    expect(frontDesk.subject).toContain('前台汇总 · 3 项，2 项今日未记录原因');
    for (const open of [withReason, staleReason, westWing]) expect(frontDesk.text).toContain(open);
    expect(frontDesk.text).not.toContain(finished);
    expect(frontDesk.text).toMatch(/【管家 S-BT1】2 项[\s\S]*【管家 S-BT2】1 项/);

    // The morning run leaves the supervisor alone; nobody else is mailed.
    expect(mails).toHaveLength(3);
    expectNoPersonalData(mails);
  });

  it('R12: the afternoon run, started through the API, tells the supervisor how many open repairs still have no reason today', async () => {
    const started = await request(stack.app).post('/api/v1/reconciliations').set(as('S-BT2')).send({ slot: 'afternoon' }).expect(202);
    expect(started.body).toEqual({ workflowId: expect.stringMatching(/^reconcile-P001-afternoon-manual-\d{4}-\d{2}-\d{2}-\d{4}$/), slot: 'afternoon' });
    const { workflowId } = started.body as { workflowId: string };
    const summary = await stack.client.workflow.getHandle<typeof openRequestReconciliation>(workflowId).result();
    expect(summary.slot).toBe('afternoon');
    expect(summary.butlers.reduce((n, b) => n + b.withoutReason, 0)).toBe(2);

    const mails = mailsOf(workflowId);
    const [supervisor] = to(mails, 'S-SV1');
    expect(to(mails, 'S-SV1')).toHaveLength(1);
    expect(supervisor.subject).toBe(`【未完成原因统计】${today()} 下午 · 2 项今日未记录原因`);
    expect(supervisor.text).toContain('管家 S-BT1：未完成 2 项，未记录原因 1 项');
    expect(supervisor.text).toContain('管家 S-BT2：未完成 1 项，未记录原因 1 项');
    expect(supervisor.text).toContain(staleReason);
    expect(supervisor.text).toContain(westWing);
    expect(supervisor.text).not.toContain(withReason);
    expect(supervisor.text).not.toContain(finished);
    // Butlers and the front desk get their afternoon lists too, noting who asked for the run.
    expect(to(mails, 'S-BT1')).toHaveLength(1);
    expect(to(mails, 'S-FD1')[0].text).toContain('由 S-BT2 手动发起');
    expect(mails).toHaveLength(4);
    expectNoPersonalData(mails);
  });

  it('R12: only butlers, the front desk and supervisors may start a reconciliation, for a slot that exists', async () => {
    await request(stack.app).post('/api/v1/reconciliations').set(as('S-EN1')).send({ slot: 'morning' }).expect(403);
    const bad = await request(stack.app).post('/api/v1/reconciliations').set(as('S-FD1')).send({ slot: 'evening' }).expect(400);
    expect(bad.body['invalid-params']).toEqual([expect.objectContaining({ name: 'slot', in: 'body' })]);
  });
});
