/**
 * P3 staff appraisal (员工绩效考核) in Postgres: a month's appraisal as supervisors read it (the
 * results part from the P3 report, the parts they entered), the month stored by its schedule and
 * deleted two years on, and the entries themselves, each with its administrative audit record.
 * Shared by the API (reading, entering) and the `monthlyAppraisal` workflow (storing, purging).
 */
import { ApplicationFailure } from '@temporalio/common';
import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { appendAdminAudit } from './admin-audit';
import { Property, Staff, StaffAppraisal, StaffAppraisalYear, type IStaffAppraisal } from './entities';
import type { Orm } from './orm';
import {
  annualAppraisal,
  CASE_HOLDING_ROLES,
  monthlyAppraisal,
  monthlyComposite,
  NO_RESULTS,
  resultsRecordOf,
  resultsScore,
  type AnnualAppraisal,
  type AppraisalLine,
  type EnteredParts,
  type MonthlyAppraisal,
  type StoredMonth,
} from '../domain/appraisal';
import type { Role } from '../domain/people';
import { parsePolicy, type ServicePolicy } from '../domain/policy';
import { localMonth, type Month } from '../domain/reports';
import { loadStaffResults } from './reports';

export async function propertyPolicy(em: EntityManager, propertyId: string): Promise<ServicePolicy> {
  const property = await em.findOne(Property, { id: propertyId }, { fields: ['timeZone', 'policy'] });
  if (!property) throw ApplicationFailure.create({ type: 'UnknownProperty', message: `no property ${propertyId}`, nonRetryable: true });
  return parsePolicy({ timeZone: property.timeZone, ...(property.policy ?? {}) });
}

/** The property's active staff who hold cases (engineers, butlers, supervisors). */
export async function caseHolders(em: EntityManager, propertyId: string): Promise<{ staffId: string; roles: Role[] }[]> {
  const staff = await em.find(Staff, { propertyId, active: true }, { fields: ['id', 'roles'], orderBy: { id: 'asc' } });
  return staff.filter((s) => s.roles.some((r) => (CASE_HOLDING_ROLES as readonly Role[]).includes(r))).map((s) => ({ staffId: s.id, roles: s.roles }));
}

function storedMonth(r: IStaffAppraisal): StoredMonth & { composite: number | null } {
  return {
    staffId: r.staffId,
    month: r.month,
    results: r.results,
    resultsScore: r.resultsScore ?? null,
    resultsAt: r.resultsAt.toISOString(),
    conduct: r.conduct ?? null,
    diligence: r.diligence ?? null,
    ability: r.ability ?? null,
    checks: r.checks ?? null,
    composite: r.composite ?? null,
    enteredBy: r.enteredBy ?? null,
    enteredAt: r.enteredAt?.toISOString() ?? null,
  };
}

/** A stored month's row as Postgres hands it over. */
interface StoredRow {
  staff_id: string;
  results: StoredMonth['results'];
  results_score: number | null;
  results_at: string | Date;
  conduct: number | null;
  diligence: number | null;
  ability: number | null;
  checks: number | null;
  entered_by: string | null;
  entered_at: string | Date | null;
}

/**
 * P3: a month's appraisal — stored where the month was appraised, live otherwise. The case holders
 * and the stored rows come in one statement beside the P3 report's two: a supervisor's page is read
 * as often as the report.
 */
export async function loadMonthlyAppraisal(orm: Orm, propertyId: string, month: Month): Promise<MonthlyAppraisal> {
  const holding = CASE_HOLDING_ROLES.map((r) => `s.roles @> '["${r}"]'::jsonb`).join(' or ');
  const [live, rows] = await Promise.all([
    loadStaffResults(orm, propertyId, month),
    orm.em.getConnection().execute<({ holder_id: string | null; roles: Role[] | null } & Partial<StoredRow>)[]>(
      `select h.id as holder_id, h.roles, a.*
         from (select s.id, s.roles from staff s where s.property_id = ? and s.active and (${holding})) h
         full join (select * from staff_appraisal where property_id = ? and month = ?) a on a.staff_id = h.id`,
      [propertyId, propertyId, month],
    ),
  ]);
  const instant = (value: string | Date) => new Date(value).toISOString();
  return monthlyAppraisal({
    propertyId,
    month,
    holders: rows.flatMap((r) => (r.holder_id ? [{ staffId: r.holder_id, roles: r.roles ?? [] }] : [])),
    live: live.staff,
    stored: rows.flatMap((r) =>
      r.staff_id
        ? [
            {
              staffId: r.staff_id,
              month,
              results: r.results!,
              resultsScore: r.results_score ?? null,
              resultsAt: instant(r.results_at!),
              conduct: r.conduct ?? null,
              diligence: r.diligence ?? null,
              ability: r.ability ?? null,
              checks: r.checks ?? null,
              enteredBy: r.entered_by ?? null,
              enteredAt: r.entered_at ? instant(r.entered_at) : null,
            },
          ]
        : [],
    ),
  });
}

