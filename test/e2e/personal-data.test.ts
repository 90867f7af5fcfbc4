/**
 * Residents' personal data and confidential complaints out of Temporal's plain view (issue 23,
 * docs/personal-data.md). A demo day of cases — repairs, complaints of all three kinds, requests, a
 * special service, a patrol finding, a month's surveys answered — then every workflow read back
 * through a Temporal client WITHOUT the payload codec, as the server, its database or the UI without
 * the codec endpoint see it: inputs, every history event, memo, search attributes, summaries, current
 * details and failures. Then the codec endpoint as the Temporal UI calls it, with each role's key.
 */
import { Client, type WorkflowExecutionDescription } from '@temporalio/client';
import { defaultPayloadConverter, type Payload, type PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import request from 'supertest';
import { HouseholdContact, Staff, SurveyInvitation } from '../../db/entities';
import { encodeErrorToFailure, loadDataConverter } from '@temporalio/common/lib/internal-non-workflow';
import { ApplicationFailure } from '@temporalio/common';
import { sealedDataConverter, SEALED_ENCODING } from '../../payload-codec';
import { complain } from '../helpers/complaints';
import { as, assigneeOf, caseRow, report, usePolicy } from '../helpers/repairs';
import { eventually, startTestStack, type TestStack } from '../helpers/stack';

jest.setTimeout(240_000);

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
  await usePolicy(stack, 600);
});
afterAll(async () => stack?.close());

const inMs = (ms: number) => new Date(Date.now() + ms).toISOString();
const post = (path: string, staffId: string, body: Record<string, unknown>) => request(stack.app).post(`/api/v1/${path}`).set(as(stack, staffId)).send(body);

/** The free text of the day: every description, note and answer staff typed in. */
const TEXT = {
  repair: '厨房水槽下方持续漏水',
  repairUrgent: '卫生间天花板渗水滴落',
  customer: '电梯夜间噪音扰民已两周',
  employee: '保安夜班时饮酒',
  report: '有员工收受装修公司好处费',
  inquiry: '请问快递柜在哪里',
  service: '帮忙代收大件家具',
  finding: '三号楼消防通道堆放杂物',
  surveyComment: '保洁阿姨非常负责',
  surveyComplaint: '地库照明长期不亮',
  warningCause: '多户反映地库漏水未处理',
};

interface DemoDay {
  customer: string;
  employee: string;
  report: string;
  repair: string;
}

let day: DemoDay;

/** A demo day through the API, with the demo archive's real residents. */
async function demoDay(): Promise<DemoDay> {
  const em = stack.orm.em.fork();
  const contactOf = async (room: string) => {
    const c = await em.findOneOrFail(HouseholdContact, { household: `${stack.seed.propertyId}-${room}` });
    return { room, contactName: c.name, contactPhone: c.phone };
  };
  const repair = await report(stack, { ...(await contactOf('1-1-301')), classification: 'general', description: TEXT.repair });
  const urgent = await report(stack, { ...(await contactOf('2-2-1302')), classification: 'urgent', tags: ['water'], description: TEXT.repairUrgent });
  await assigneeOf(stack, urgent);
  const customer = await complain(stack, { ...(await contactOf('3-1-502')), description: TEXT.customer });
  const employee = await complain(stack, { ...(await contactOf('1-2-202')), kind: 'employee', description: TEXT.employee });
  const reportId = await complain(stack, { ...(await contactOf('4-1-101')), kind: 'report', description: TEXT.report });
  const inquiry = await post('requests', 'S-FD1', { kind: 'inquiry', ...(await contactOf('1-2-701')), channel: 'phone', content: TEXT.inquiry });
  expect(inquiry.status).toBe(201);
  const service = await post('special-services', 'S-FD1', { ...(await contactOf('2-1-402')), channel: 'phone', description: TEXT.service, provider: 'external', requestedBy: inMs(600_000) });
  expect(service.status).toBe(201);
  const finding = await post('patrol-findings', 'S-BT1', { areaId: 'A1', location: '1号楼北侧', description: TEXT.finding, photoRef: 'patrol/a1-0001.jpg', department: 'engineering' });
  expect(finding.status).toBe(201);
  const warning = await post('complaint-warnings', 'S-SV1', { areaId: 'A1', cause: TEXT.warningCause, actions: '加装照明', wording: '近期将更换地库灯具' });
  expect(warning.status).toBe(201);
  // A month's surveys, two answered: one with a comment, one so low it opens a complaint (S3).
  const run = await post('survey-runs', 'S-SV1', { month: '2026-01' });
  expect(run.status).toBe(202);
  await stack.client.workflow.getHandle(run.body.workflowId).result();
  const invited = await eventually(async () => {
    const rows = await em.fork().find(SurveyInvitation, { month: '2026-01' }, { orderBy: { id: 'asc' } });
    return rows.length >= 2 && rows.every((r) => r.status !== 'chosen') && rows;
  }, { timeoutMs: 120_000, what: 'the month’s surveys invited' });
  const answer = async (id: string, body: Record<string, unknown>) => {
    for (const staffId of ['S-BT1', 'S-BT2']) {
      const res = await post(`surveys/${id}/answers`, staffId, body);
      if (res.status === 200) return;
    }
    throw new Error(`survey ${id} could not be answered`);
  };
  await answer(String(invited[0].id), { method: 'phone', score: 5, comment: TEXT.surveyComment });
  await answer(String(invited[1].id), { method: 'visit', score: 1, complaint: TEXT.surveyComplaint });
  await caseRow(stack, customer, () => true, 'recorded');
  return { customer, employee, report: reportId, repair };
}

