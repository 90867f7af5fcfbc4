/**
 * Places and people in bulk: a manager uploads households (with contacts and archive fields) or staff
 * (with roles and areas) as CSV or XLSX. The upload is a dry run: a report, row by row, of what would
 * be created, changed, left unchanged or refused and why, and nothing written. A dry run without a
 * refused row can be confirmed within a day: it is planned again against the property as it is
 * then and, if the plan is the one reported, written in one transaction and audited.
 */
import { ACCESS } from '../../domain/access';
import { createHash } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import { confirmImport, householdContext, loadImport, saveDryRun, staffContext, writeHouseholds, writeStaff, type StoredImport } from '../../db/imports';
import { importReport, mapColumns, planHouseholds, planStaff, IMPORT_COLUMNS, MAX_IMPORT_ROWS, type ImportKind, type ImportReport, type Table } from '../../domain/imports';
import type { Role } from '../../domain/people';
import { actorFor } from '../auth';
import { operation, type Operation } from '../contract';
import { IMPORT_BODY_LIMIT, IMPORT_MEDIA_TYPES, readImportFile } from '../import-files';
import { HttpProblem } from '../problem';
import type { RouteDeps } from './repairs';


const change = z.object({ field: z.string(), old: z.unknown().optional(), new: z.unknown().optional(), personal: z.boolean().optional() });
const reportSchema = z.object({
  kind: z.enum(['households', 'staff']),
  fileProblems: z.array(z.object({ column: z.string().optional(), reason: z.string() })),
  counts: z.object({ create: z.number(), update: z.number(), unchanged: z.number(), refused: z.number() }),
  rows: z.array(
    z.object({
      line: z.number().describe('the row in the file; the header is line 1'),
      room: z.string().nullable().optional(),
      staffId: z.string().nullable().optional(),
      action: z.enum(['create', 'update', 'unchanged', 'refused']),
      reasons: z.array(z.string()),
      changes: z.array(change).describe('fields it sets; names, phones and e-mail addresses only as "personal"'),
    }),
  ),
  confirmable: z.boolean(),
});
const dryRunSchema = z.object({
  importId: z.string().nullable().describe('present when the dry run can be confirmed'),
  expiresAt: z.string().nullable(),
  format: z.enum(['csv', 'xlsx']),
  report: reportSchema,
});
const storedSchema = z.object({ importId: z.string(), kind: z.string(), status: z.enum(['dry-run', 'confirmed']), format: z.string(), expiresAt: z.string(), report: reportSchema });
const importParams = z.object({ importId: z.string().regex(/^imp-[0-9a-f-]{36}$/, 'an import id from a dry run') }).strict();

const columnsText = (kind: ImportKind) =>
  IMPORT_COLUMNS[kind].map((c) => `${c.names[0]}${c.names[1] ? ` (${c.names.slice(1).join(', ')})` : ''}${c.required ? ' — required' : ''}`).join('; ');

/** A plan of `table` against the property now: the report, and what a confirmation writes. */
async function plan(em: EntityManager, kind: ImportKind, table: Table, propertyId: string, roles: readonly Role[]) {
  const mapped = mapColumns(kind, table.headers);
  if ('problems' in mapped) return { report: importReport(kind, mapped.problems, []), writes: [] as never[] };
  if (kind === 'households') {
    const { rows, writes } = planHouseholds(table, mapped.fields, await householdContext(em, propertyId));
    return { report: importReport(kind, [], rows), writes };
  }
  const { rows, writes } = planStaff(table, mapped.fields, await staffContext(em, propertyId, roles));
  return { report: importReport(kind, [], rows), writes };
}

function unreadable(report: ImportReport): HttpProblem {
  return new HttpProblem(422, 'Unreadable import', `${report.fileProblems.map((p) => `${p.column ? `${p.column}: ` : ''}${p.reason}`).join('; ')}; nothing was written`, { report });
}

