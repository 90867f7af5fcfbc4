import { WithStartWorkflowOperation, WorkflowFailedError, WorkflowUpdateFailedError, type Client, type WorkflowStartOptions } from '@temporalio/client';
import type { Workflow } from '@temporalio/common';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Config } from '../config';
import { allocateCaseNumber } from '../db/case-numbers';
import { DEFAULT_POLICY } from '../domain/policy';
import type { Orm } from '../db/orm';
import type { Role } from '../domain/people';
import { caseOpenedUpdate } from '../workflows/messages';
import { AreaId, CaseStatus, CaseType, Severity } from '../workflows/search-attributes';
import { actorFor, type StaffPrincipal } from './auth';
import type { OperationResult } from './contract';
import { idempotencyKeyOf, withIdempotency } from './idempotency';
import { HttpProblem } from './problem';

/** I2: how late a case may be recorded after it came in — from the property's policy (`intake`). */
export interface LateEntry {
  withoutReasonMs: number;
  limitMs: number;
}

const minutes = (ms: number) => Math.round(ms / 60_000);
const lateProblem = (name: string, reason: string) => new HttpProblem(422, 'Impossible receipt time', reason, { 'invalid-params': [{ name, in: 'body', reason }] });

/**
 * I2: when a request came in — now, or the time staff give for a call logged afterwards (a night's or
 * a weekend's calls entered later). Beyond the policy's grace it needs the reason, which the case
 * keeps; beyond its limit, or in the future, it is refused. The case's clocks run from this time.
 */
export function receiptTime(given: string | undefined, lateEntryReason: string | undefined, late: LateEntry, now = Date.now()): Date {
  const receivedAt = given ? new Date(given) : new Date(now);
  const lateBy = now - receivedAt.getTime();
  if (lateBy < -60_000) throw lateProblem('receivedAt', 'must not be in the future');
  if (lateBy > late.limitMs) throw lateProblem('receivedAt', `must be within the last ${minutes(late.limitMs)} minutes (the property's limit for late entries)`);
  if (lateBy > late.withoutReasonMs && !lateEntryReason) {
    throw lateProblem('lateEntryReason', `a case recorded more than ${minutes(late.withoutReasonMs)} minutes after it came in says why (e.g. a weekend's calls logged on Monday)`);
  }
  return receivedAt;
}

/** A promised or requested time the customer is given must still lie ahead. */
export function inTheFuture(field: string, iso: string | undefined): void {
  if (iso && new Date(iso).getTime() <= Date.now()) {
    throw new HttpProblem(422, 'Impossible time', `${field} is in the past`, { 'invalid-params': [{ name: field, in: 'body', reason: 'must be in the future' }] });
  }
}

export interface CaseLocation {
  householdId: string | undefined;
  room: string | undefined;
  areaId: string;
  /** The property's time zone, which dates the case number. */
  timeZone: string;
  /** How late a case of this property may be recorded (its policy's `intake`). */
  lateEntry: LateEntry;
}

interface LocationRow {
  time_zone: string;
  intake: { lateEntryWithoutReasonMs?: number; lateEntryLimitMs?: number } | null;
  household_id: string | null;
  household_area_id: string | null;
  area_id: string | null;
}

/**
 * Where a case belongs: the household's room, or an area (a public facility, R7); and the
 * property's time zone. One plain query: every intake runs it, and two entity loads cost the intake
 * path one more Postgres round trip and more CPU (bench:intake, bench/RESULTS.md).
 */
export async function locate(em: EntityManager, propertyId: string, room: string | undefined, areaId: string | undefined): Promise<CaseLocation> {
  const [row] = await em.getConnection().execute<LocationRow[]>(
    `select p.time_zone, p.policy -> 'intake' as intake, h.id as household_id, b.area_id as household_area_id, a.id as area_id
       from property p
       left join household h on h.property_id = p.id and h.room = ?
       left join building b on b.id = h.building_id
       left join area a on a.property_id = p.id and a.id = ?
      where p.id = ?`,
    [room ?? null, room ? null : (areaId ?? null), propertyId],
  );
  if (!row) throw new Error(`property ${propertyId} does not exist`);
  const defaults = DEFAULT_POLICY.intake;
  const lateEntry = { withoutReasonMs: row.intake?.lateEntryWithoutReasonMs ?? defaults.lateEntryWithoutReasonMs, limitMs: row.intake?.lateEntryLimitMs ?? defaults.lateEntryLimitMs };
  if (room) {
    if (!row.household_id) {
      throw new HttpProblem(422, 'Unknown room', `there is no room ${room} in this property`, {
        'invalid-params': [{ name: 'room', in: 'body', reason: 'no such room in this property' }],
      });
    }
    return { householdId: row.household_id, room, areaId: row.household_area_id!, timeZone: row.time_zone, lateEntry };
  }
  if (!row.area_id) {
    throw new HttpProblem(422, 'Unknown area', `there is no area ${areaId} in this property`, {
      'invalid-params': [{ name: 'areaId', in: 'body', reason: 'no such area in this property' }],
    });
  }
  return { householdId: undefined, room: undefined, areaId: row.area_id, timeZone: row.time_zone, lateEntry };
}

/** What every located intake (repair, request, special service) hands its workflow. */
export interface IntakeCaseInput<I> {
  caseId: string;
  propertyId: string;
  areaId: string;
  householdId?: string;
  room?: string;
  intake: I;
  receivedAt: string;
  receivedBy: ReturnType<typeof actorFor>;
}

