import { createCaseActivities } from './cases';
import { createComplaintActivities } from './complaints';
import type { ActivityDeps } from './deps';
import { createFollowUpActivities } from './follow-up';
import { createNotifyActivities } from './notify';
import { createReconciliationActivities } from './reconciliation';
import { createReportActivities } from './reports';
import { createSurveyActivities } from './surveys';

export type { ActivityDeps } from './deps';

/** Every activity the worker registers, closed over dependencies built once (design.md §4). */
export function createActivities(deps: ActivityDeps) {
  return {
    ...createCaseActivities(deps),
    ...createComplaintActivities(deps),
    ...createNotifyActivities(deps),
    ...createFollowUpActivities(deps),
    ...createReconciliationActivities(deps),
    ...createReportActivities(deps),
    ...createSurveyActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
