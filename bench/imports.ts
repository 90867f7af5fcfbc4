/**
 * bench:imports — a property's 5,000 households (each with an owner's contact and archive fields)
 * imported through the API: the dry run of the uploaded file, then its confirmation, as CSV and as
 * XLSX. Baseline, in the same run: the same households and contacts inserted by plain SQL, two
 * statements in one transaction — the least any import of those rows costs on this machine.
 * Target: in seconds, at most 10 × the baseline. `BENCH_HOUSEHOLDS` changes the size.
 */
import { performance } from 'node:perf_hooks';
import { fmt, median, report, runBench } from './lib';
import { startBenchStack, type BenchStack } from './stack';
import { csv, households, HOUSEHOLD_HEADERS, xlsx } from '../test/helpers/import-files';

const HOUSEHOLDS = Number(process.env.BENCH_HOUSEHOLDS ?? 5000);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const BUILDING = 'P001-B9';
const TARGET_RATIO = 10;

const CSV = 'text/csv';
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** Everything an import of building 9 wrote, so the next run starts from the same archive. */
async function clear(stack: BenchStack): Promise<void> {
  const db = stack.orm.em.getConnection();
  await db.execute(`delete from household_change where household_id in (select id from household where building_id = ?)`, [BUILDING]);
  await db.execute(`delete from household_contact where household_id in (select id from household where building_id = ?)`, [BUILDING]);
  await db.execute(`delete from household where building_id = ?`, [BUILDING]);
  await db.execute(`delete from import_batch`);
  await db.execute('vacuum analyze household, household_contact, household_change');
}

/** The baseline: the rows of the file straight into the two tables. */
async function rawInsert(stack: BenchStack, rows: ReturnType<typeof households>): Promise<number> {
  const started = performance.now();
  await stack.orm.em.fork().transactional(async (tx) => {
    const list = rows.map((r) => ({ id: `P001-${r[0]}`, room: r[0], unit: String(r[0]).split('-')[1], move_in_date: r[3], members_count: r[4], occupation: r[5], age_band: r[6] }));
    await tx.execute(
      `insert into household (id, property_id, building_id, room, unit, move_in_date, members_count, occupation, age_band, hobbies, skills, pets, festivals, updated_at)
       select x.id, 'P001', ?, x.room, x.unit, x.move_in_date, x.members_count, x.occupation, x.age_band, '[]', '[]', '[]', '[]', now()
         from jsonb_to_recordset(?::jsonb) as x(id text, room text, unit text, move_in_date date, members_count int, occupation text, age_band text)`,
      [BUILDING, JSON.stringify(list)],
    );
    await tx.execute(
      `insert into household_contact (household_id, name, phone, email, relation, "primary")
       select x.household_id, x.name, x.phone, x.email, 'owner', true from jsonb_to_recordset(?::jsonb) as x(household_id text, name text, phone text, email text)`,
      [JSON.stringify(rows.map((r) => ({ household_id: `P001-${r[0]}`, name: r[9], phone: r[10], email: r[11] })))],
    );
  });
  return performance.now() - started;
}

async function call(stack: BenchStack, path: string, init: { body?: Buffer; type?: string }): Promise<{ status: number; json: Record<string, unknown>; bytes: number }> {
  const res = await fetch(`${stack.api.url}/api/v1${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${stack.keyOf('S-MG1')}`, ...(init.type ? { 'content-type': init.type } : {}) },
    body: init.body,
  });
  const text = await res.text();
  return { status: res.status, json: JSON.parse(text) as Record<string, unknown>, bytes: text.length };
}

/** Dry run and confirmation of one file: each step's milliseconds. */
async function importFile(stack: BenchStack, file: Buffer, type: string): Promise<{ dryRun: number; confirm: number; reportBytes: number }> {
  const t0 = performance.now();
  const dry = await call(stack, '/imports/households', { body: file, type });
  const t1 = performance.now();
  if (dry.status !== 200 || !dry.json.importId) throw new Error(`dry run answered ${dry.status}: ${JSON.stringify(dry.json).slice(0, 500)}`);
  const confirmed = await call(stack, `/imports/${String(dry.json.importId)}/confirm`, {});
  const t2 = performance.now();
  if (confirmed.status !== 200) throw new Error(`confirm answered ${confirmed.status}: ${JSON.stringify(confirmed.json).slice(0, 500)}`);
  return { dryRun: t1 - t0, confirm: t2 - t1, reportBytes: dry.bytes };
}

async function main(): Promise<void> {
  const stack = await startBenchStack();
  try {
    const db = stack.orm.em.getConnection();
    await db.execute(`insert into building (id, area_id, name) values (?, 'A1', '9号楼')`, [BUILDING]);
    await db.execute(`insert into unit (building_id, code, name) select ?, g::text, g || '单元' from generate_series(1, 10) g`, [BUILDING]);
    const rows = households(HOUSEHOLDS, { area: 'A1', building: BUILDING, buildingNo: '9', units: 10, phonePrefix: '1350000' });
    const files = { csv: csv(HOUSEHOLD_HEADERS, rows), xlsx: await xlsx(HOUSEHOLD_HEADERS, rows) };

    const baseline: number[] = [];
    const measured: Record<'csv' | 'xlsx', { dryRun: number; confirm: number; reportBytes: number }[]> = { csv: [], xlsx: [] };
    for (let run = 0; run < RUNS; run++) {
      await clear(stack);
      baseline.push(await rawInsert(stack, rows));
      for (const format of ['csv', 'xlsx'] as const) {
        await clear(stack);
        measured[format].push(await importFile(stack, files[format], format === 'csv' ? CSV : XLSX));
      }
    }
    const base = median(baseline);
    const [{ n }] = await db.execute<{ n: string }[]>(`select count(*) as n from household where building_id = ?`, [BUILDING]);
    if (Number(n) !== HOUSEHOLDS) throw new Error(`expected ${HOUSEHOLDS} households after the import, found ${n}`);
    const figures = (['csv', 'xlsx'] as const).map((format) => {
      const total = median(measured[format].map((m) => m.dryRun + m.confirm));
      const dry = median(measured[format].map((m) => m.dryRun));
      const confirm = median(measured[format].map((m) => m.confirm));
      const ratio = total / base;
      return {
        name: `${HOUSEHOLDS} households imported from ${format.toUpperCase()} (${Math.round(files[format].length / 1024)} KiB): dry run + confirmation`,
        baseline: `plain SQL insert of the same households and contacts ${fmt(base)} ms`,
        measured: `${fmt(total / 1000, 2)} s (dry run ${fmt(dry)} ms with a ${Math.round(measured[format][0].reportBytes / 1024)} KiB report, confirmation ${fmt(confirm)} ms, audit included)`,
        ratio,
        target: `≤ ${TARGET_RATIO}`,
        met: ratio <= TARGET_RATIO,
      };
    });
    report('imports', { ...stack.facts, runs: String(RUNS) }, figures);
  } finally {
    await stack.close();
  }
}

runBench(main);