/** P3: the year — checks, the months' composites and the year-end appraisal of every appraised staff member. */
export async function loadAnnualAppraisal(orm: Orm, propertyId: string, year: number): Promise<AnnualAppraisal> {
  const em = orm.em.fork();
  await propertyPolicy(em, propertyId);
  const [months, yearEnds] = await Promise.all([
    em.find(StaffAppraisal, { propertyId, month: { $gte: `${year}-01`, $lte: `${year}-12` } }),
    orm.em.fork().find(StaffAppraisalYear, { propertyId, year }),
  ]);
  return annualAppraisal({ propertyId, year, months: months.map(storedMonth), yearEnds: yearEnds.map((y) => ({ staffId: y.staffId, yearEnd: y.yearEnd })) });
}

/** The parts an entry sets; a part left out keeps what was entered before. */
export type PartsEntry = Partial<EnteredParts & { checks: number }>;

/** What a month's or a year's entry needs to know of the property and the staff member, for the rules of domain/appraisal.ts. */
export async function appraisalContext(orm: Orm, propertyId: string, staffId: string): Promise<{ currentMonth: Month; keepMonths: number; staff: { id: string; roles: Role[] } | null }> {
  const em = orm.em.fork();
  const policy = await propertyPolicy(em, propertyId);
  const staff = await em.findOne(Staff, { id: staffId, propertyId }, { fields: ['id', 'roles'] });
  return { currentMonth: localMonth(new Date(), policy.timeZone), keepMonths: policy.appraisal.keepMonths, staff: staff ? { id: staff.id, roles: staff.roles } : null };
}

/**
 * P3: a supervisor's parts of a month for one staff member. The month's results are stored with the
 * first entry when its schedule has not stored them yet; the composite follows every entry.
 */
export async function enterMonthlyParts(orm: Orm, input: { propertyId: string; month: Month; staffId: string; parts: PartsEntry; actorId: string }): Promise<AppraisalLine> {
  const live = (await loadStaffResults(orm, input.propertyId, input.month)).staff.find((s) => s.staffId === input.staffId);
  await orm.em.fork().transactional(async (em) => {
    const now = new Date();
    const key = { propertyId: input.propertyId, month: input.month, staffId: input.staffId };
    const results = resultsRecordOf(live ?? NO_RESULTS);
    // Two supervisors entering the same month at once: one creates the row, both then update it in turn.
    await em
      .createQueryBuilder(StaffAppraisal)
      .insert({ ...key, results, resultsScore: resultsScore(results), resultsAt: now, conduct: null, diligence: null, ability: null, checks: null, composite: null, enteredBy: null, enteredAt: null })
      .onConflict(['propertyId', 'month', 'staffId'])
      .ignore()
      .execute('run');
    const row = await em.findOneOrFail(StaffAppraisal, key, { lockMode: LockMode.PESSIMISTIC_WRITE });
    for (const part of ['conduct', 'diligence', 'ability', 'checks'] as const) if (input.parts[part] !== undefined) row[part] = input.parts[part]!;
    row.composite = monthlyComposite({ conduct: row.conduct ?? null, diligence: row.diligence ?? null, ability: row.ability ?? null, results: row.resultsScore ?? null }).composite;
    row.enteredBy = input.actorId;
    row.enteredAt = now;
    await appendAdminAudit(em, { propertyId: input.propertyId, actorId: input.actorId, action: 'appraisal.month.enter', subject: `${input.month} ${input.staffId}`, detail: { ...input.parts } }, now);
  });
  const appraisal = await loadMonthlyAppraisal(orm, input.propertyId, input.month);
  return appraisal.staff.find((s) => s.staffId === input.staffId)!;
}

/** P3: the year-end appraisal of one staff member (50 % of the year). */
export async function enterYearEnd(orm: Orm, input: { propertyId: string; year: number; staffId: string; yearEnd: number; actorId: string }): Promise<void> {
  await orm.em.fork().transactional(async (em) => {
    const now = new Date();
    await em.upsert(StaffAppraisalYear, { propertyId: input.propertyId, year: input.year, staffId: input.staffId, yearEnd: input.yearEnd, enteredBy: input.actorId, enteredAt: now });
    await appendAdminAudit(em, { propertyId: input.propertyId, actorId: input.actorId, action: 'appraisal.year.enter', subject: `${input.year} ${input.staffId}`, detail: { yearEnd: input.yearEnd } }, now);
  });
}