/** Every string a protobuf message holds, bytes read as UTF-8 (a payload's JSON is bytes). */
function texts(value: unknown, out: string[] = []): string[] {
  if (value === null || value === undefined) return out;
  if (typeof value === 'string') out.push(value);
  else if (value instanceof Uint8Array) out.push(Buffer.from(value).toString('utf8'));
  else if (Array.isArray(value)) for (const v of value) texts(v, out);
  else if (typeof value === 'object') for (const v of Object.values(value)) texts(v, out);
  return out;
}

/** Every Payload in a message, with the path to it: search attributes are the one place payloads stay plain. */
function payloads(value: unknown, path = '', out: { path: string; payload: Payload }[] = []): { path: string; payload: Payload }[] {
  if (value === null || value === undefined || typeof value !== 'object' || value instanceof Uint8Array) return out;
  if (Array.isArray(value)) {
    value.forEach((v, i) => payloads(v, `${path}[${i}]`, out));
    return out;
  }
  const record = value as Record<string, unknown>;
  if (record.metadata && typeof record.metadata === 'object' && 'data' in record && (record.metadata as Record<string, unknown>).encoding) {
    out.push({ path, payload: record as Payload });
    return out;
  }
  for (const [key, v] of Object.entries(record)) payloads(v, path ? `${path}.${key}` : key, out);
  return out;
}

/** Every Failure in a message (messages and stack traces are where an error quotes a row). */
function failures(value: unknown, out: temporal.api.failure.v1.IFailure[] = []): temporal.api.failure.v1.IFailure[] {
  if (value === null || value === undefined || typeof value !== 'object' || value instanceof Uint8Array) return out;
  if (Array.isArray(value)) {
    for (const v of value) failures(v, out);
    return out;
  }
  const record = value as Record<string, unknown>;
  if ('message' in record && ('failureInfo' in record || 'applicationFailureInfo' in record || 'encodedAttributes' in record)) out.push(record);
  for (const v of Object.values(record)) failures(v, out);
  return out;
}

const encodingOf = (p: Payload) => Buffer.from(p.metadata?.encoding ?? []).toString('utf8');

