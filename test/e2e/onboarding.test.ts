/**
 * The first day of a real customer, from an empty database, through the bootstrap command and the
 * API only: the first property and manager, places, staff and households imported from CSV and
 * XLSX (dry run, then confirmed), a policy change, and a repair in a new area whose deadline shows
 * the changed duration. A second bootstrap is refused.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import request from 'supertest';
import { MINUTE } from '../../domain/policy';
import { reconciliationScheduleId } from '../../domain/reconciliation';
import { csv, households, HOUSEHOLD_HEADERS, STAFF_HEADERS, xlsx } from '../helpers/import-files';
import { TEST_PAYLOAD_KEYS } from '../helpers/payload-keys';
import { eventually, startTestStack, type TestStack } from '../helpers/stack';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack({ seed: false });
});
afterAll(async () => stack?.close());

const bootstrap = (...args: string[]) =>
  promisify(execFile)(join(__dirname, '../../node_modules/.bin/tsx'), [join(__dirname, '../../scripts/bootstrap.ts'), ...args], {
    env: {
      ...process.env,
      DATABASE_URL: stack.config.DATABASE_URL,
      TEMPORAL_ADDRESS: stack.config.TEMPORAL_ADDRESS,
      TEMPORAL_NAMESPACE: stack.config.TEMPORAL_NAMESPACE,
      TEMPORAL_TASK_QUEUE: stack.config.TEMPORAL_TASK_QUEUE,
      // The deployment's environment, payload keys included: the schedules' arguments are sealed.
      ...TEST_PAYLOAD_KEYS,
    },
  });

const FIRST_DAY = ['--name', '翠湖花园 Jade Lake', '--time-zone', 'Asia/Shanghai', '--occupied-since', '2025-09-01', '--group-email', 'complaints@group.example', '--manager-id', 'S-MG1', '--manager-name', '经理 林涛', '--manager-email', 'lin.tao@example.com'];

const keys: Record<string, string> = {};
const api = (staffId: string) => ({ Authorization: `Bearer ${keys[staffId]}` });
const upload = (path: string, staffId: string, file: Buffer, type: 'csv' | 'xlsx') =>
  request(stack.app)
    .post(`/api/v1/${path}`)
    .set(api(staffId))
    .set('Content-Type', type === 'csv' ? 'text/csv; charset=utf-8' : 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
    .send(file);

/** A dry run that is all creations, then its confirmation. */
async function importConfirmed(path: string, file: Buffer, type: 'csv' | 'xlsx', rows: number) {
  const dry = await upload(path, 'S-MG1', file, type).expect(200);
  expect(dry.body.report).toMatchObject({ fileProblems: [], counts: { create: rows, update: 0, unchanged: 0, refused: 0 }, confirmable: true });
  expect(dry.body.importId).toMatch(/^imp-/);
  const confirmed = await request(stack.app).post(`/api/v1/imports/${dry.body.importId}/confirm`).set(api('S-MG1')).expect(200);
  expect(confirmed.body).toMatchObject({ status: 'confirmed', report: { counts: { create: rows } } });
  await request(stack.app).post(`/api/v1/imports/${dry.body.importId}/confirm`).set(api('S-MG1')).expect(409);
  return dry.body.importId as string;
}

