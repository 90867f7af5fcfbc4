/** Every workflow type the worker registers. */
export { repair } from './repair';
export { complaint } from './complaint';
export { openRequestReconciliation } from './reconciliation';
export { returnVisit } from './return-visit';
export { complaintWarning } from './complaint-warning';
export { serviceRequest } from './request';
export { specialService } from './special-service';
export { patrolFinding } from './patrol-finding';
export { monthlyComplaintReport } from './complaint-report';
export { survey } from './survey';
export { surveyMonthlyRun } from './survey-run';
export { surveyCampaign } from './survey-campaign';