export function importOperations({ orm }: RouteDeps): Operation[] {
  const upload = (kind: ImportKind, summary: string, description: string) =>
    operation({
      method: 'post',
      path: `/imports/${kind}`,
      operationId: kind === 'households' ? 'importHouseholds' : 'importStaff',
      summary,
      description: `${description} Columns (the header row; English or Chinese names): ${columnsText(kind)}. At most ${MAX_IMPORT_ROWS} rows. Cells starting with =, +, -, @ are refused (a spreadsheet would run them as formulas), as are XLSX formula cells. Writes nothing: confirm with POST /imports/{importId}/confirm within a day.`,
      tags: ['imports'],
      roles: ACCESS.imports.run,
      upload: { mediaTypes: IMPORT_MEDIA_TYPES, limit: IMPORT_BODY_LIMIT, description: 'the file itself: text/csv (UTF-8 or GB18030) or an .xlsx workbook (its first sheet)' },
      responses: {
        200: { description: 'The dry run: row by row what a confirmation would do; importId when nothing is refused', schema: dryRunSchema },
        422: { description: 'A file that cannot be read as a table of these columns (the report lists why); nothing written' },
      },
      handler: async ({ file, staff }) => {
        const read = await readImportFile(file!.buffer);
        if ('problems' in read) throw unreadable(importReport(kind, read.problems, []));
        const em = orm.em.fork();
        const { report } = await plan(em, kind, read.table, staff.propertyId, staff.roles);
        if (report.fileProblems.length) throw unreadable(report);
        const saved = report.confirmable
          ? await saveDryRun(em, { propertyId: staff.propertyId, kind, format: read.format, fileSha256: createHash('sha256').update(file!.buffer).digest('hex'), table: read.table, report, createdBy: staff.id })
          : undefined;
        return {
          status: 200,
          body: { importId: saved?.id ?? null, expiresAt: saved?.expiresAt ?? null, format: read.format, report },
          ...(saved ? { headers: { Location: `/api/v1/imports/${saved.id}` } } : {}),
        };
      },
    });

  return [
    upload(
      'households',
      'Dry run of a household import (客户档案): each row created, changed, unchanged or refused, and why',
      'A row is a household (room, area, building, archive fields) with up to two contacts. An existing room gets the fields its row gives (empty cells change nothing) and contacts it does not know by phone; refused: an unknown area or building, a building in another area, a unit the building does not have, a room twice, a bad phone or e-mail.',
    ),
    upload(
      'staff',
      'Dry run of a staff import: each row created, changed, unchanged or refused, and why',
      'A row is a staff member (staff number, name, e-mail, roles and areas, lists separated by ; or 、). New staff get no API key: issue one each. Refused: an unknown role or area, a staff number twice or of another property, and hr or audit granted or taken away by someone who does not hold that role (those come from the command line).',
    ),

    operation({
      method: 'get',
      path: '/imports/:importId',
      operationId: 'getImport',
      summary: "An import's report and whether it is still a dry run or confirmed",
      tags: ['imports'],
      roles: ACCESS.imports.run,
      params: importParams,
      responses: { 200: { description: 'The import', schema: storedSchema }, 404: { description: 'No such import in this property' } },
      handler: async ({ params, staff }) => {
        const batch = await loadImport(orm.em.fork(), staff.propertyId, params.importId);
        if (!batch) throw new HttpProblem(404, 'Not found', `no import ${params.importId}`);
        return { status: 200, body: { importId: batch.id, kind: batch.kind, status: batch.status, format: batch.format, expiresAt: batch.expiresAt, report: batch.report } };
      },
    }),

    operation({
      method: 'post',
      path: '/imports/:importId/confirm',
      operationId: 'confirmImport',
      summary: 'Write a dry run: every row or none, in one transaction, audited',
      description: 'Planned again against the property as it is now; when that is not what the dry run reported (the archive or staff changed meanwhile), nothing is written and the new report is answered (409).',
      tags: ['imports'],
      roles: ACCESS.imports.run,
      params: importParams,
      responses: {
        200: { description: 'Written', schema: z.object({ importId: z.string(), status: z.literal('confirmed'), report: reportSchema }) },
        404: { description: 'No such import in this property' },
        409: { description: 'Confirmed already, expired, or the plan changed since the dry run (the new report attached)' },
      },
      handler: async ({ params, staff }) => {
        const actor = actorFor(staff, ACCESS.imports.run);
        const result = await confirmImport(
          orm.em.fork(),
          staff.propertyId,
          params.importId,
          actor,
          (tx, batch: StoredImport) => plan(tx, batch.kind, batch.table, staff.propertyId, staff.roles),
          (tx, batch, writes: { line: number; action: string }[], now) =>
            batch.kind === 'households' ? writeHouseholds(tx, batch, writes as never, actor, now) : writeStaff(tx, batch, writes as never, now),
        );
        if ('notFound' in result) throw new HttpProblem(404, 'Not found', `no import ${params.importId}`);
        if ('spent' in result) throw new HttpProblem(409, 'Conflict', result.spent);
        if ('changed' in result) {
          throw new HttpProblem(409, 'Import changed', 'the property changed since the dry run: this is what the file would do now; nothing was written — upload it again to confirm this plan', { report: result.changed });
        }
        return { status: 200, body: { importId: params.importId, status: 'confirmed', report: result.written } };
      },
    }),
  ];
}