describe('what Temporal holds without the codec', () => {
  it('a demo day of cases: no seeded name, phone or e-mail and no free text in any workflow’s input, history, memo, search attributes, summaries, details or failures — every payload but the search attributes sealed', async () => {
    day = await demoDay();
    const em = stack.orm.em.fork();
    const contacts = await em.find(HouseholdContact, {});
    const staff = await em.find(Staff, {});
    const secret = [
      ...new Set([
        ...contacts.flatMap((c) => [c.name, c.phone, c.email]),
        ...staff.flatMap((s) => [s.name, s.email]),
        ...Object.values(TEXT),
      ].filter((v): v is string => !!v && v.length >= 2)),
    ];
    expect(secret.length).toBeGreaterThan(400);

    // The client a person without the keys has: the server's own view.
    const plain = new Client({ connection: stack.client.connection, namespace: stack.config.TEMPORAL_NAMESPACE });
    const all: { workflowId: string; runId: string }[] = [];
    for await (const wf of plain.workflow.list()) all.push({ workflowId: wf.workflowId, runId: wf.runId });
    const types = new Set<string>();
    let sealed = 0;
    let failuresSeen = 0;
    for (const wf of all) {
      const handle = plain.workflow.getHandle(wf.workflowId, wf.runId);
      const description: WorkflowExecutionDescription = await handle.describe();
      types.add(description.type);
      const parts: unknown[] = [description.raw, await handle.fetchHistory()];
      if (description.status.name === 'RUNNING') {
        // The current details as the UI asks for them: the raw query answer, no converter in between.
        const answer = await stack.client.connection.workflowService.queryWorkflow({
          namespace: stack.config.TEMPORAL_NAMESPACE,
          execution: { workflowId: wf.workflowId, runId: wf.runId },
          query: { queryType: '__temporal_workflow_metadata' },
        });
        parts.push(answer);
      }
      const text = texts(parts).join('\n');
      const leaked = secret.filter((value) => text.includes(value));
      expect({ workflowId: wf.workflowId, leaked }).toEqual({ workflowId: wf.workflowId, leaked: [] });
      const unsealed = payloads(parts).filter(({ path, payload }) => !/searchAttributes/i.test(path) && encodingOf(payload) !== SEALED_ENCODING);
      expect({ workflowId: wf.workflowId, unsealed: unsealed.map((u) => `${u.path}: ${encodingOf(u.payload)}`) }).toEqual({ workflowId: wf.workflowId, unsealed: [] });
      sealed += payloads(parts).length - unsealed.length;
      for (const failure of failures(parts)) {
        failuresSeen++;
        expect({ message: failure.message, stackTrace: failure.stackTrace ?? '' }).toEqual({ message: 'Encoded failure', stackTrace: '' });
      }
    }
    expect([...types].sort()).toEqual(expect.arrayContaining(['complaint', 'complaintWarning', 'patrolFinding', 'repair', 'serviceRequest', 'specialService', 'survey', 'surveyMonthlyRun']));
    expect(all.length).toBeGreaterThan(10);
    expect(sealed).toBeGreaterThan(all.length);
    process.stdout.write(`\n[personal-data] ${all.length} workflows, ${sealed} sealed payloads, ${failuresSeen} failures read without the codec\n`);
  });

  it('a failure that quotes a row travels sealed: its message and stack trace are in the encoded attributes, not the failure', async () => {
    const converter = loadDataConverter(sealedDataConverter(stack.config));
    const failure = await encodeErrorToFailure(converter, ApplicationFailure.nonRetryable(`duplicate key: (contact_name)=(${TEXT.employee})`), { type: 'workflow', namespace: 'default', workflowId: 'complaint-hr-C1' });
    expect(failure.message).toBe('Encoded failure');
    expect(texts(failure).join()).not.toContain(TEXT.employee);
    expect(encodingOf(failure.encodedAttributes!)).toBe(SEALED_ENCODING);
  });
});

/** The codec endpoint as the Temporal UI calls it, as a PayloadCodec: what a staff member's UI shows. */
function endpointCodec(staffId: string | undefined): PayloadCodec {
  const toJson = (p: Payload) => ({
    metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v ?? []).toString('base64')])),
    data: Buffer.from(p.data ?? []).toString('base64'),
  });
  return {
    encode: async (p) => p,
    decode: async (sealed) => {
      const req = request(stack.app).post('/api/v1/codec/decode').set('X-Namespace', stack.config.TEMPORAL_NAMESPACE);
      const res = await (staffId ? req.set(as(stack, staffId)) : req).send({ payloads: sealed.map(toJson) });
      if (res.status !== 200) throw new Error(`codec endpoint: ${res.status}`);
      return (res.body.payloads as { metadata: Record<string, string>; data: string }[]).map((p) => ({
        metadata: Object.fromEntries(Object.entries(p.metadata).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
        data: Buffer.from(p.data, 'base64'),
      }));
    },
  };
}

