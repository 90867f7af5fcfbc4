/**
 * The audit writer on a real Postgres: what every step of every case relies on. A case's row and
 * first event are written once; a batch of events is appended once each, and the read model row
 * takes, field by field, the newest patch — never one older than what it already shows.
 */
import { ApplicationFailure } from '@temporalio/common';
import { createCaseActivities, type CaseEventInput, type CasePatch } from '../../activities/cases';
import type { ActivityDeps } from '../../activities/deps';
import type { Orm } from '../../db/orm';
import { seededOrm } from '../helpers/stack';

let orm: Orm;
let activities: ReturnType<typeof createCaseActivities>;

beforeAll(async () => {
  orm = await seededOrm();
  activities = createCaseActivities({ orm } as ActivityDeps);
});
afterAll(async () => orm?.close(true));

const sql = <T>(query: string, params: unknown[] = []) => orm.em.fork().getConnection().execute<T[]>(query, params);

interface Row {
  status: string;
  assignee_id: string | null;
  due_at: Date | string | null;
  sla_state: string;
  escalated: boolean;
  links: { caseId: string; relation: string }[];
  closed_at: Date | string | null;
  outcome: string | null;
  event_seq: number;
}
const rowOf = async (caseId: string) =>
  (await sql<Row>('select status, assignee_id, due_at, sla_state, escalated, links, closed_at, outcome, event_seq from service_case where id = ?', [caseId]))[0];
const eventsOf = (caseId: string) => sql<{ seq: number; action: string; actor_id: string; at: Date | string; payload: unknown }>('select seq, action, actor_id, at, payload from case_event where case_id = ? order by seq, id', [caseId]);
const instant = (value: Date | string | null) => (value === null ? null : new Date(value).toISOString());

let caseNo = 0;
async function recorded(): Promise<string> {
  const caseId = `AW${String(++caseNo).padStart(4, '0')}`;
  await record(caseId);
  return caseId;
}
function record(caseId: string) {
  return activities.recordCase(
    { caseId, workflowId: `repair-${caseId}`, kind: 'repair', propertyId: 'P001', areaId: 'A1', room: '1-1-301', channel: 'phone', severity: 'general', status: 'received', description: '漏水', contactName: '王先生', contactPhone: '13800138000', receivedAt: '2026-11-20T01:00:00Z', receivedBy: 'S-FD1' },
    { idempotencyKey: `repair-${caseId}:0`, action: 'received', actor: { staffId: 'S-FD1', role: 'frontdesk' }, at: '2026-11-20T01:00:00Z', payload: { channel: 'phone' } },
  );
}
const event = (caseId: string, seq: number, action: string, patch?: CasePatch, key = `repair-${caseId}:${seq}`): CaseEventInput => ({
  caseId,
  seq,
  idempotencyKey: key,
  action,
  actor: { staffId: 'system', role: 'system' },
  at: `2026-11-20T01:0${seq}:00Z`,
  payload: { step: seq },
  patch,
});

describe('the audit writer', () => {
  it('I2: a case is recorded with its first event once; a retried recordCase writes nothing twice', async () => {
    const caseId = await recorded();
    await record(caseId);
    expect(await rowOf(caseId)).toMatchObject({ status: 'received', event_seq: 0, escalated: false, sla_state: 'ok', links: [] });
    expect(await eventsOf(caseId)).toEqual([expect.objectContaining({ seq: 0, action: 'received', actor_id: 'S-FD1', payload: { channel: 'phone' } })]);
  });

  it('R2: a batch appends each event once, and the row takes each field from the newest event that set it', async () => {
    const caseId = await recorded();
    const batch = [
      event(caseId, 2, 'deadline-set', { dueAt: '2026-11-20T02:00:00.000Z', slaState: 'ok' }),
      event(caseId, 1, 'dispatched', { status: 'dispatched', assigneeId: 'S-EN1', dueAt: '2026-11-20T01:30:00.000Z', links: [{ caseId: 'C1', relation: 'related' }] }),
      event(caseId, 3, 'note'),
    ];
    await activities.appendCaseEvents(batch);
    expect(await rowOf(caseId)).toMatchObject({ status: 'dispatched', assignee_id: 'S-EN1', sla_state: 'ok', links: [{ caseId: 'C1', relation: 'related' }], event_seq: 2 });
    expect(instant((await rowOf(caseId)).due_at)).toBe('2026-11-20T02:00:00.000Z');
    const events = await eventsOf(caseId);
    expect(events.map((e) => [e.seq, e.action])).toEqual([[0, 'received'], [1, 'dispatched'], [2, 'deadline-set'], [3, 'note']]);
    expect(instant(events[1].at)).toBe('2026-11-20T01:01:00.000Z');
    expect(events[1].payload).toEqual({ step: 1 });

    // A retried activity carries the same batch: nothing is written twice, the row stays as it is.
    await activities.appendCaseEvents(batch);
    expect(await eventsOf(caseId)).toHaveLength(4);
    expect(await rowOf(caseId)).toMatchObject({ status: 'dispatched', event_seq: 2 });
  });

  it('a patch clears what it sets to null and sets booleans and times as given', async () => {
    const caseId = await recorded();
    await activities.appendCaseEvents([event(caseId, 1, 'escalated', { escalated: true, slaState: 'breached', assigneeId: 'S-EN2', dueAt: '2026-11-20T03:00:00.000Z' })]);
    await activities.appendCaseEvents([event(caseId, 2, 'closed', { status: 'closed', assigneeId: null, dueAt: null, closedAt: '2026-11-20T04:00:00.000Z', outcome: 'satisfied' })]);
    const row = await rowOf(caseId);
    expect(row).toMatchObject({ status: 'closed', assignee_id: null, due_at: null, escalated: true, sla_state: 'breached', outcome: 'satisfied', event_seq: 2 });
    expect(instant(row.closed_at)).toBe('2026-11-20T04:00:00.000Z');
  });

  it('an event older than what the row shows is recorded but does not patch the row', async () => {
    const caseId = await recorded();
    await activities.appendCaseEvents([event(caseId, 5, 'accepted', { status: 'accepted' })]);
    await activities.appendCaseEvents([event(caseId, 4, 'late-copy', { status: 'dispatched' })]);
    expect(await rowOf(caseId)).toMatchObject({ status: 'accepted', event_seq: 5 });
    expect((await eventsOf(caseId)).map((e) => e.action)).toEqual(['received', 'late-copy', 'accepted']);
  });

  it('events for a case that was never recorded fail for good (UnknownCase) and write nothing', async () => {
    const failure = await activities.appendCaseEvents([event('AW-NONE', 1, 'dispatched', { status: 'dispatched' })]).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure).toMatchObject({ type: 'UnknownCase', nonRetryable: true });
    expect(await eventsOf('AW-NONE')).toEqual([]);
  });
});
