/**
 * The first vertical slice on real parts: HTTP → repair workflow → Postgres row + audit event →
 * dispatch mail over SMTP → live state by query → search attributes in Temporal's visibility.
 */
import request from 'supertest';
import { defaultPayloadConverter } from '@temporalio/common';
import { Case, CaseEvent, Notification } from '../../db/entities';
import { localDate } from '../../domain/calendar';
import { compressPolicy, DEFAULT_POLICY } from '../../domain/policy';
import { eventually, startTestStack, type TestStack } from '../helpers/stack';
import { openPayload } from '../helpers/payload-keys';

let stack: TestStack;

beforeAll(async () => {
  // Deadlines far away: this file is about intake, not escalation.
  stack = await startTestStack({ policy: DEFAULT_POLICY });
});
afterAll(async () => stack?.close());

const intake = {
  room: '1-1-301',
  contactName: '王先生',
  contactPhone: '13800138000',
  channel: 'phone',
  description: '卫生间水管漏水',
  classification: 'general',
  tags: ['water'],
};

describe('repair intake end to end', () => {
  it('I2/R2: a repair request opens a case, writes the read model and audit log, mails the engineer once, and is visible by search attributes', async () => {
    const created = await request(stack.app)
      .post('/api/v1/repairs')
      .set('Authorization', `Bearer ${stack.keyOf('S-FD1')}`)
      .send(intake)
      .expect(201);
    const { caseId, workflowId } = created.body;
    expect(caseId).toMatch(/^R\d{8}-\d{4}$/);
    expect(workflowId).toBe(`repair-${caseId}`);
    expect(created.headers.location).toBe(`/api/v1/repairs/${caseId}`);

    // The read model row and the first audit event, written by activities.
    const row = await eventually(() => stack.orm.em.fork().findOne(Case, { id: caseId }), { what: 'case row' });
    expect(row).toMatchObject({ kind: 'repair', room: '1-1-301', areaId: 'A1', channel: 'phone', severity: 'general', receivedBy: 'S-FD1' });
    const events = await eventually(async () => {
      const found = await stack.orm.em.fork().find(CaseEvent, { caseId }, { orderBy: { seq: 'asc' } });
      return found.some((e) => e.action === 'dispatched') ? found : undefined;
    }, { what: 'dispatched event' });
    expect(events[0]).toMatchObject({ action: 'received', actorId: 'S-FD1', actorRole: 'frontdesk' });

    // The work order mail reaches the engineer over real SMTP.
    const dispatchMail = await eventually(async () => stack.mails.find((m) => m.subject.includes('派工单') && m.subject.includes(caseId)), { what: 'dispatch mail' });
    expect(dispatchMail.to).toEqual([expect.stringMatching(/^s-en\d@/)]);
    expect(dispatchMail.text).toContain('卫生间水管漏水');

    // The live state comes from the workflow's query.
    const view = await request(stack.app).get(`/api/v1/repairs/${caseId}`).set('Authorization', `Bearer ${stack.keyOf('S-BT1')}`).expect(200);
    expect(view.body).toMatchObject({ caseId, status: 'dispatched', source: 'workflow', allowedActions: ['accept', 'markInvalid', 'reschedule', 'recordUnfinishedReason'] });
    expect(view.body.deadlines).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'accept', rule: 'R2', state: 'pending' })]));

    // R2: the read model (lists, `overdue`, P2) carries the acceptance deadline as the next due at once, not only from its warning on.
    const acceptDue = (view.body.deadlines as { name: string; dueAt: string }[]).find((d) => d.name === 'accept')!.dueAt;
    const withDue = await eventually(async () => {
      const found = await stack.orm.em.fork().findOne(Case, { id: caseId });
      return found?.dueAt?.toISOString() === acceptDue ? found : undefined;
    }, { what: 'read model due_at = acceptance deadline' });
    expect(withDue.slaState).toBe('ok');

    // Supervisors find it in the Temporal UI by its search attributes; no personal data there.
    const listed = await eventually(async () => {
      for await (const wf of stack.client.workflow.list({ query: `CaseType='repair' AND CaseStatus='dispatched' AND AreaId='A1' AND WorkflowId='${workflowId}'` })) return wf;
      return undefined;
    }, { what: 'visibility listing' });
    expect(listed.workflowId).toBe(workflowId);
    const description = await stack.client.workflow.getHandle(workflowId).describe();
    const attributes = JSON.stringify(description.searchAttributes);
    expect(attributes).not.toContain('王先生');
    expect(attributes).not.toContain('13800138000');
    const summary = await description.staticSummary();
    expect(summary).toContain(caseId);
    expect(summary).not.toContain('王');
    // The markdown "current details" the UI shows on the case page: what is due next and the last action.
    const metadata = await stack.client.workflow.getHandle(workflowId).query<{ currentDetails: string }>('__temporal_workflow_metadata');
    expect(metadata.currentDetails).toContain(`### ${caseId} · repair · general`);
    expect(metadata.currentDetails).toMatch(/\*\*Due next\*\*\n- accept \(R2\) by/);
    expect(metadata.currentDetails).toMatch(/\*\*Last action:\*\* dispatched by system/);
    expect(metadata.currentDetails).not.toMatch(/王|13800138000/);

    // Exactly once: one dispatch notification to the engineer, one mail, even after the activity settled.
    await new Promise((r) => setTimeout(r, 1000));
    const notifications = await stack.orm.em.fork().find(Notification, { caseId, template: 'dispatch' });
    expect(notifications).toHaveLength(1);
    expect(notifications[0].status).toBe('sent');
    expect(stack.mails.filter((m) => m.subject.includes('派工单') && m.subject.includes(caseId))).toHaveLength(1);
  });

  it('I2/R2: a repair opens in two activities — the case recorded with its policy and first engineer, then one audit write for the dispatch and its deadline that also mails the work order and its butler copy', async () => {
    const created = await request(stack.app).post('/api/v1/repairs').set('Authorization', `Bearer ${stack.keyOf('S-FD1')}`).send(intake).expect(201);
    const { caseId, workflowId } = created.body;
    await eventually(async () => stack.mails.find((m) => m.subject.includes('派工单') && m.subject.includes(caseId)), { what: 'dispatch mail' });
    const handle = stack.client.workflow.getHandle(workflowId);
    const scheduled = await eventually(async () => {
      const { events } = await handle.fetchHistory();
      const found = events!.flatMap((e) => (e.activityTaskScheduledEventAttributes ? [e.activityTaskScheduledEventAttributes] : []));
      return found.some((a) => a.activityType!.name === 'appendCaseEvents') ? found : undefined;
    }, { what: 'work order and audit write scheduled' });
    // One round trip through the server each (bench:intake counts what each costs): no separate
    // loadPolicy, recordCase or chooseEngineer, no notification activity of its own, and the events
    // the dispatching workflow task recorded written together, with the step's mails.
    expect(scheduled.map((a) => a.activityType!.name)).toEqual(['openCase', 'appendCaseEvents']);
    const written = openPayload<{ action: string }[]>(scheduled[1].input!.payloads![0]);
    expect(written.map((e) => e.action)).toEqual(['dispatched', 'deadline-set']);
    const mailed = openPayload<{ template: string }[]>(scheduled[1].input!.payloads![1]);
    expect(mailed.map((m) => m.template)).toEqual(['dispatch', 'dispatchCopy']);
    const row = await stack.orm.em.fork().findOneOrFail(Case, { id: caseId });
    const dispatched = await eventually(async () => (await stack.orm.em.fork().find(CaseEvent, { caseId, action: 'dispatched' }))[0], { what: 'dispatched event' });
    expect(dispatched.payload).toMatchObject({ engineerId: expect.stringMatching(/^S-EN\d$/), attempt: 1 });
    expect(row.receivedBy).toBe('S-FD1');
    // Both mails of the step went out, each once: the engineer's work order and the butler's copy.
    const byTemplate = async (template: string) => (await stack.orm.em.fork().find(Notification, { caseId, template })).map((n) => n.status);
    const copies = await eventually(async () => {
      const statuses = await byTemplate('dispatchCopy');
      return statuses.length > 0 && statuses.every((s) => s === 'sent') ? statuses : undefined;
    }, { what: 'butler copy sent' });
    expect(copies.length).toBeGreaterThan(0);
    expect(await byTemplate('dispatch')).toEqual(['sent']);
  });

  it('I2/R2: a new repair records no patch marker and upserts its search attributes at most once per workflow task, ending on what the case shows', async () => {
    const created = await request(stack.app).post('/api/v1/repairs').set('Authorization', `Bearer ${stack.keyOf('S-FD1')}`).send(intake).expect(201);
    const { caseId, workflowId } = created.body;
    const handle = stack.client.workflow.getHandle(workflowId);
    const events = await eventually(async () => {
      const { events } = await handle.fetchHistory();
      return events!.some((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'appendCaseEvents') ? events! : undefined;
    }, { what: 'set-up scheduled its audit write' });
    // Each upsert is a visibility write on the server; each patch marker would bring one more (of
    // TemporalChangeVersion). The set-up used to write five markers and nine upserts; before the first
    // release there is no running case to patch for (docs/architecture.md, "Versioning").
    const markers = events.filter((e) => e.markerRecordedEventAttributes);
    expect(markers).toHaveLength(0);
    const attributes = (e: (typeof events)[number]) => e.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields ?? {};
    const perTask: number[] = [];
    for (const e of events) {
      if (e.workflowTaskCompletedEventAttributes) perTask.push(0);
      else if (e.upsertWorkflowSearchAttributesEventAttributes && !('TemporalChangeVersion' in attributes(e))) perTask[perTask.length - 1]++;
    }
    expect(Math.max(...perTask)).toBe(1);
    const last = events.filter((e) => e.upsertWorkflowSearchAttributesEventAttributes && 'CaseStatus' in attributes(e)).pop()!;
    const shown = Object.fromEntries(Object.entries(attributes(last)).map(([k, v]) => [k, defaultPayloadConverter.fromPayload(v)]));
    expect(shown).toMatchObject({ CaseStatus: 'dispatched', CaseType: 'repair', AssigneeId: expect.stringMatching(/^S-EN\d$/), SlaState: 'ok', Escalated: false });
    expect(shown.DueAt).toEqual(expect.any(String));
    const row = await eventually(async () => {
      const found = await stack.orm.em.fork().findOneOrFail(Case, { id: caseId });
      return found.dueAt ? found : undefined;
    }, { what: 'due in the read model' });
    expect(new Date(shown.DueAt as string).toISOString()).toBe(new Date(row.dueAt!).toISOString());
  });

  it('I2: a malformed request gets 400 problem+json naming each bad field, and creates nothing', async () => {
    const before = await stack.orm.em.fork().count(Case, {});
    const response = await request(stack.app)
      .post('/api/v1/repairs')
      .set('Authorization', `Bearer ${stack.keyOf('S-FD1')}`)
      .send({ room: '', contactPhone: 'call me', channel: 'pigeon', classification: 'urgent', description: 'x' })
      .expect(400);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    const fields = (response.body['invalid-params'] as { name: string }[]).map((p) => p.name).sort();
    expect(fields).toEqual(expect.arrayContaining(['channel', 'contactName', 'contactPhone', 'description', 'room']));
    expect(response.body).toMatchObject({ status: 400, title: '请求无效', type: expect.stringMatching(/invalid-request$/) });
    expect(await stack.orm.em.fork().count(Case, {})).toBe(before);
  });

  it('I2: text carrying a NUL character (which Postgres cannot store) is refused with 400 naming the field, and creates nothing', async () => {
    const before = await stack.orm.em.fork().count(Case, {});
    const response = await request(stack.app)
      .post('/api/v1/repairs')
      .set('Authorization', `Bearer ${stack.keyOf('S-FD1')}`)
      .send({ room: '1-1-301', contactName: '王先生', contactPhone: '13800138000', channel: 'phone', description: '漏水\u0000', classification: 'general', tags: ['ok', 'wa\u0000ter'] })
      .expect(400);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect((response.body['invalid-params'] as { name: string; reason: string }[]).map((p) => p.name).sort()).toEqual(['description', 'tags.1']);
    expect(await stack.orm.em.fork().count(Case, {})).toBe(before);
  });

  it('I2: text with a lone UTF-16 surrogate ("\\ud800", which would be stored as "�") is refused with 400 naming the field; a real pair (an emoji) is kept as sent', async () => {
    const before = await stack.orm.em.fork().count(Case, {});
    // Raw JSON text: the escapes reach the server as sent, not as UTF-8 the client re-encoded.
    const body = (contactName: string, description: string) =>
      `{"room":"1-1-301","contactName":"${contactName}","contactPhone":"13800138000","channel":"phone","description":"${description}","classification":"general","tags":["\\udc00x"]}`;
    const refused = await request(stack.app)
      .post('/api/v1/repairs')
      .set('Authorization', `Bearer ${stack.keyOf('S-FD1')}`)
      .set('Content-Type', 'application/json')
      .send(body('\\ud800', '漏水'))
      .expect(400);
    expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect((refused.body['invalid-params'] as { name: string; in: string; reason: string }[]).map((p) => [p.name, p.in])).toEqual([
      ['contactName', 'body'],
      ['tags.0', 'body'],
    ]);
    expect(refused.body['invalid-params'][0].reason).toMatch(/不成对的 UTF-16 代理字符/);
    expect(await stack.orm.em.fork().count(Case, {})).toBe(before);

    const kept = await request(stack.app)
      .post('/api/v1/repairs')
      .set('Authorization', `Bearer ${stack.keyOf('S-FD1')}`)
      .set('Content-Type', 'application/json')
      .send(body('王先生\\ud83d\\ude00', '漏水').replace('"\\udc00x"', '"water"'))
      .expect(201);
    const row = await eventually(() => stack.orm.em.fork().findOne(Case, { id: kept.body.caseId }), { what: 'the case row' });
    expect(row.contactName).toBe('王先生\u{1F600}');
  });

  it('I2: an unknown room is rejected with 422 and nothing is started', async () => {
    const response = await request(stack.app)
      .post('/api/v1/repairs')
      .set('Authorization', `Bearer ${stack.keyOf('S-FD1')}`)
      .send({ ...intake, room: '9-9-999' })
      .expect(422);
    expect(response.body['invalid-params']).toEqual([expect.objectContaining({ name: 'room' })]);
  });

  it('R7/I2: a public-facility repair opens under its area; an area the property does not have is rejected with 422 and nothing is started', async () => {
    const publicFacility = { contactName: '巡检', contactPhone: '13800138000', channel: 'staff', description: '东区路灯不亮', classification: 'general', publicArea: true };
    const before = await stack.orm.em.fork().count(Case, {});
    const unknown = await request(stack.app)
      .post('/api/v1/repairs')
      .set('Authorization', `Bearer ${stack.keyOf('S-FD1')}`)
      .set('Accept-Language', 'en')
      .send({ ...publicFacility, areaId: 'A9' })
      .expect(422);
    expect(unknown.body['invalid-params']).toEqual([expect.objectContaining({ name: 'areaId', reason: 'no such area in this property' })]);
    await new Promise((r) => setTimeout(r, 300));
    expect(await stack.orm.em.fork().count(Case, {})).toBe(before);

    const opened = await request(stack.app)
      .post('/api/v1/repairs')
      .set('Authorization', `Bearer ${stack.keyOf('S-FD1')}`)
      .send({ ...publicFacility, areaId: 'A2' })
      .expect(201);
    const row = await eventually(() => stack.orm.em.fork().findOne(Case, { id: opened.body.caseId }), { what: 'case row' });
    expect(row).toMatchObject({ areaId: 'A2', room: null, householdId: null, category: 'public-facility' });
  });

  it("I2: the case number carries the property's local date, in the property's time zone", async () => {
    const db = stack.orm.em.fork().getConnection();
    // Kiritimati (UTC+14) and Pago Pago (UTC−11) are never on the same date.
    const numberedIn = async (timeZone: string) => {
      await db.execute('update property set time_zone = ? where id = ?', [timeZone, stack.seed.propertyId]);
      const dayOf = () => localDate(new Date(), timeZone).replaceAll('-', '');
      const before = dayOf();
      const created = await request(stack.app).post('/api/v1/repairs').set('Authorization', `Bearer ${stack.keyOf('S-FD1')}`).send(intake).expect(201);
      await eventually(() => stack.orm.em.fork().findOne(Case, { id: created.body.caseId }), { what: 'case row' });
      return { numberedDay: (created.body.caseId as string).slice(1, 9), days: [before, dayOf()] };
    };
    try {
      const east = await numberedIn('Pacific/Kiritimati');
      const west = await numberedIn('Pacific/Pago_Pago');
      expect(east.days).toContain(east.numberedDay);
      expect(west.days).toContain(west.numberedDay);
      expect(east.numberedDay).not.toBe(west.numberedDay);
    } finally {
      await db.execute('update property set time_zone = ? where id = ?', ['Asia/Shanghai', stack.seed.propertyId]);
    }
  });

  it('R5: an impossible appointment — in the past, or missing for a major repair — is refused and nothing is started', async () => {
    const before = await stack.orm.em.fork().count(Case, {});
    const past = await request(stack.app)
      .post('/api/v1/repairs')
      .set('Authorization', `Bearer ${stack.keyOf('S-FD1')}`)
      .send({ ...intake, classification: 'major', appointmentAt: new Date(Date.now() - 3_600_000).toISOString() })
      .expect(422);
    // Asked in no language, the answer is Chinese; the field's reason says what an impossible appointment is.
    expect(past.body).toMatchObject({ title: '预约时间不可能', 'invalid-params': [expect.objectContaining({ name: 'appointmentAt', reason: '预约时间必须在将来。' })] });
    const missing = await request(stack.app)
      .post('/api/v1/repairs')
      .set('Authorization', `Bearer ${stack.keyOf('S-FD1')}`)
      .send({ ...intake, classification: 'major' })
      .expect(400);
    expect(missing.body['invalid-params']).toEqual([expect.objectContaining({ name: 'appointmentAt' })]);
    const late = await request(stack.app)
      .post('/api/v1/repairs')
      .set('Authorization', `Bearer ${stack.keyOf('S-FD1')}`)
      .send({ ...intake, receivedAt: new Date(Date.now() + 3_600_000).toISOString() })
      .expect(422);
    expect(late.body['invalid-params']).toEqual([expect.objectContaining({ name: 'receivedAt' })]);
    await new Promise((r) => setTimeout(r, 300));
    expect(await stack.orm.em.fork().count(Case, {})).toBe(before);
  });

  it('the same Idempotency-Key and body return the first case; another body under that key is 422', async () => {
    const key = 'retry-test-0001';
    const first = await request(stack.app).post('/api/v1/repairs').set('Authorization', `Bearer ${stack.keyOf('S-FD1')}`).set('Idempotency-Key', key).send(intake).expect(201);
    const again = await request(stack.app).post('/api/v1/repairs').set('Authorization', `Bearer ${stack.keyOf('S-FD1')}`).set('Idempotency-Key', key).send(intake).expect(201);
    expect(again.body.caseId).toBe(first.body.caseId);
    expect(again.headers['idempotent-replayed']).toBe('true');
    await request(stack.app)
      .post('/api/v1/repairs')
      .set('Authorization', `Bearer ${stack.keyOf('S-FD1')}`)
      .set('Idempotency-Key', key)
      .send({ ...intake, description: '另一件事' })
      .expect(422);
  });

  it('without a key the API answers 401; with the wrong role 403; an unknown route 404 — all problem+json', async () => {
    await request(stack.app).post('/api/v1/repairs').send(intake).expect(401).expect('content-type', /problem\+json/);
    await request(stack.app).post('/api/v1/repairs').set('Authorization', `Bearer ${stack.keyOf('S-EN1')}`).send(intake).expect(403);
    await request(stack.app).get('/api/v1/nothing-here').expect(404).expect('content-type', /problem\+json/);
  });

  it('the OpenAPI document lists every operation with an operationId', async () => {
    const doc = await request(stack.app).get('/openapi.json').expect(200);
    expect(doc.body.openapi).toBe('3.1.0');
    const ids = Object.values(doc.body.paths as Record<string, Record<string, { operationId: string }>>).flatMap((p) => Object.values(p).map((o) => o.operationId));
    expect(ids).toEqual(expect.arrayContaining(['createRepair', 'getRepair', 'listRepairs', 'repairAccept', 'repairSignOff']));
    // A create that opens a case tells its client the admission's 503 (api/overload.ts admitOpenings); an action does not.
    expect(doc.body.paths['/api/v1/repairs'].post.responses['503'].description).toMatch(/nothing was recorded/);
    expect(doc.body.paths['/api/v1/repairs/{caseId}/accept'].post.responses['503']).toBeUndefined();
  });
});

// Keep the compressed-policy helper honest here too: the slice must not depend on real durations.
it('compressPolicy keeps counts and scales durations', () => {
  const fast = compressPolicy(DEFAULT_POLICY, 60);
  expect(fast.repair.urgentArriveWithinMs).toBe(20_000);
  expect(fast.repair.failedAttemptsForMajorComplaint).toBe(2);
});
