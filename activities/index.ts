import { createAppraisalActivities } from './appraisal';
import { createCalendarActivities } from './calendar';
import { createCaseActivities } from './cases';
import { createComplaintActivities } from './complaints';
import type { ActivityDeps } from './deps';
import { withPermanentFailures } from './failures';
import { createFollowUpActivities } from './follow-up';
import { createNotifyActivities } from './notify';
import { createReconciliationActivities } from './reconciliation';
import { createReportActivities } from './reports';
import { createSurveyActivities } from './surveys';

export type { ActivityDeps } from './deps';

/**
 * Every activity the worker registers, closed over dependencies built once (docs/architecture.md),
 * each throwing what no retry can fix as a non-retryable failure (activities/failures.ts).
 */
export function createActivities(deps: ActivityDeps) {
  return withPermanentFailures({
    ...createCaseActivities(deps),
    ...createCalendarActivities(deps),
    ...createComplaintActivities(deps),
    ...createNotifyActivities(deps),
    ...createFollowUpActivities(deps),
    ...createReconciliationActivities(deps),
    ...createReportActivities(deps),
    ...createAppraisalActivities(deps),
    ...createSurveyActivities(deps),
  });
}

export type Activities = ReturnType<typeof createActivities>;
