/**
 * The lighter requests on the real dev server with the documents' policy compressed 600× and the
 * deadline under test shortened further: inquiries, suggestions and help (I1–I3), special services
 * (O2) and patrol findings (O1). Then every workflow of the file, plus a repair and a complaint,
 * read back through the Temporal client: no resident's name or phone anywhere in what the UI shows.
 */
import request from 'supertest';
import { Case, CaseEvent, FinanceEntry, HouseholdContact, Notification } from '../../db/entities';
import { CHANNELS } from '../../domain/people';
import { complain } from '../helpers/complaints';
import { as, assigneeOf, caseRow, mailsFor, repairAction, report, usePolicy, workUntilCompleted } from '../helpers/repairs';
import { CaseType } from '../../workflows/search-attributes';
import { eventually, startTestStack, type TestStack } from '../helpers/stack';
import { openPayload } from '../helpers/payload-keys';

let stack: TestStack;
/** The demo archive's contact of room 1-1-301: requests are taken in with real demo data. */
let resident: { room: string; contactName: string; contactPhone: string };

beforeAll(async () => {
  stack = await startTestStack();
  const contact = await stack.orm.em.fork().findOneOrFail(HouseholdContact, { household: `${stack.seed.propertyId}-1-1-301` });
  resident = { room: '1-1-301', contactName: contact.name, contactPhone: contact.phone };
});
beforeEach(async () => {
  await usePolicy(stack, 600, (p) => {
    p.patrol.startWithinMs = 2000;
    p.patrol.rectifyWithinMs = 600_000;
  });
});
afterAll(async () => stack?.close());

const inMs = (ms: number) => new Date(Date.now() + ms).toISOString();

const post = (path: string, staffId: string, body: Record<string, unknown>) => request(stack.app).post(`/api/v1/${path}`).set(as(stack, staffId)).send(body);

