/**
 * Every workflow type the worker registers, each loaded when a workflow of its type first runs.
 *
 * The SDK evaluates the bundle's modules once per cached workflow (each workflow has its own module
 * cache in the worker's reusable context). With every type exported from here up front, each open
 * repair evaluated and kept the modules of complaints, requests, surveys, reconciliation and the
 * rest too. A `require` inside the function is resolved by webpack within the one bundle and runs
 * the module on first call, so a workflow carries only its own type's module graph (bench:memory).
 */
/* eslint-disable @typescript-eslint/no-require-imports -- the synchronous, lazy require described above */

import { reportingFailure } from './failure-report';

/**
 * A workflow function that loads its module on its first call; a failure no retry can fix is
 * mailed to the property's supervisors and managers (./failure-report).
 */
function onDemand<F extends (input: never) => Promise<unknown>>(load: () => F): F {
  return reportingFailure(((input: Parameters<F>[0]) => load()(input)) as F);
}

export const repair = onDemand(() => (require('./repair') as typeof import('./repair')).repair);
export const complaint = onDemand(() => (require('./complaint') as typeof import('./complaint')).complaint);
export const openRequestReconciliation = onDemand(() => (require('./reconciliation') as typeof import('./reconciliation')).openRequestReconciliation);
export const returnVisit = onDemand(() => (require('./return-visit') as typeof import('./return-visit')).returnVisit);
export const complaintWarning = onDemand(() => (require('./complaint-warning') as typeof import('./complaint-warning')).complaintWarning);
export const serviceRequest = onDemand(() => (require('./request') as typeof import('./request')).serviceRequest);
export const specialService = onDemand(() => (require('./special-service') as typeof import('./special-service')).specialService);
export const patrolFinding = onDemand(() => (require('./patrol-finding') as typeof import('./patrol-finding')).patrolFinding);
export const monthlyComplaintReport = onDemand(() => (require('./complaint-report') as typeof import('./complaint-report')).monthlyComplaintReport);
export const monthlyAppraisal = onDemand(() => (require('./appraisal') as typeof import('./appraisal')).monthlyAppraisal);
export const survey = onDemand(() => (require('./survey') as typeof import('./survey')).survey);
export const surveyMonthlyRun = onDemand(() => (require('./survey-run') as typeof import('./survey-run')).surveyMonthlyRun);
export const surveyMonthClose = onDemand(() => (require('./survey-close') as typeof import('./survey-close')).surveyMonthClose);
export const surveyCampaign = onDemand(() => (require('./survey-campaign') as typeof import('./survey-campaign')).surveyCampaign);