describe('onboarding a new property through the API', () => {
  it('from an empty database: bootstrap, places, staff and households imported, a policy change seen in a new repair’s deadline; a second bootstrap is refused', async () => {
    // The first property and its manager; the schedules exist at once, in the property's time zone.
    const first = await bootstrap(...FIRST_DAY);
    expect(first.stdout).toContain('created property P001');
    keys['S-MG1'] = first.stdout.trim().split('\n').at(-1)!;
    expect(keys['S-MG1']).toMatch(/^wy_/);
    const schedule = await stack.client.schedule.getHandle(reconciliationScheduleId('P001', 'morning')).describe();
    expect(schedule.spec.timezone).toBe('Asia/Shanghai');
    const property = await request(stack.app).get('/api/v1/properties/current').set(api('S-MG1')).expect(200);
    expect(property.body).toMatchObject({ id: 'P001', name: '翠湖花园 Jade Lake', timeZone: 'Asia/Shanghai', occupiedSince: '2025-09-01', groupEmail: 'complaints@group.example', policyVersion: 1 });

    // Places: two areas, a building in each with its units.
    await request(stack.app).post('/api/v1/areas').set(api('S-MG1')).send({ id: 'A1', name: '东区' }).expect(201);
    await request(stack.app).post('/api/v1/areas').set(api('S-MG1')).send({ id: 'A2', name: '西区' }).expect(201);
    await request(stack.app).post('/api/v1/areas').set(api('S-MG1')).send({ id: 'A1', name: '又一个' }).expect(409);
    await request(stack.app).post('/api/v1/buildings').set(api('S-MG1')).send({ id: 'P001-B1', areaId: 'A1', name: '1号楼', units: [{ code: '1' }, { code: '2' }] }).expect(201);
    const b2 = await request(stack.app).post('/api/v1/buildings').set(api('S-MG1')).send({ id: 'P001-B2', areaId: 'A2', name: '2号楼', units: [{ code: '1' }] }).expect(201);
    expect(b2.body).toEqual({ id: 'P001-B2', areaId: 'A2', name: '2号楼', units: [{ code: '1', name: '1单元' }], households: 0 });
    await request(stack.app).post('/api/v1/buildings').set(api('S-MG1')).send({ id: 'P001-B9', areaId: 'A9', name: '9号楼' }).expect(422);

    // Staff from CSV: a dry run, then confirmed; keys issued one by one.
    const staffCsv = csv(STAFF_HEADERS, [
      ['S-FD1', '前台 刘敏', 'fd1@example.com', 'frontdesk', ''],
      ['S-BT1', '管家 陈静', 'bt1@example.com', 'butler', 'A1'],
      ['S-BT2', '管家 赵磊', 'bt2@example.com', 'butler', 'A2'],
      ['S-EN1', '维修 王强', 'en1@example.com', 'engineer', 'A1;A2'],
      ['S-SV1', '主管 孙丽', 'sv1@example.com', 'supervisor', ''],
    ]);
    await importConfirmed('imports/staff', staffCsv, 'csv', 5);
    // More staff from a workbook, with the Chinese column names a property's office uses.
    const staffXlsx = await xlsx(['工号', '姓名', '邮箱', '角色', '片区'], [
      ['S-EN2', '维修 李勇', 'en2@example.com', 'engineer', 'A1'],
      ['S-CC1', '客服中心 吴芳', 'cc1@example.com', 'callcenter', ''],
    ]);
    await importConfirmed('imports/staff', staffXlsx, 'xlsx', 2);
    await request(stack.app).patch('/api/v1/areas/A1').set(api('S-MG1')).send({ butlerId: 'S-BT1' }).expect(200);
    await request(stack.app).patch('/api/v1/areas/A2').set(api('S-MG1')).send({ butlerId: 'S-BT2' }).expect(200);
    for (const id of ['S-FD1', 'S-SV1']) keys[id] = (await request(stack.app).post(`/api/v1/staff/${id}/keys`).set(api('S-MG1')).expect(201)).body.apiKey;

    // Households: building 1 from CSV, building 2 from XLSX.
    const east = households(24, { area: 'A1', building: 'P001-B1', buildingNo: '1', units: 2, phonePrefix: '1380000' });
    const west = households(12, { area: 'A2', building: 'P001-B2', buildingNo: '2', units: 1, phonePrefix: '1390000' });
    await importConfirmed('imports/households', csv(HOUSEHOLD_HEADERS, east), 'csv', 24);
    await importConfirmed('imports/households', await xlsx(HOUSEHOLD_HEADERS, west), 'xlsx', 12);
    const places = await request(stack.app).get('/api/v1/places').set(api('S-FD1')).expect(200);
    expect(places.body.areas.map((a: { id: string; butlerId: string; buildings: { households: number }[] }) => [a.id, a.butlerId, a.buildings[0].households])).toEqual([
      ['A1', 'S-BT1', 24],
      ['A2', 'S-BT2', 12],
    ]);
    const found = await request(stack.app).get('/api/v1/households?phone=139-0000-0000').set(api('S-FD1')).expect(200);
    expect(found.body.items).toEqual([expect.objectContaining({ room: '2-1-101', areaId: 'A2', contacts: [expect.objectContaining({ name: '王先生', phone: '13900000000' })] })]);
    // The same file again: every row is unchanged, and nothing is left to confirm.
    const again = await upload('imports/households', 'S-MG1', csv(HOUSEHOLD_HEADERS, east), 'csv').expect(200);
    expect(again.body).toMatchObject({ importId: null, report: { counts: { create: 0, update: 0, unchanged: 24, refused: 0 }, confirmable: false } });

    // The policy: acceptance within 45 minutes instead of 30.
    const changed = await request(stack.app).patch('/api/v1/properties/policy').set(api('S-MG1')).send({ changes: { 'repair.acceptWithin': 'PT45M' }, reason: '新标准', expectedVersion: 1 }).expect(200);
    expect(changed.body).toMatchObject({ version: 2, changes: [{ key: 'repair.acceptWithin', old: null, new: { iso: 'PT45M', words: '45 minutes' } }], note: expect.stringMatching(/^Cases already running keep the policy they started with/) });

    // A repair in the new west area: its engineer has 45 minutes to accept.
    const repair = await request(stack.app)
      .post('/api/v1/repairs')
      .set(api('S-FD1'))
      .send({ room: '2-1-101', contactName: '王先生', contactPhone: '13900000000', channel: 'phone', description: '卫生间水龙头漏水', classification: 'general' })
      .expect(201);
    const accept = await eventually(async () => {
      const res = await request(stack.app).get(`/api/v1/repairs/${repair.body.caseId}`).set(api('S-SV1'));
      return (res.body.deadlines as { name: string; dueAt: string }[] | undefined)?.find((d) => d.name === 'accept');
    }, { what: 'the acceptance deadline' });
    const received = await request(stack.app).get(`/api/v1/repairs/${repair.body.caseId}`).set(api('S-SV1')).expect(200);
    const window = new Date(accept.dueAt).getTime() - new Date(received.body.receivedAt).getTime();
    expect(window).toBeGreaterThanOrEqual(45 * MINUTE);
    expect(window).toBeLessThan(46 * MINUTE);
    // S-EN1 is the only engineer of the west area.
    expect(received.body).toMatchObject({ areaId: 'A2', assigneeId: 'S-EN1' });

    // A second bootstrap changes nothing.
    await expect(bootstrap(...FIRST_DAY, '--property-id', 'P002')).rejects.toMatchObject({ code: 2, stderr: expect.stringContaining('refused: there is already a property (P001)') });
    const [{ count }] = await stack.orm.em.getConnection().execute<{ count: string }[]>('select count(*) as count from property');
    expect(Number(count)).toBe(1);
    const audit = await stack.orm.em.getConnection().execute<{ action: string }[]>('select action from admin_audit_event order by id');
    expect(audit.map((a) => a.action)).toEqual([
      'property.bootstrap',
      'place.area.create',
      'place.area.create',
      'place.building.create',
      'place.building.create',
      'import.staff',
      'import.staff',
      'place.area.update',
      'place.area.update',
      'staff.key.issue',
      'staff.key.issue',
      'import.households',
      'import.households',
      'policy.change',
    ]);
  });
});
