/**
 * P3: the `monthlyAppraisal` workflow's activity, storing a month's appraisal and purging what the
 * policy no longer keeps. Reading and entering appraisals is db/appraisal.ts's, shared with the API.
 */
import { StaffAppraisal, StaffAppraisalYear } from '../db/entities';
import { caseHolders, propertyPolicy } from '../db/appraisal';
import { loadStaffResults } from '../db/reports';
import { keptFrom, monthlyComposite, NO_RESULTS, resultsRecordOf, resultsScore } from '../domain/appraisal';
import { localMonth, previousMonth, type Month } from '../domain/reports';
import type { ActivityDeps } from './deps';

export function createAppraisalActivities({ orm }: ActivityDeps) {
  return {
    /**
     * P3: stores the month before `asOf` (property-local; or `month`): every case holder's results as
     * counted now, beside the parts already entered, and deletes what is older than the policy keeps
     * (`appraisal.keepMonths`, two years). Run again, it counts again: a late correction is stored.
     */
    async storeMonthlyAppraisal(input: { propertyId: string; asOf: string; month?: Month }): Promise<{ month: Month; staff: number; purgedMonths: number; purgedYears: number }> {
      const policy = await propertyPolicy(orm.em.fork(), input.propertyId);
      const month = input.month ?? previousMonth(new Date(input.asOf), policy.timeZone);
      const [live, holders] = await Promise.all([loadStaffResults(orm, input.propertyId, month), caseHolders(orm.em.fork(), input.propertyId)]);
      const results = new Map(live.staff.map((s) => [s.staffId, resultsRecordOf(s)]));
      for (const h of holders) if (!results.has(h.staffId)) results.set(h.staffId, { ...NO_RESULTS });
      const first = keptFrom(localMonth(new Date(input.asOf), policy.timeZone), policy.appraisal.keepMonths);
      return orm.em.fork().transactional(async (em) => {
        const now = new Date();
        const existing = new Map((await em.find(StaffAppraisal, { propertyId: input.propertyId, month })).map((r) => [r.staffId, r]));
        for (const [staffId, record] of results) {
          const score = resultsScore(record);
          const row = existing.get(staffId) ?? em.create(StaffAppraisal, { propertyId: input.propertyId, month, staffId, results: record, resultsScore: score, resultsAt: now, conduct: null, diligence: null, ability: null, checks: null, composite: null, enteredBy: null, enteredAt: null });
          row.results = record;
          row.resultsScore = score;
          row.resultsAt = now;
          row.composite = monthlyComposite({ conduct: row.conduct ?? null, diligence: row.diligence ?? null, ability: row.ability ?? null, results: score }).composite;
        }
        await em.flush();
        const purgedMonths = await em.nativeDelete(StaffAppraisal, { propertyId: input.propertyId, month: { $lt: first } });
        // A year's record goes with its December (domain/appraisal.ts isYearKept).
        const purgedYears = await em.nativeDelete(StaffAppraisalYear, { propertyId: input.propertyId, year: { $lt: Number(first.slice(0, 4)) } });
        return { month, staff: results.size, purgedMonths, purgedYears };
      });
    },
  };
}
