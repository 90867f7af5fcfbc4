/**
 * Replays the recorded histories of the request workflow types (serviceRequest, specialService,
 * patrolFinding) against the current bundle: a change that would break a running case fails here.
 * Kept beside the repair/complaint histories, in their own folder.
 *
 * To record them again: `RECORD_HISTORIES=1 npx jest test/replay --selectProjects stack` (test/replay/histories.ts).
 */
import { join } from 'node:path';
import request from 'supertest';
import { as, caseRow, usePolicy } from '../helpers/repairs';
import { eventually, startTestStack, type TestStack } from '../helpers/stack';
import { historyFiles, RECORDING, replayDirectory, saveHistory } from './histories';

const DIR = join(__dirname, 'histories-requests');
const save = (stack: TestStack, workflowId: string, name: string) => saveHistory(stack, DIR, workflowId, name);

if (RECORDING) describe('recording request histories (RECORD_HISTORIES=1)', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack();
    await usePolicy(stack, 600, (p) => {
      p.patrol.startWithinMs = 1500;
    });
  });
  afterAll(async () => stack?.close());

  const post = (path: string, staffId: string, body: Record<string, unknown>) => request(stack.app).post(`/api/v1/${path}`).set(as(stack, staffId)).send(body);
  const act = async (path: string, staffId: string, body: Record<string, unknown> = {}) => {
    await caseRow(stack, path.split('/')[1], () => true, 'recorded');
    await eventually(async () => (await post(path, staffId, body)).status === 200 || undefined, { timeoutMs: 10_000, what: path });
  };
  const resident = { room: '1-1-301', contactName: '录制先生', contactPhone: '13000000000', channel: 'phone' };
  const inMs = (ms: number) => new Date(Date.now() + ms).toISOString();

  it('records a help request answered after its promised time, and a suggestion forwarded', async () => {
    const late = (await post('requests', 'S-FD1', { ...resident, kind: 'help', content: '帮忙联系开锁', replyBy: inMs(1000) }).expect(201)).body.caseId;
    await eventually(async () => (await stack.client.workflow.getHandle(`request-${late}`).query<{ escalated: boolean }>('caseView')).escalated || undefined, { what: 'escalated' });
    await act(`requests/${late}/answer`, 'S-FD1', { answer: '已联系' });
    await save(stack, `request-${late}`, 'request-help-late-answered');
    const suggestion = (await post('requests', 'S-FD1', { ...resident, kind: 'suggestion', content: '增加充电桩' }).expect(201)).body.caseId;
    await act(`requests/${suggestion}/promiseReply`, 'S-FD1', { replyBy: inMs(600_000) });
    await act(`requests/${suggestion}/forwardSuggestion`, 'S-BT1', { note: '有价值' });
    await save(stack, `request-${suggestion}`, 'request-suggestion-forwarded');
  });

  it('records an external special service confirmed late with a fee, and a patrol finding started late', async () => {
    const service = (await post('special-services', 'S-FD1', { ...resident, description: '家电清洗', provider: 'external', requestedBy: inMs(1000) }).expect(201)).body.caseId;
    await eventually(async () => (await stack.client.workflow.getHandle(`special-service-${service}`).query<{ escalated: boolean }>('caseView')).escalated || undefined, { what: 'escalated' });
    await act(`special-services/${service}/confirmPartner`, 'S-FD1', { partner: '家政公司' });
    await act(`special-services/${service}/complete`, 'S-FD1', { summary: '已完成', feeCents: 8000, feeDescription: '清洗费' });
    await save(stack, `special-service-${service}`, 'special-service-external-late-fee');
    const finding = (await post('patrol-findings', 'S-BT1', { areaId: 'A1', location: '1号楼门口', description: '地砖破损', photoRef: 'patrol/x.jpg', department: 'engineering' }).expect(201)).body.caseId;
    await eventually(async () => (await stack.client.workflow.getHandle(`patrol-finding-${finding}`).query<{ escalated: boolean }>('caseView')).escalated || undefined, { what: 'escalated' });
    await act(`patrol-findings/${finding}/startRectification`, 'S-EN1');
    await act(`patrol-findings/${finding}/completeRectification`, 'S-EN1', { result: '已更换' });
    await save(stack, `patrol-finding-${finding}`, 'patrol-finding-started-late');
  });
});

describe('recorded request histories', () => {
  it('I3, O1, O2: every recorded request, special-service and patrol-finding history replays on the current code without nondeterminism', async () => {
    const files = historyFiles(DIR);
    expect(files.length).toBeGreaterThanOrEqual(4);
    expect(await replayDirectory(DIR)).toEqual(files.map((file) => ({ file, error: undefined })));
  });
});