async function ask(body: Record<string, unknown>, staffId = 'S-FD1'): Promise<string> {
  const res = await post('requests', staffId, { kind: 'inquiry', ...resident, channel: 'phone', content: '请问小区快递柜在哪里？', ...body });
  if (res.status !== 201) throw new Error(`request failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.caseId as string;
}

/** A staff action once the case is in the read model, retried while the workflow is still recording it (it takes none before). */
async function act(path: string, action: string, staffId: string, payload: Record<string, unknown> = {}) {
  await caseRow(stack, path.split('/')[1], () => true, 'recorded');
  let res: request.Response | undefined;
  await eventually(async () => {
    res = await post(`${path}/${action}`, staffId, payload);
    return !(res.status === 409 && String(res.body.detail).includes('allowed now: nothing')) || undefined;
  }, { timeoutMs: 5000, what: `${path} ${action}` });
  return res!;
}

/** The escalation thresholds notified for a case, once per recipient: `reply:1`, `start`… */
const escalations = async (caseId: string) =>
  (await stack.orm.em.fork().find(Notification, { caseId, template: 'escalation' }, { orderBy: { id: 'asc' } })).map((n) => ({
    step: n.idempotencyKey.split(':escalate:')[1].replace(/:[^:]+$/, ''),
    to: n.recipientId,
  }));

describe('I1–I3: inquiries, suggestions, help requests', () => {
  it('I3: an inquiry answered on the spot is recorded and closed at once', async () => {
    const caseId = await ask({ answer: '在 2 号楼大堂东侧' });
    const row = await caseRow(stack, caseId, (r) => !!r.closedAt, 'closed');
    expect(row).toMatchObject({ kind: 'request', severity: 'inquiry', status: 'answered' });
    const result = await stack.client.workflow.getHandle(`request-${caseId}`).result();
    expect(result).toEqual({ caseId, status: 'answered', escalated: false });
    const events = await stack.orm.em.fork().find(CaseEvent, { caseId }, { orderBy: { seq: 'asc' } });
    expect(events.map((e) => e.action)).toEqual(['received', 'answered-on-the-spot', 'closed']);
    expect(events[1].payload).toEqual({ answer: '在 2 号楼大堂东侧' });
  });

  it('I3: a promised reply time is a deadline — missed, the supervisor hears exactly once; the answer then closes the request', async () => {
    const caseId = await ask({ kind: 'help', content: '家中老人摔倒，需要帮忙联系家属', replyBy: inMs(1500) });
    await eventually(async () => ((await escalations(caseId)).length ? true : undefined), { what: 'reply escalation' });
    const mail = await eventually(async () => mailsFor(stack, caseId, '超时升级')[0], { what: 'escalation mail' });
    expect(mail.to).toEqual([expect.stringMatching(/^s-sv1@/)]);
    const live = await request(stack.app).get(`/api/v1/requests/${caseId}`).set(as(stack, 'S-SV1')).expect(200);
    expect(live.body).toMatchObject({ escalated: true, slaState: 'breached', status: 'awaiting_reply' });
    expect(live.body.deadlines).toEqual([expect.objectContaining({ name: 'reply', rule: 'I3', state: 'missed' })]);
    const answered = await act(`requests/${caseId}`, 'answer', 'S-FD1', { answer: '已联系其女儿，十分钟后到' });
    expect(answered.status).toBe(200);
    expect(answered.body.status).toBe('answered');
    expect(await stack.client.workflow.getHandle(`request-${caseId}`).result()).toEqual({ caseId, status: 'answered', escalated: true });
    expect(await escalations(caseId)).toEqual([{ step: 'reply:1', to: 'S-SV1' }]);
    await act(`requests/${caseId}`, 'answer', 'S-FD1', { answer: '再答一次' }).then((r) => expect(r.status).toBe(409));
  });

  it('I3: a suggestion judged valuable is forwarded to the supervisor and archived; only a suggestion can be', async () => {
    const inquiry = await ask({ replyBy: inMs(600_000) });
    const refused = await act(`requests/${inquiry}`, 'forwardSuggestion', 'S-BT1', { note: '有价值' });
    expect(refused.status).toBe(409);
    const caseId = await ask({ kind: 'suggestion', content: '建议在儿童游乐区加装遮阳棚', replyBy: inMs(600_000) });
    const res = await act(`requests/${caseId}`, 'forwardSuggestion', 'S-BT1', { note: '夏季确有需要，建议列入明年计划' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'forwarded', allowedActions: [] });
    const mail = await eventually(async () => mailsFor(stack, caseId, '客户建议')[0], { what: 'forwarded mail' });
    expect(mail.to).toEqual([expect.stringMatching(/^s-sv1@/)]);
    expect(mail.text).toContain('遮阳棚');
    const row = await caseRow(stack, caseId, (r) => !!r.closedAt, 'archived');
    expect(row.status).toBe('forwarded');
    expect((await stack.client.workflow.getHandle(`request-${caseId}`).result()).status).toBe('forwarded');
    const suggestions = (await request(stack.app).get('/api/v1/requests?kind=suggestion&open=false').set(as(stack, 'S-SV1')).expect(200)).body.items;
    expect(suggestions).toEqual([expect.objectContaining({ caseId, kind: 'suggestion', status: 'forwarded', room: '1-1-301' })]);
    await act(`requests/${inquiry}`, 'answer', 'S-FD1', { answer: '已答复' });
  });

  it('I2: a request records customer name, room, phone, channel, content, time received and who received it; bad input leaves no trace', async () => {
    const receivedAt = new Date(Date.now() - 3_600_000).toISOString();
    const caseId = await ask({ kind: 'praise', channel: 'letter', content: '感谢保安师傅帮忙搬家', receivedAt, lateEntryReason: '信件上午收到，下午登记', answer: '已转达表扬' }, 'S-BT1');
    const row = await caseRow(stack, caseId, () => true, 'recorded');
    expect(row).toMatchObject({
      room: '1-1-301',
      householdId: `${stack.seed.propertyId}-1-1-301`,
      contactName: resident.contactName,
      contactPhone: resident.contactPhone,
      channel: 'letter',
      description: '感谢保安师傅帮忙搬家',
      receivedBy: 'S-BT1',
    });
    expect(row.receivedAt.toISOString()).toBe(receivedAt);

    const before = { cases: await stack.orm.em.fork().count(Case, {}), mails: stack.mails.length };
    const bad = await post('requests', 'S-FD1', { kind: 'rumour', room: '1-1-301', contactName: '', contactPhone: 'call me', channel: 'pigeon', content: '?' });
    expect(bad.status).toBe(400);
    expect(bad.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(bad.body['invalid-params'].map((p: { name: string }) => p.name).sort()).toEqual(['channel', 'contactName', 'contactPhone', 'content', 'kind']);
    const unknownRoom = await post('requests', 'S-FD1', { kind: 'inquiry', ...resident, room: '9-9-999', channel: 'phone', content: '问询内容' });
    expect(unknownRoom.status).toBe(422);
    const pastPromise = await post('requests', 'S-FD1', { kind: 'inquiry', ...resident, channel: 'phone', content: '问询内容', replyBy: inMs(-60_000) });
    expect(pastPromise.status).toBe(422);
    expect({ cases: await stack.orm.em.fork().count(Case, {}), mails: stack.mails.length }).toEqual(before);
  });

  it('I1: a request is taken in through every channel, and any staff member (an engineer too) passes one on to the service centre', async () => {
    const ids: string[] = [];
    for (const channel of CHANNELS) ids.push(await ask({ channel, answer: '已答复' }, channel === 'staff' ? 'S-EN1' : 'S-FD1'));
    const rows = await Promise.all(ids.map((id) => caseRow(stack, id, () => true, 'recorded')));
    expect(rows.map((r) => r.channel)).toEqual([...CHANNELS]);
    expect(rows.find((r) => r.channel === 'staff')!.receivedBy).toBe('S-EN1');
    // hr and audit receive complaints about staff, not residents' requests.
    expect((await post('requests', 'S-HR1', { kind: 'inquiry', ...resident, channel: 'phone', content: '问询内容' })).status).toBe(403);
  });
});

describe('O2: special and personalised services', () => {
  it('O2: an internal service becomes a work order — dispatched to an engineer like a repair — and its fee goes to finance', async () => {
    const res = await post('special-services', 'S-FD1', { ...resident, channel: 'phone', description: '更换全屋灯具（付费）', provider: 'internal', requestedBy: inMs(600_000) });
    expect(res.status).toBe(201);
    const serviceId = res.body.caseId as string;
    const service = await caseRow(stack, serviceId, (r) => r.links.length > 0, 'work order linked');
    expect(service).toMatchObject({ kind: 'special_service', severity: 'internal', status: 'work_order' });
    const workOrder = service.links[0];
    expect(workOrder).toEqual({ caseId: expect.stringMatching(/^R\d{8}-\d{4}$/), relation: 'work-order' });
    const engineer = await assigneeOf(stack, workOrder.caseId);
    const dispatched = await eventually(async () => mailsFor(stack, workOrder.caseId, '派工单')[0], { what: 'work order mail' });
    expect(dispatched.to).toEqual([expect.stringMatching(new RegExp(`^${engineer.toLowerCase()}@`))]);
    expect(dispatched.text).toContain(serviceId);
    await workUntilCompleted(stack, workOrder.caseId, { feeCents: 12_000, feeDescription: '灯具安装费' });
    await repairAction(stack, workOrder.caseId, 'signOff', 'S-BT1', { accepted: true }).expect(200);
    const fee = await eventually(async () => stack.orm.em.fork().findOne(FinanceEntry, { caseId: workOrder.caseId }), { what: 'finance entry' });
    expect(fee).toMatchObject({ amountCents: 12_000, description: '灯具安装费', recordedBy: engineer });
  });

  it("O2: an external service waits for the partner; not answered by the customer's requested time it goes to the supervisor once; the fee is recorded", async () => {
    const res = await post('special-services', 'S-BT1', { ...resident, channel: 'wechat', description: '空调深度清洗', provider: 'external', partner: '洁净家政', requestedBy: inMs(1500) });
    expect(res.status).toBe(201);
    const caseId = res.body.caseId as string;
    await eventually(async () => ((await escalations(caseId)).length ? true : undefined), { what: 'answer escalation' });
    const confirmed = await act(`special-services/${caseId}`, 'confirmPartner', 'S-BT1', { partner: '洁净家政', note: '周六上午上门' });
    expect(confirmed.status).toBe(200);
    expect(confirmed.body.deadlines).toEqual([expect.objectContaining({ name: 'answer', rule: 'O2', state: 'missed' })]);
    const done = await act(`special-services/${caseId}`, 'complete', 'S-BT1', { summary: '已清洗两台空调', feeCents: 30_000, feeDescription: '空调清洗代收费' });
    expect(done.status).toBe(200);
    expect(await stack.client.workflow.getHandle(`special-service-${caseId}`).result()).toEqual({ caseId, status: 'completed', escalated: true });
    expect(await escalations(caseId)).toEqual([{ step: 'answer', to: 'S-SV1' }]);
    expect(await stack.orm.em.fork().findOne(FinanceEntry, { caseId })).toMatchObject({ amountCents: 30_000, recordedBy: 'S-BT1' });
    // I2: the special service keeps the intake record like any request.
    expect(await caseRow(stack, caseId, () => true, 'recorded')).toMatchObject({ contactName: resident.contactName, contactPhone: resident.contactPhone, room: '1-1-301', channel: 'wechat', receivedBy: 'S-BT1', description: '空调深度清洗' });
  });

  it('O2: a partner confirmation before the requested time does not escalate', async () => {
    const res = await post('special-services', 'S-FD1', { ...resident, channel: 'phone', description: '代订桶装水', provider: 'external', requestedBy: inMs(600_000) });
    const caseId = res.body.caseId as string;
    await act(`special-services/${caseId}`, 'confirmPartner', 'S-FD1', { partner: '水站' }).then((r) => expect(r.status).toBe(200));
    await act(`special-services/${caseId}`, 'complete', 'S-FD1', { summary: '已送达' }).then((r) => expect(r.status).toBe(200));
    expect(await stack.client.workflow.getHandle(`special-service-${caseId}`).result()).toEqual({ caseId, status: 'completed', escalated: false });
    expect(await stack.orm.em.fork().count(FinanceEntry, { caseId })).toBe(0);
  });
});

describe('O1: patrol findings', () => {
  it('O1: a finding becomes a rectification notice with a deadline; not started within 2 days (compressed) it goes to the supervisor exactly once', async () => {
    const res = await post('patrol-findings', 'S-BT1', { areaId: 'A1', location: '1号楼北侧道路', description: '路灯不亮两盏', photoRef: 'https://files.example/patrol/a1-0001.jpg', department: 'engineering' });
    expect(res.status).toBe(201);
    const caseId = res.body.caseId as string;
    const notices = await eventually(async () => {
      const found = mailsFor(stack, caseId, '整改通知');
      return found.length >= 3 ? found : undefined;
    }, { what: 'notices to the engineers and the butler' });
    expect(notices.map((m) => m.to[0].split('@')[0]).sort()).toEqual(['s-bt1', 's-en1', 's-en2']);
    expect(notices[0].text).toContain('patrol/a1-0001.jpg');
    await eventually(async () => ((await escalations(caseId)).length ? true : undefined), { what: 'start escalation' });
    await act(`patrol-findings/${caseId}`, 'startRectification', 'S-EN1', {}).then((r) => expect(r.status).toBe(200));
    const done = await act(`patrol-findings/${caseId}`, 'completeRectification', 'S-EN1', { result: '更换灯泡两只' });
    expect(done.body).toMatchObject({ status: 'rectified', escalated: true });
    expect(await stack.client.workflow.getHandle(`patrol-finding-${caseId}`).result()).toEqual({ caseId, status: 'rectified', escalated: true });
    expect(await escalations(caseId)).toEqual([{ step: 'start', to: 'S-SV1' }]);
    const row = await caseRow(stack, caseId, (r) => !!r.closedAt, 'closed');
    expect(row).toMatchObject({ kind: 'patrol_finding', category: 'engineering', areaId: 'A1' });
  });

  it("O1: a finding started in time is not escalated; a butler files findings of their own areas only", async () => {
    await usePolicy(stack, 600);
    const other = await post('patrol-findings', 'S-BT1', { areaId: 'A2', location: '3号楼门口', description: '垃圾桶满溢', photoRef: 'patrol/a2-0002.jpg', department: 'cleaning' });
    expect(other.status).toBe(422);
    const res = await post('patrol-findings', 'S-BT2', { areaId: 'A2', location: '3号楼门口', description: '垃圾桶满溢', photoRef: 'patrol/a2-0002.jpg', department: 'cleaning', rectifyBy: inMs(600_000) });
    expect(res.status).toBe(201);
    const caseId = res.body.caseId as string;
    const notice = await eventually(async () => mailsFor(stack, caseId, '整改通知')[0], { what: 'notice' });
    expect(notice.to).toEqual([expect.stringMatching(/^s-bt2@/)]);
    await act(`patrol-findings/${caseId}`, 'startRectification', 'S-BT2', { note: '已通知保洁' }).then((r) => expect(r.status).toBe(200));
    await act(`patrol-findings/${caseId}`, 'completeRectification', 'S-BT2', { result: '已清运' }).then((r) => expect(r.status).toBe(200));
    expect(await stack.client.workflow.getHandle(`patrol-finding-${caseId}`).result()).toEqual({ caseId, status: 'rectified', escalated: false });
    await request(stack.app).get(`/api/v1/patrol-findings/${caseId}`).set(as(stack, 'S-BT1')).expect(404);
    const listed = async (path: string, staffId: string) => (await request(stack.app).get(`/api/v1/${path}`).set(as(stack, staffId)).expect(200)).body.items.map((c: { caseId: string }) => c.caseId);
    expect(await listed('patrol-findings', 'S-BT2')).toEqual([caseId]);
    expect(await listed('patrol-findings?kind=cleaning', 'S-SV1')).toEqual([caseId]);
    expect(await listed('patrol-findings?kind=cleaning', 'S-BT1')).toEqual([]);
  });
});

describe('personal data in the Temporal UI', () => {
  it("no resident's phone number or name appears in any search attribute, summary or current details of the demo data (read back through the Temporal client)", async () => {
    // One case of every kind besides those above, taken in with demo residents' real names and phones.
    const em = stack.orm.em.fork();
    const contactOf = async (room: string) => {
      const c = await em.findOneOrFail(HouseholdContact, { household: `${stack.seed.propertyId}-${room}` });
      return { room, contactName: c.name, contactPhone: c.phone };
    };
    const repairId = await report(stack, { ...(await contactOf('3-1-502')), classification: 'urgent', tags: ['water'] });
    await assigneeOf(stack, repairId);
    const complaintId = await complain(stack, await contactOf('2-2-1302'));
    const requestId = await ask({ ...(await contactOf('4-1-101')), kind: 'suggestion', replyBy: inMs(600_000) });
    const serviceId = (await post('special-services', 'S-FD1', { ...(await contactOf('1-2-701')), channel: 'phone', description: '代收快递', provider: 'external', requestedBy: inMs(600_000) }).expect(201)).body.caseId;
    const latest = [`repair-${repairId}`, `complaint-${complaintId}`, `request-${requestId}`, `special-service-${serviceId}`];
    const all = await eventually(async () => {
      const ids: { workflowId: string; runId: string }[] = [];
      for await (const wf of stack.client.workflow.list()) ids.push({ workflowId: wf.workflowId, runId: wf.runId });
      return latest.every((id) => ids.some((w) => w.workflowId === id)) ? ids : undefined;
    }, { what: 'every workflow visible' });

    const contacts = await em.find(HouseholdContact, {});
    expect(contacts.length).toBeGreaterThanOrEqual(stack.seed.households);
    const personal = [...new Set(contacts.flatMap((c) => [c.name, c.phone, c.email].filter((v): v is string => !!v)))];

    const kinds = new Set<string>();
    let checked = 0;
    for (const wf of all) {
      const handle = stack.client.workflow.getHandle(wf.workflowId, wf.runId);
      const description = await handle.describe();
      const shown: string[] = [
        JSON.stringify(description.typedSearchAttributes),
        JSON.stringify(description.searchAttributes),
        (await description.staticSummary()) ?? '',
        (await description.staticDetails()) ?? '',
      ];
      if (description.status.name === 'RUNNING') {
        shown.push((await handle.query<{ currentDetails: string }>('__temporal_workflow_metadata')).currentDetails);
      }
      // Timer and activity summaries, as the UI shows them on the event history.
      const history = await handle.fetchHistory();
      for (const event of history.events ?? []) {
        // Sealed in the history: what the UI shows a supervisor is what the codec opens.
        const summary = event.userMetadata?.summary;
        if (summary) shown.push(openPayload<string>(summary));
      }
      const text = shown.join('\n');
      const leaked = personal.filter((value) => text.includes(value));
      expect({ workflowId: wf.workflowId, leaked }).toEqual({ workflowId: wf.workflowId, leaked: [] });
      kinds.add(String(description.typedSearchAttributes.get(CaseType)));
      checked++;
    }
    expect([...kinds].sort()).toEqual(expect.arrayContaining(['complaint', 'patrol_finding', 'repair', 'request', 'return_visit', 'special_service']));
    expect(checked).toBeGreaterThan(15);
  });
});

