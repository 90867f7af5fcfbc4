/**
 * The read model against the workflows: for every case row, asks its workflow's `caseView` and
 * compares what both say about status, assignee, escalation and the next deadline. Temporal is
 * the source of truth (docs/architecture.md §1); a difference means an activity's write was lost or applied
 * out of order. Used by the fault tests after an outage, and by hand:
 *
 *   DATABASE_URL=… TEMPORAL_ADDRESS=… npx tsx scripts/consistency.ts
 *
 * Run it on a quiet system: a case mid-action may show its new state in the workflow a moment
 * before its activity writes the row.
 */
import { Client, Connection, WorkflowNotFoundError } from '@temporalio/client';
import { loadConfig } from '../config';
import { sealedDataConverter } from '../payload-codec';
import { Case } from '../db/entities';
import { openOrm, type Orm } from '../db/orm';
import { caseViewQuery, type CaseView } from '../workflows/messages';

export interface Mismatch {
  caseId: string;
  field: string;
  readModel: unknown;
  workflow: unknown;
}

export interface ConsistencyReport {
  cases: number;
  mismatches: Mismatch[];
  /** Rows whose workflow the server no longer has (past the namespace's retention): not comparable. */
  unknownToTemporal: string[];
}

/** The fields the read model copies from the workflow, as both sides express them. */
function compared(view: CaseView): Record<string, unknown> {
  const next = view.deadlines.filter((d) => d.state === 'pending').sort((a, b) => a.dueAt.localeCompare(b.dueAt))[0];
  return {
    status: view.status,
    assigneeId: view.assigneeId ?? null,
    escalated: view.escalated,
    dueAt: next?.dueAt ?? null,
    closed: view.closedAt !== undefined,
  };
}

export async function checkConsistency(orm: Orm, client: Client, options: { propertyId?: string } = {}): Promise<ConsistencyReport> {
  const rows = await orm.em.fork().find(Case, options.propertyId ? { propertyId: options.propertyId } : {}, { orderBy: { id: 'asc' } });
  const mismatches: Mismatch[] = [];
  const unknownToTemporal: string[] = [];
  for (const row of rows) {
    let view: CaseView;
    try {
      view = await client.workflow.getHandle(row.workflowId).query(caseViewQuery);
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) {
        unknownToTemporal.push(row.id);
        continue;
      }
      throw error;
    }
    const stored: Record<string, unknown> = {
      status: row.status,
      assigneeId: row.assigneeId ?? null,
      escalated: row.escalated,
      dueAt: row.dueAt ? row.dueAt.toISOString() : null,
      closed: row.closedAt !== null && row.closedAt !== undefined,
    };
    for (const [field, value] of Object.entries(compared(view))) {
      if (stored[field] !== value) mismatches.push({ caseId: row.id, field, readModel: stored[field], workflow: value });
    }
  }
  return { cases: rows.length, mismatches, unknownToTemporal };
}

async function main(): Promise<void> {
  const config = loadConfig();
  if (!config.DATABASE_URL || !config.TEMPORAL_ADDRESS) throw new Error('set DATABASE_URL and TEMPORAL_ADDRESS');
  const orm = await openOrm(config.DATABASE_URL, { poolMax: 2 });
  const connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS });
  try {
    const report = await checkConsistency(orm, new Client({ connection, namespace: config.TEMPORAL_NAMESPACE, dataConverter: sealedDataConverter(config) }));
    process.stdout.write(`${report.cases} cases, ${report.mismatches.length} mismatches, ${report.unknownToTemporal.length} no longer in Temporal\n`);
    for (const m of report.mismatches) process.stdout.write(`  ${m.caseId} ${m.field}: read model ${JSON.stringify(m.readModel)} ≠ workflow ${JSON.stringify(m.workflow)}\n`);
    process.exitCode = report.mismatches.length ? 1 : 0;
  } finally {
    await connection.close();
    await orm.close();
  }
}

if (require.main === module) {
  main().catch((error) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
