/**
 * Bad imports on the real stack: wrong columns, duplicates, unknown areas and units, bad phones,
 * formulas in cells, a role the importer may not grant, 10 MB of junk, a workbook that unpacks to
 * far more than it weighs. Each gets a report (row by row where there are rows) and writes
 * nothing; a dry run overtaken by a change to the archive is not confirmed.
 */
import { randomBytes } from 'node:crypto';
import ExcelJS from 'exceljs';
import request from 'supertest';
import { as } from '../helpers/repairs';
import { csv, households, HOUSEHOLD_HEADERS, STAFF_HEADERS, xlsx, zipOfZeros } from '../helpers/import-files';
import { startTestStack, type TestStack } from '../helpers/stack';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
  // A building with registered units, beside the demo's (which has none).
  await request(stack.app).post('/api/v1/buildings').set(as(stack, 'S-MG1')).send({ id: 'P001-B7', areaId: 'A2', name: '7号楼', units: [{ code: '1' }, { code: '2' }] }).expect(201);
});
afterAll(async () => stack?.close());

const CSV = 'text/csv';
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const upload = (kind: 'households' | 'staff', file: Buffer, type = CSV, staffId = 'S-MG1') =>
  request(stack.app).post(`/api/v1/imports/${kind}`).set(as(stack, staffId)).set('Content-Type', type).send(file);

/** What an import could have written, counted. */
async function written(): Promise<Record<string, number>> {
  const [row] = await stack.orm.em.getConnection().execute<Record<string, string>[]>(
    `select (select count(*) from household) as households, (select count(*) from household_contact) as contacts, (select count(*) from household_change) as changes,
            (select count(*) from staff) as staff, (select count(*) from admin_audit_event where action like 'import.%') as imports,
            (select count(*) from import_batch where status = 'confirmed') as confirmed`,
  );
  return Object.fromEntries(Object.entries(row).map(([k, v]) => [k, Number(v)]));
}

const good = (n: number, offset = 0) =>
  households(n + offset, { area: 'A2', building: 'P001-B7', buildingNo: '7', units: 2, phonePrefix: '1370000' }).slice(offset);