/** A workflow's input as the UI shows it through the codec endpoint: the case, or undefined while it stays sealed. */
async function inputThrough(staffId: string, workflowId: string): Promise<Record<string, unknown> | undefined> {
  const history = await stack.client.workflow.getHandle(workflowId).fetchHistory();
  const input = history.events![0].workflowExecutionStartedEventAttributes!.input!.payloads![0] as Payload;
  const [decoded] = await endpointCodec(staffId).decode([input]);
  return encodingOf(decoded) === SEALED_ENCODING ? undefined : (defaultPayloadConverter.fromPayload(decoded) as Record<string, unknown>);
}

describe('the codec endpoint (POST /api/v1/codec/decode)', () => {
  const complaintWorkflow = (kind: 'customer' | 'employee' | 'report', caseId: string) =>
    kind === 'customer' ? `complaint-${caseId}` : `complaint-${kind === 'employee' ? 'hr' : 'audit'}-${caseId}`;

  it('C2: a supervisor’s UI decodes a customer complaint and a repair, never an employee complaint or a report; hr decodes the employee complaint alone, audit the report alone', async () => {
    if (!day) day = await demoDay();
    const customer = complaintWorkflow('customer', day.customer);
    const employee = complaintWorkflow('employee', day.employee);
    const reportWf = complaintWorkflow('report', day.report);
    const described = (value: Record<string, unknown> | undefined) => JSON.stringify(value ?? null);

    expect(described(await inputThrough('S-SV1', customer))).toContain(TEXT.customer);
    expect(described(await inputThrough('S-MG1', customer))).toContain(TEXT.customer);
    expect(described(await inputThrough('S-SV1', `repair-${day.repair}`))).toContain('1-1-301');
    expect(await inputThrough('S-SV1', employee)).toBeUndefined();
    expect(await inputThrough('S-MG1', employee)).toBeUndefined();
    expect(await inputThrough('S-SV1', reportWf)).toBeUndefined();

    const hr = staffWith('hr');
    const audit = staffWith('audit');
    expect(described(await inputThrough(hr, employee))).toContain(TEXT.employee);
    expect(await inputThrough(hr, reportWf)).toBeUndefined();
    expect(await inputThrough(hr, customer)).toBeUndefined();
    expect(described(await inputThrough(audit, reportWf))).toContain(TEXT.report);
    expect(await inputThrough(audit, employee)).toBeUndefined();
  });

  it('no key: 401; a role the UI is not for: 403 — the UI then shows the payloads sealed', async () => {
    const body = { payloads: [] };
    await request(stack.app).post('/api/v1/codec/decode').send(body).expect(401);
    await request(stack.app).post('/api/v1/codec/decode').set(as(stack, 'S-FD1')).send(body).expect(403);
    await request(stack.app).post('/api/v1/codec/decode').set(as(stack, 'S-SV1')).send({ payloads: [{ data: 'not base64!' }] }).expect(400);
  });

  it('CORS: the Temporal UI’s origin may call it with credentials, another origin may not', async () => {
    const preflight = (origin: string) =>
      request(stack.app).options('/api/v1/codec/decode').set('Origin', origin).set('Access-Control-Request-Method', 'POST').set('Access-Control-Request-Headers', 'content-type,x-namespace');
    const ui = await preflight('http://127.0.0.1:8233');
    expect(ui.status).toBe(204);
    expect(ui.headers['access-control-allow-origin']).toBe('http://127.0.0.1:8233');
    expect(ui.headers['access-control-allow-credentials']).toBe('true');
    expect(ui.headers['access-control-allow-headers']).toMatch(/x-namespace/i);
    const other = await preflight('https://evil.example.com');
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
    // The answer itself carries the header too, or the browser hides it from the UI.
    const answered = await request(stack.app).post('/api/v1/codec/decode').set('Origin', 'http://127.0.0.1:8233').set(as(stack, 'S-SV1')).send({ payloads: [] }).expect(200);
    expect(answered.headers['access-control-allow-origin']).toBe('http://127.0.0.1:8233');
  });
});

/** The demo's staff member holding `role`. */
function staffWith(role: 'hr' | 'audit'): string {
  const seeded = stack.seed.staff.find((s) => s.roles.includes(role));
  if (seeded) return seeded.id;
  throw new Error(`no seeded staff with role ${role}`);
}
