/**
 * The customer archive (客户档案, docs/rules.md §0) through the API on the real stack: households and
 * their members, every change audited (personal values masked), who may read residents' phones,
 * the household page's complaint and major-repair history, and the yearly summary (JSON, CSV).
 */
import request from 'supertest';
import { Household, HouseholdChange, HouseholdContact } from '../../db/entities';
import { complain } from '../helpers/complaints';
import { as, assigneeOf, caseRow, report } from '../helpers/repairs';
import { startTestStack, type TestStack } from '../helpers/stack';

let stack: TestStack;
let household: string; // 1-1-301, building 1, area A1 (butler S-BT1)

beforeAll(async () => {
  stack = await startTestStack();
  household = `${stack.seed.propertyId}-1-1-301`;
});
afterAll(async () => stack?.close());

const get = (path: string, staffId: string) => request(stack.app).get(`/api/v1/${path}`).set(as(stack, staffId));
const send = (method: 'post' | 'patch', path: string, staffId: string, body: Record<string, unknown>) =>
  request(stack.app)[method](`/api/v1/${path}`).set(as(stack, staffId)).send(body);

describe('§0 customer archive', () => {
  it('§0: staff add a household with its members and update it; each change is audited with who and when, personal values never kept', async () => {
    const body = {
      buildingId: `${stack.seed.propertyId}-B1`,
      room: '1-3-101',
      moveInDate: '2026-10-01',
      membersCount: 3,
      occupation: '教师',
      ageBand: '31-45',
      hobbies: ['书法'],
      skills: ['外语'],
      pets: ['猫'],
      festivals: ['中秋'],
      serviceNeeds: '老人行动不便，需要上门服务',
      contacts: [{ name: '欧阳先生', phone: '13611112222', email: 'ouyang@example.com', relation: 'owner', primary: true, occupation: '教师', ageBand: '31-45' }],
    };
    const created = await send('post', 'households', 'S-BT1', body).set('Idempotency-Key', 'archive-create-0001');
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ householdId: `${stack.seed.propertyId}-1-3-101`, areaId: 'A1', unit: '3', moveInDate: '2026-10-01', membersCount: 3, personalData: 'visible', history: [] });
    expect(created.body.contacts).toEqual([expect.objectContaining({ name: '欧阳先生', phone: '13611112222', occupation: '教师', ageBand: '31-45' })]);
    const id = created.body.householdId as string;
    const replay = await send('post', 'households', 'S-BT1', body).set('Idempotency-Key', 'archive-create-0001');
    expect(replay.status).toBe(201);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect((await send('post', 'households', 'S-FD1', body)).status).toBe(409);

    await send('patch', `households/${id}`, 'S-FD1', { membersCount: 4, pets: ['猫', '狗'] }).expect(200);
    const contactId = created.body.contacts[0].id as number;
    await send('patch', `households/${id}/contacts/${contactId}`, 'S-BT1', { phone: '13633334444', occupation: '退休' }).expect(200);
    const spouse = { name: '欧阳太太', phone: '13655556666', relation: 'spouse', occupation: '医生', ageBand: '31-45' };
    const added = await send('post', `households/${id}/contacts`, 'S-SV1', spouse).set('Idempotency-Key', 'archive-contact-0001');
    expect(added.status).toBe(201);
    const again = await send('post', `households/${id}/contacts`, 'S-SV1', spouse).set('Idempotency-Key', 'archive-contact-0001');
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(await stack.orm.em.fork().count(HouseholdContact, { household: id })).toBe(2);
    expect(added.body.contacts.map((c: { name: string }) => c.name)).toEqual(['欧阳先生', '欧阳太太']);

    const changes = (await get(`households/${id}/changes`, 'S-SV1').expect(200)).body.items as { action: string; actorId: string; at: string; changes: { field: string }[] }[];
    expect(changes.map((c) => [c.action, c.actorId])).toEqual([
      ['household-created', 'S-BT1'],
      ['contact-added', 'S-BT1'],
      ['household-updated', 'S-FD1'],
      ['contact-updated', 'S-BT1'],
      ['contact-added', 'S-SV1'],
    ]);
    expect(changes[2].changes).toEqual([
      { field: 'membersCount', old: 3, new: 4 },
      { field: 'pets', old: ['猫'], new: ['猫', '狗'] },
    ]);
    expect(changes[3].changes).toEqual([{ field: 'phone', personal: true }, { field: 'occupation', old: '教师', new: '退休' }]);
    for (const c of changes) expect(new Date(c.at).getTime()).toBeGreaterThan(0);
    const stored = JSON.stringify(await stack.orm.em.fork().find(HouseholdChange, { householdId: id }));
    for (const personal of ['欧阳', '1361111', '1363333', '1365555', 'ouyang@']) expect(stored).not.toContain(personal);
  });

  it('§0: households are found by room or area without personal data; a butler finds those of their areas, page by page', async () => {
    const byRoom = await get('households?room=1-1-301', 'S-EN1').expect(200);
    expect(byRoom.body.items).toEqual([expect.objectContaining({ householdId: household, areaId: 'A1', buildingId: `${stack.seed.propertyId}-B1` })]);
    expect(Object.keys(byRoom.body.items[0]).sort()).toEqual(['areaId', 'buildingId', 'householdId', 'membersCount', 'moveInDate', 'room']);
    expect((await get('households?room=1-1-301', 'S-BT2').expect(200)).body.items).toEqual([]);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res: request.Response = await get(`households?limit=40${cursor ? `&cursor=${cursor}` : ''}`, 'S-BT2').expect(200);
      seen.push(...res.body.items.map((h: { householdId: string; areaId: string }) => (expect(h.areaId).toBe('A2'), h.householdId)));
      cursor = res.body.nextCursor;
    } while (cursor);
    expect(new Set(seen).size).toBe(104);
  });

  it('§0: bad archive input gets a problem+json naming the fields and changes nothing', async () => {
    const before = await stack.orm.em.fork().count(HouseholdChange, {});
    const bad = await send('post', 'households', 'S-FD1', { buildingId: `${stack.seed.propertyId}-B1`, room: 'penthouse', ageBand: 'old', contacts: [{ name: '', phone: 'x' }] });
    expect(bad.status).toBe(400);
    expect(bad.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(bad.body['invalid-params'].map((p: { name: string }) => p.name).sort()).toEqual(['ageBand', 'contacts.0.name', 'contacts.0.phone', 'room']);
    expect((await send('patch', `households/${household}`, 'S-FD1', {})).status).toBe(400);
    expect((await send('post', 'households', 'S-BT2', { buildingId: `${stack.seed.propertyId}-B1`, room: '1-3-102' })).status).toBe(422);
    expect(await stack.orm.em.fork().count(HouseholdChange, {})).toBe(before);
    expect(await stack.orm.em.fork().count(Household, { room: { $in: ['penthouse', '1-3-102'] } })).toBe(0);
  });

  it("a butler without the right role cannot read a household's phone numbers: another area's butler, hr or audit, an engineer without its work order", async () => {
    const contact = await stack.orm.em.fork().findOneOrFail(HouseholdContact, { household });
    const own = await get(`households/${household}`, 'S-BT1').expect(200);
    expect(own.body.contacts[0]).toMatchObject({ name: contact.name, phone: contact.phone });
    for (const desk of ['S-FD1', 'S-SV1', 'S-MG1', 'S-CC1']) expect((await get(`households/${household}`, desk).expect(200)).body.personalData).toBe('visible');

    const otherButler = await get(`households/${household}`, 'S-BT2');
    expect(otherButler.status).toBe(404);
    expect(JSON.stringify(otherButler.body)).not.toContain(contact.phone);
    expect((await send('patch', `households/${household}`, 'S-BT2', { membersCount: 1 })).status).toBe(404);
    for (const noAccess of ['S-HR1', 'S-AU1']) expect((await get(`households/${household}`, noAccess)).status).toBe(403);

    // An engineer sees the archive but not the residents, until a work order of this household is theirs.
    for (const engineer of ['S-EN1', 'S-EN2']) {
      const masked = await get(`households/${household}`, engineer).expect(200);
      expect(masked.body.personalData).toBe('masked');
      expect(masked.body.contacts[0]).toMatchObject({ name: null, phone: null, email: null });
      expect(JSON.stringify(masked.body)).not.toContain(contact.phone);
    }
    const repairId = await report(stack, { room: '1-1-301', contactName: contact.name, contactPhone: contact.phone });
    const assigned = await assigneeOf(stack, repairId);
    const other = assigned === 'S-EN1' ? 'S-EN2' : 'S-EN1';
    expect((await get(`households/${household}`, assigned).expect(200)).body.contacts[0]).toMatchObject({ phone: contact.phone });
    expect((await get(`households/${household}`, other).expect(200)).body.contacts[0].phone).toBeNull();
  });

  it("§0: the household page lists its complaints and major repairs from the read model, not its ordinary repairs", async () => {
    const room = '1-1-302';
    const id = `${stack.seed.propertyId}-${room}`;
    const complaintId = await complain(stack, { room, description: '楼上噪音' });
    const major = await report(stack, { room, classification: 'major', appointmentAt: new Date(Date.now() + 3 * 86_400_000).toISOString() });
    const general = await report(stack, { room, classification: 'general' });
    for (const caseId of [major, general]) await caseRow(stack, caseId, () => true, 'recorded');
    const page = await get(`households/${id}`, 'S-FD1').expect(200);
    expect(page.body.history.map((h: { caseId: string }) => h.caseId).sort()).toEqual([complaintId, major].sort());
    expect(page.body.history.find((h: { caseId: string }) => h.caseId === major)).toMatchObject({ kind: 'repair', severity: 'major' });
    expect(page.body.history.map((h: { caseId: string }) => h.caseId)).not.toContain(general);
    // Engineers do not read complaints: their view of the page lists the major repair only.
    expect((await get(`households/${id}`, 'S-EN1').expect(200)).body.history.map((h: { caseId: string }) => h.caseId)).toEqual([major]);
  });

  it('§0: the yearly summary of the archive (occupation and age distribution, pets, service needs) as JSON and CSV, with no personal data', async () => {
    const year = new Date().getUTCFullYear();
    const households = await stack.orm.em.fork().find(Household, { propertyId: stack.seed.propertyId });
    const summary = (await get(`properties/archive-summary?year=${year}`, 'S-MG1').expect(200)).body;
    expect(summary.households).toBe(households.length);
    expect(summary.members).toBe(households.reduce((n, h) => n + (h.membersCount ?? 0), 0));
    expect(summary.householdsWithPets).toBe(households.filter((h) => h.pets.length).length);
    expect(summary.householdsWithServiceNeeds).toBe(households.filter((h) => h.serviceNeeds).length);
    expect(summary.occupations['教师']).toBeGreaterThan(0);
    expect(Object.values(summary.ageBands as Record<string, number>).reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(households.length);
    expect(summary.changesThisYear).toBeGreaterThanOrEqual(5);

    const csv = await get(`properties/archive-summary.csv?year=${year}`, 'S-SV1').expect(200);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    const lines = csv.text.replace(/^\ufeff/, '').trim().split('\r\n');
    expect(lines[0]).toBe('section,key,count');
    expect(lines).toContain(`total,households,${households.length}`);
    expect(lines).toContain(`occupations,教师,${summary.occupations['教师']}`);
    const contacts = await stack.orm.em.fork().find(HouseholdContact, {});
    expect(contacts.some((c) => csv.text.includes(c.phone) || JSON.stringify(summary).includes(c.phone))).toBe(false);

    // A butler's summary covers the areas they own.
    const east = (await get(`properties/archive-summary?year=${year}`, 'S-BT1').expect(200)).body;
    const west = (await get(`properties/archive-summary?year=${year}`, 'S-BT2').expect(200)).body;
    expect(east.households + west.households).toBe(households.length);
    expect((await get('properties/archive-summary?year=1999', 'S-MG1')).status).toBe(400);
    expect((await get('properties/archive-summary', 'S-EN1')).status).toBe(403);
  });
});