describe('imports that must write nothing', () => {
  it('wrong columns: the file is refused as a whole, naming each column', async () => {
    const before = await written();
    const res = await upload('households', csv(['房号', 'area', 'building', 'colour', 'area'], [['7-1-101', 'A2', 'P001-B7', 'red', 'A2']])).expect(422);
    expect(res.headers['content-type']).toMatch(/problem\+json/);
    expect(res.body.report.fileProblems).toEqual([
      { column: 'colour', reason: expect.stringMatching(/^unknown column; the columns are room, area, building/) },
      { column: 'area', reason: 'the column appears more than once' },
    ]);
    const missing = await upload('staff', csv(['id', 'name'], [['S-XX1', '某人']])).expect(422);
    expect(missing.body.report.fileProblems).toEqual([
      { column: 'email', reason: 'required column missing' },
      { column: 'roles', reason: 'required column missing' },
    ]);
    expect(await written()).toEqual(before);
  });

  it('duplicates, unknown areas, buildings and units, bad phones and formulas: refused row by row, and the file cannot be confirmed', async () => {
    const before = await written();
    const rows = good(3);
    const bad = [
      ...rows,
      [...rows[1]], // the same room again
      ['7-3-101', 'A2', 'P001-B7', '', '', '', '', '', '', '周先生', '13700000099', '', ''], // building 7 has no unit 3
      ['7-1-901', 'A9', 'P001-B7', '', '', '', '', '', '', '', '', '', ''], // no area A9
      ['7-1-902', 'A1', 'P001-B7', '', '', '', '', '', '', '', '', '', ''], // building 7 is in A2
      ['7-1-903', 'A2', 'P001-B7', '', '', '', '', '', '', '吴女士', 'call me', '', ''], // not a phone
      ['7-1-904', 'A2', 'P001-B7', '', '', { formula: 'HYPERLINK("http://x.example","click")' }, '', '', '', '', '', '', ''],
      ['7-1-905', 'A2', 'P001-B7', '', '', '', '', '', '', '@SUM(1+1)', '+8613700000095', '', ''], // the phone's + is fine, the name is not
      ['7-1-906', 'A2', 'P001-B7', '2026-13-45', '-3', '', '', '', '', '', '', '', ''],
    ];
    const res = await upload('households', csv(HOUSEHOLD_HEADERS, bad)).expect(200);
    expect(res.body.importId).toBeNull();
    expect(res.body.report.confirmable).toBe(false);
    expect(res.body.report.counts).toEqual({ create: 3, update: 0, unchanged: 0, refused: 8 });
    const refused = (res.body.report.rows as { line: number; action: string; reasons: string[] }[]).filter((r) => r.action === 'refused').map((r) => [r.line, r.reasons]);
    expect(refused).toEqual([
      [5, ['duplicate room: also on line 3']],
      [6, ['building P001-B7 has no unit 3 (its units: 1, 2)']],
      [7, ['unknown area A9']],
      [8, ['building P001-B7 is in area A2, not A1']],
      [9, [expect.stringMatching(/^contactPhone: must be a phone number/)]],
      [10, [expect.stringMatching(/^occupation: starts with "=", which a spreadsheet runs as a formula/)]],
      [11, [expect.stringMatching(/^contactName: starts with "@"/)]],
      [12, [expect.stringMatching(/^membersCount: starts with "-"/)]],
    ]);
    // The same rows as a workbook: a formula cell is refused whatever its cached value.
    const book = await upload('households', await xlsx(HOUSEHOLD_HEADERS, bad), XLSX).expect(200);
    expect(book.body.report.counts).toEqual({ create: 3, update: 0, unchanged: 0, refused: 8 });
    expect(book.body.report.rows.find((r: { line: number }) => r.line === 10).reasons).toEqual([expect.stringMatching(/^occupation: a formula \(=HYPERLINK/)]);
    const dates = await upload('households', csv(HOUSEHOLD_HEADERS, [['7-1-907', 'A2', 'P001-B7', '2026-13-45', 'three', '', '', '', '', '', '', '', '']])).expect(200);
    expect(dates.body.report.rows[0].reasons).toEqual([expect.stringMatching(/^moveInDate: /), expect.stringMatching(/^membersCount: /)]);
    expect(await written()).toEqual(before);
  });

  it('staff: a role the importer may not grant (hr, audit), an unknown role or area, a staff number of another row: refused', async () => {
    const before = await written();
    const res = await upload(
      'staff',
      csv(STAFF_HEADERS, [
        ['S-EN7', '维修 钱七', 'en7@example.com', 'engineer', 'A1;A2'],
        ['S-HR7', '人力 孔八', 'hr7@example.com', 'hr', ''],
        ['S-BT7', '管家 何九', 'bt7@example.com', 'butler、janitor', 'A1'],
        ['S-BT8', '管家 何十', 'bt8@example.com', 'butler', 'A5'],
        ['S-EN7', '维修 钱七', 'en7@example.com', 'engineer', 'A1'],
        ['S-HR1', '人力 郑洁', 's-hr1@demo.wuye.local', 'hr;manager', ''],
      ]),
    ).expect(200);
    expect(res.body.report.rows.map((r: { staffId: string; action: string; reasons: string[] }) => [r.staffId, r.action, r.reasons])).toEqual([
      ['S-EN7', 'create', []],
      ['S-HR7', 'refused', ['roles: hr may be granted or taken away only by a holder of that role or from the command line']],
      ['S-BT7', 'refused', [expect.stringMatching(/^roles: unknown janitor/)]],
      ['S-BT8', 'refused', ['unknown area A5']],
      ['S-EN7', 'refused', ['duplicate staff number: also on line 2']],
      ['S-HR1', 'update', []],
    ]);
    expect(res.body.importId).toBeNull();
    // hr grants hr — but only a manager imports.
    await upload('staff', csv(STAFF_HEADERS, [['S-HR7', '人力 孔八', 'hr7@example.com', 'hr', '']]), CSV, 'S-HR1').expect(403);
    // Through POST /staff, the same rule.
    await request(stack.app).post('/api/v1/staff').set(as(stack, 'S-MG1')).send({ id: 'S-AU7', name: '审计 新', email: 'au7@example.com', roles: ['audit'] }).expect(403);
    expect(await written()).toEqual(before);
  });

  it('10 MB of junk, a CSV that is not text, a zip that is no workbook and a workbook that unpacks to far more than it weighs: refused unread', async () => {
    const before = await written();
    const junk = randomBytes(10 * 1024 * 1024);
    const asCsv = await upload('households', junk).expect(422);
    // Random bytes are mostly unreadable as CSV; when they happen to parse, their header is no header of ours.
    expect(asCsv.body.report.fileProblems[0].reason).toMatch(/^(not a CSV file this import can read|unknown column)/);
    expect(asCsv.body.report.rows).toEqual([]);
    await upload('households', junk, XLSX).expect(422);
    const zipped = Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), randomBytes(1000)]);
    expect((await upload('households', zipped, XLSX).expect(422)).body.report.fileProblems).toEqual([{ reason: expect.stringMatching(/^not an XLSX file/) }]);
    // 13 MB: over the limit of an upload.
    const tooBig = await upload('households', Buffer.alloc(13 * 1024 * 1024, 0x41)).expect(413);
    expect(tooBig.headers['content-type']).toMatch(/problem\+json/);
    // A workbook entry of a quarter of a gigabyte of zeros packs into a few hundred kilobytes.
    const bomb = zipOfZeros('xl/worksheets/sheet1.xml', 256 * 1024 * 1024);
    expect(bomb.length).toBeLessThan(1024 * 1024);
    const refused = await upload('households', bomb, XLSX).expect(422);
    expect(refused.body.report.fileProblems).toEqual([{ reason: 'the workbook unpacks to 256 MiB: at most 200 MiB' }]);
    // A workbook whose cells are each 30,000 characters (one shared string, so a small file): refused row by row, without echoing them.
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('x');
    sheet.addRow(HOUSEHOLD_HEADERS);
    const filler = 'A'.repeat(30_000);
    for (let i = 0; i < 2000; i++) sheet.addRow([`7-1-${i}`, filler]);
    const long = await upload('households', Buffer.from(await workbook.xlsx.writeBuffer()), XLSX).expect(200);
    expect(long.body.report.counts).toEqual({ create: 0, update: 0, unchanged: 0, refused: 2000 });
    expect(long.body.report.rows[0].reasons).toEqual(['area: longer than 2000 characters']);
    expect(JSON.stringify(long.body).length).toBeLessThan(1024 * 1024);
    // Not a file at all.
    await request(stack.app).post('/api/v1/imports/households').set(as(stack, 'S-MG1')).send({ rows: [] }).expect(415);
    expect(await written()).toEqual(before);
  });

  it('a dry run overtaken by a change to the archive is not confirmed; the new plan is answered and nothing written', async () => {
    const rows = good(4, 10);
    const dry = await upload('households', csv(HOUSEHOLD_HEADERS, rows)).expect(200);
    expect(dry.body.report.counts).toMatchObject({ create: 4, refused: 0 });
    // Meanwhile the front desk archives one of those rooms by hand.
    await request(stack.app)
      .post('/api/v1/households')
      .set(as(stack, 'S-FD1'))
      .send({ buildingId: 'P001-B7', room: String(rows[2][0]), contacts: [{ name: '郑先生', phone: '13712345678' }] })
      .expect(201);
    const before = await written();
    const confirm = await request(stack.app).post(`/api/v1/imports/${dry.body.importId}/confirm`).set(as(stack, 'S-MG1')).expect(409);
    expect(confirm.body.report.counts).toMatchObject({ create: 3, update: 1 });
    expect(await written()).toEqual(before);
    // Confirmed as it now stands: three created, one updated, audited; another's dry run is not theirs to see.
    const redo = await upload('households', csv(HOUSEHOLD_HEADERS, rows)).expect(200);
    await request(stack.app).get(`/api/v1/imports/${redo.body.importId}`).set(as(stack, 'S-SV1')).expect(403);
    const done = await request(stack.app).post(`/api/v1/imports/${redo.body.importId}/confirm`).set(as(stack, 'S-MG1')).expect(200);
    expect(done.body.report.counts).toEqual({ create: 3, update: 1, unchanged: 0, refused: 0 });
    const after = await written();
    expect(after).toMatchObject({ households: before.households + 3, contacts: before.contacts + 4, imports: before.imports + 1, confirmed: before.confirmed + 1 });
    const stored = await request(stack.app).get(`/api/v1/imports/${redo.body.importId}`).set(as(stack, 'S-MG1')).expect(200);
    expect(stored.body).toMatchObject({ status: 'confirmed', kind: 'households' });
    const [{ content }] = await stack.orm.em.getConnection().execute<{ content: unknown }[]>('select content from import_batch where id = ?', [redo.body.importId]);
    expect(content).toEqual({});
    const updated = (await request(stack.app).get(`/api/v1/households/P001-${String(rows[2][0])}/changes`).set(as(stack, 'S-SV1')).expect(200)).body.items;
    expect(updated.map((c: { action: string; actorId: string }) => [c.action, c.actorId])).toEqual([
      ['household-created', 'S-FD1'],
      ['contact-added', 'S-FD1'],
      ['household-updated', 'S-MG1'],
      ['contact-added', 'S-MG1'],
    ]);
  });
});
