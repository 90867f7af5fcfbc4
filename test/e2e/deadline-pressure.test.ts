/**
 * Deadlines first at the door (api/deadline-pressure.ts, db/deadlines-near.ts) on real Postgres and a
 * real API process: which open cases count as "a deadline falling due", that the count is a range
 * scan of the partial index, and that the API's cap on openings drops while such cases exist and
 * rises again once they are past — read off the API's own /metrics, as an operator would.
 */
import pino from 'pino';
import { startApi, type RunningApi } from '../../api/server';
import { DEADLINE_BEHIND_MS } from '../../api/deadline-pressure';
import { deadlinesNear } from '../../db/deadlines-near';
import { eventually, startTestStack, type TestStack } from '../helpers/stack';

let stack: TestStack;
let api: RunningApi;
beforeAll(async () => {
  stack = await startTestStack();
  api = await startApi({ config: stack.config, orm: stack.orm, temporal: stack.client, logger: pino({ level: 'silent' }), port: 0, metricsPort: 0, host: '127.0.0.1' });
});
afterAll(async () => {
  await api?.close();
  await stack?.close();
});

const db = () => stack.orm.em.fork().getConnection();

/** A read-model row no workflow owns: only its deadline, state and closing matter here. */
async function row(id: string, dueInMs: number | null, slaState = 'ok', closed = false): Promise<void> {
  const now = Date.now();
  await db().execute(
    `insert into service_case (id, workflow_id, kind, property_id, area_id, channel, status, description, due_at, sla_state, received_at, received_by, closed_at, updated_at)
     values (?, ?, 'repair', 'P-TEST', 'A-TEST', 'phone', 'dispatched', 'test row', ?, ?, ?, 'S-FD1', ?, ?)`,
    [id, `test-${id}`, dueInMs === null ? null : new Date(now + dueInMs), slaState, new Date(now - 3_600_000), closed ? new Date(now) : null, new Date(now)],
  );
}

const metric = async (name: string): Promise<number> => {
  const text = await (await fetch(api.metricsUrl!)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return Number(line?.split(' ')[1]);
};

const openRepair = (n: number) =>
  fetch(`${api.url}/api/v1/repairs`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${stack.keyOf('S-FD1')}`, 'Content-Type': 'application/json', 'Idempotency-Key': `pressure-${n}` },
    body: JSON.stringify({ room: '2-1-101', contactName: '赵女士', contactPhone: '13700137000', channel: 'phone', description: `门锁坏了 ${n}`, classification: 'general' }),
  });

describe('deadline pressure', () => {
  it('counts the open cases whose next deadline is due within the look-ahead, or fell due lately and is not yet breached — not far ones, closed ones, breached ones or long-gone ones', async () => {
    const before = await deadlinesNear(stack.orm.em.fork(), new Date(), stack.config.API_DEADLINE_LOOKAHEAD_MS, DEADLINE_BEHIND_MS);
    await row('T-AHEAD', 10_000);
    await row('T-JUST-DUE', -30_000, 'warning');
    await row('T-BREACHED', -30_000, 'breached');
    await row('T-FAR', 600_000);
    await row('T-CLOSED', 5_000, 'ok', true);
    await row('T-LONG-GONE', -600_000);
    await row('T-NO-DEADLINE', null);
    expect(await deadlinesNear(stack.orm.em.fork(), new Date(), stack.config.API_DEADLINE_LOOKAHEAD_MS, DEADLINE_BEHIND_MS)).toBe(before + 2);
    // On a read model of 20,000 open cases due over the coming weeks, the partial index on open cases'
    // due_at answers it: a range scan, not a pass over every open case.
    await db().execute(
      `insert into service_case (id, workflow_id, kind, property_id, area_id, channel, status, description, due_at, sla_state, received_at, received_by, updated_at)
       select 'T-BULK-' || i, 'test-bulk-' || i, 'repair', 'P-TEST', 'A-TEST', 'phone', 'dispatched', 'bulk', now() + i * interval '1 minute' + interval '1 hour', 'ok', now(), 'S-FD1', now()
         from generate_series(1, 20000) as i`,
    );
    await db().execute('analyze service_case');
    expect(await deadlinesNear(stack.orm.em.fork(), new Date(), stack.config.API_DEADLINE_LOOKAHEAD_MS, DEADLINE_BEHIND_MS)).toBe(before + 2);
    const plan = await db().execute<{ 'QUERY PLAN': string }[]>(
      `explain select count(*)::int as n from service_case where closed_at is null and due_at between now() - interval '2 minutes' and now() + interval '15 seconds' and sla_state <> 'breached'`,
    );
    expect(plan.map((r) => r['QUERY PLAN']).join('\n')).toMatch(/Index (Only )?Scan using service_case_open_due_at_index/);
  });

  it('the API opens API_MAX_OPENINGS at a time while no deadline falls due, API_MAX_OPENINGS_NEAR_DEADLINES while one does, and goes back once it is past', async () => {
    expect(stack.config.API_MAX_OPENINGS).toBe(4);
    expect(stack.config.API_MAX_OPENINGS_NEAR_DEADLINES).toBe(1);
    // Deadlines falling due (the rows of the test above): the next opening asks, and the cap drops.
    expect((await openRepair(1)).status).toBe(201);
    await eventually(async () => (await metric('api_case_openings_cap')) === 1 || undefined, { timeoutMs: 10_000, intervalMs: 100, what: 'the cap dropping to 1' });
    expect(await metric('api_deadlines_near')).toBe(2);
    // They are escalated (breached): past, they no longer hold the door.
    await db().execute(`update service_case set sla_state = 'breached' where id in ('T-AHEAD', 'T-JUST-DUE')`);
    await new Promise((r) => setTimeout(r, 1100));
    expect((await openRepair(2)).status).toBe(201);
    await eventually(async () => (await metric('api_case_openings_cap')) === 4 || undefined, { timeoutMs: 10_000, intervalMs: 100, what: 'the cap back at 4' });
    expect(await metric('api_deadlines_near')).toBe(0);
  });
});
