/**
 * Lists and reports are read from the Postgres copy of the cases, never from Temporal's visibility
 * store: a supervisor's screen refreshing all day must not become list/count load on the Temporal
 * cluster (issue 9, bench:reads).
 */
import request from 'supertest';
import { localDate } from '../../domain/calendar';
import { localMonth } from '../../domain/reports';
import { as, assigneeOf, report, usePolicy } from '../helpers/repairs';
import { startTestStack, type TestStack } from '../helpers/stack';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
  await usePolicy(stack, 60);
  await assigneeOf(stack, await report(stack, { room: '1-1-301', classification: 'general' }));
});
afterAll(async () => stack?.close());

/** Every RPC of the Temporal frontend that reads the visibility store. */
const VISIBILITY_CALLS = [
  'listWorkflowExecutions',
  'listOpenWorkflowExecutions',
  'listClosedWorkflowExecutions',
  'listArchivedWorkflowExecutions',
  'scanWorkflowExecutions',
  'countWorkflowExecutions',
] as const;

const month = () => localMonth(new Date(), 'Asia/Shanghai');
const today = () => localDate(new Date(), 'Asia/Shanghai');

describe('read paths', () => {
  it('P1–P3 and every case list answer from Postgres without one Temporal visibility call', async () => {
    const service = stack.client.workflowService;
    const spies = VISIBILITY_CALLS.map((name) => jest.spyOn(service, name));
    try {
      const reads: [string, string][] = [
        ['S-SV1', '/api/v1/repairs'],
        ['S-SV1', '/api/v1/repairs?overdue=false&status=dispatched'],
        ['S-BT1', '/api/v1/repairs'],
        ['S-SV1', '/api/v1/complaints'],
        ['S-SV1', '/api/v1/requests'],
        ['S-SV1', '/api/v1/special-services'],
        ['S-SV1', '/api/v1/patrol-findings'],
        ['S-SV1', `/api/v1/reports/complaints/${month()}`],
        ['S-SV1', `/api/v1/reports/complaints/${month()}/csv`],
        ['S-SV1', `/api/v1/reports/staff/${month()}`],
        ['S-SV1', `/api/v1/reports/staff/${month()}/csv`],
        ['S-SV1', `/api/v1/reports/repair-progress/${today()}`],
        ['S-SV1', `/api/v1/reports/repair-progress/${today()}/csv`],
        ['S-SV1', '/api/v1/reports/open-requests'],
        ['S-BT1', '/api/v1/reports/open-requests'],
      ];
      for (const [staffId, path] of reads) {
        const res = await request(stack.app).get(path).set(as(stack, staffId));
        expect({ path, status: res.status }).toEqual({ path, status: 200 });
      }
      const repairs = (await request(stack.app).get('/api/v1/repairs').set(as(stack, 'S-SV1')).expect(200)).body;
      expect(repairs.items).toHaveLength(1);
      for (const [i, spy] of spies.entries()) expect({ call: VISIBILITY_CALLS[i], times: spy.mock.calls.length }).toEqual({ call: VISIBILITY_CALLS[i], times: 0 });
    } finally {
      for (const spy of spies) spy.mockRestore();
    }
  });

  it('the spy would see a visibility call: client.workflow.list goes through listWorkflowExecutions', async () => {
    const spy = jest.spyOn(stack.client.workflowService, 'listWorkflowExecutions');
    try {
      for await (const _ of stack.client.workflow.list({ query: `CaseType = 'repair'` })) break;
      expect(spy).toHaveBeenCalled();
    } finally {
      spy.mockRestore();
    }
  });
});