/**
 * The whole create path of a case taken in at a room or area: locate it (422 when unknown), check
 * the receipt time (I2), then open the case under its number with its search attributes and a
 * summary free of personal data.
 */
export async function openIntakeCase<I extends { room?: string; areaId?: string; receivedAt?: string; lateEntryReason?: string }>(
  deps: { orm: Orm; temporal: Client; config: Config },
  spec: {
    staff: StaffPrincipal;
    idempotencyKeyHeader: string | undefined;
    body: I;
    roles: readonly Role[];
    prefix: string;
    workflowType: string;
    basePath: string;
    workflowId: (caseId: string) => string;
    caseType: string;
    status: string;
    severity: string;
    summary: (caseId: string, where: CaseLocation) => string;
  },
): Promise<OperationResult> {
  const em = deps.orm.em.fork();
  const where = await locate(em, spec.staff.propertyId, spec.body.room, spec.body.areaId);
  const receivedAt = receiptTime(spec.body.receivedAt, spec.body.lateEntryReason, where.lateEntry);
  const input = (caseId: string): IntakeCaseInput<I> => ({
    caseId,
    propertyId: spec.staff.propertyId,
    areaId: where.areaId,
    householdId: where.householdId,
    room: where.room,
    intake: spec.body,
    receivedAt: receivedAt.toISOString(),
    receivedBy: actorFor(spec.staff, spec.roles),
  });
  return openCase(
    { em, temporal: deps.temporal, config: deps.config },
    { staffId: spec.staff.id, idempotencyKey: idempotencyKeyOf(spec.idempotencyKeyHeader), body: spec.body, prefix: spec.prefix, at: receivedAt, timeZone: where.timeZone },
    spec.workflowType,
    (caseId) => ({
      self: `/api/v1${spec.basePath}/${caseId}`,
      workflowId: spec.workflowId(caseId),
      args: [input(caseId)],
      typedSearchAttributes: [
        { key: CaseType, value: spec.caseType },
        { key: CaseStatus, value: spec.status },
        { key: Severity, value: spec.severity },
        { key: AreaId, value: where.areaId },
      ],
      staticSummary: spec.summary(caseId, where),
    }),
  );
}

type CaseStart<W extends Workflow> = Pick<WorkflowStartOptions<W>, 'workflowId' | 'args' | 'typedSearchAttributes' | 'staticSummary'> & {
  self: string;
  status?: string;
  /** Answer once the case row is written (every case workflow with staff actions): false for a record that takes none. */
  awaitOpening?: boolean;
};

/**
 * A creating request's whole path: at most once per Idempotency-Key, allocate the case number
 * (prefix + property-local date) and start the case's workflow under it.
 */
export function openCase<W extends Workflow>(
  deps: { em: EntityManager; temporal: Client; config: Config },
  request: { staffId: string; idempotencyKey: string | undefined; body: unknown; prefix: string; at: Date; timeZone: string },
  workflowType: string,
  start: (caseId: string) => CaseStart<W>,
): Promise<OperationResult> {
  return withIdempotency(
    deps.em,
    { staffId: request.staffId, key: request.idempotencyKey, body: request.body, ttlDays: deps.config.IDEMPOTENCY_TTL_DAYS },
    (tx) => allocateCaseNumber(tx, request.prefix, request.at, request.timeZone),
    (caseId) => startCase<W>(deps.temporal, deps.config, workflowType, { caseId, ...start(caseId) }),
  );
}

/**
 * Starts a case's workflow under its business key and answers 201 with where to find it, once the
 * case is open: an update sent with the start (`caseOpened`) returns when the case row is written,
 * so the front desk can act on the case the moment it hears its number — no 409 or 404 while it is
 * being recorded — and a case that cannot open is answered as such instead of with a 201. A retried
 * create finds the case it already opened instead of failing or opening a second.
 */
async function startCase<W extends Workflow>(
  temporal: Client,
  config: Config,
  workflowType: string,
  options: CaseStart<W> & { caseId: string },
): Promise<OperationResult> {
  const { caseId, self, status = 'received', awaitOpening = true, ...start } = options;
  const startOptions = {
    ...start,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    workflowIdConflictPolicy: 'USE_EXISTING',
    workflowIdReusePolicy: 'REJECT_DUPLICATE',
  } as WorkflowStartOptions<W> & { workflowIdConflictPolicy: 'USE_EXISTING' };
  if (!awaitOpening) {
    await temporal.workflow.start<W>(workflowType, startOptions);
  } else {
    await temporal.workflow
      .executeUpdateWithStart(caseOpenedUpdate, { startWorkflowOperation: new WithStartWorkflowOperation<W>(workflowType, startOptions) })
      .catch((error: unknown) => {
        // The workflow failed for good while opening (it mailed the supervisors): say so, not 201.
        if (error instanceof WorkflowUpdateFailedError || error instanceof WorkflowFailedError) {
          const cause = (error as Error & { cause?: Error & { cause?: Error & { type?: string } } }).cause;
          const type = (cause?.cause as { type?: string } | undefined)?.type ?? (cause as { type?: string } | undefined)?.type ?? 'failure';
          throw new HttpProblem(502, 'Case not opened', `case ${caseId} could not be opened (${type}); the supervisors were told`);
        }
        throw error;
      });
  }
  return {
    status: 201,
    body: { caseId, workflowId: options.workflowId, status, links: { self } },
    headers: { Location: self },
  };
}
