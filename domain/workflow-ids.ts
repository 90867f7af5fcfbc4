/**
 * Every workflow's ID, from its business key: one definition each, used by the API that starts a
 * case, the workflows that start their children, the activities and the benches. An ID is what a
 * retried request finds instead of opening a second case, and what a supervisor pastes into the
 * Temporal UI.
 */
import type { ComplaintKind } from './complaint';
import { COMPLAINT_AUDIENCE, type PayloadAudience } from './payload-audience';

export const workflowIds = {
  /** `repair-R20261122-0007` */
  repair: (caseId: string) => `repair-${caseId}`,
  /**
   * `complaint-C20261122-0003`; an employee complaint `complaint-hr-C…`, a report `complaint-audit-C…`:
   * the ID names the audience its payloads are sealed for (C2, {@link payloadAudienceOf}).
   */
  complaint: (caseId: string, kind: ComplaintKind = 'customer') =>
    kind === 'customer' ? `complaint-${caseId}` : `complaint-${COMPLAINT_AUDIENCE[kind]}-${caseId}`,
  /** `complaint-warning-W20261122-0001` (C10) */
  complaintWarning: (caseId: string) => `complaint-warning-${caseId}`,
  /** `return-visit-RV-R20261122-0007-1` (R9) */
  returnVisit: (caseId: string) => `return-visit-${caseId}`,
  /** `request-Q20261122-0002` (I3) */
  request: (caseId: string) => `request-${caseId}`,
  /** `special-service-T20261122-0001` (O2) */
  specialService: (caseId: string) => `special-service-${caseId}`,
  /** `patrol-finding-P20261122-0001` (O1) */
  patrolFinding: (caseId: string) => `patrol-finding-${caseId}`,
  /** `survey-2026-11-<household>` (S1) */
  survey: (surveyId: string) => `survey-${surveyId}`,
  /** `survey-run-P001-2026-11` (S1) */
  surveyRun: (runId: string) => `survey-run-${runId}`,
  /** `survey-month-close-P001-2026-11` (S1: the month's answers against each area's 10 %) */
  surveyMonthClose: (runId: string) => `survey-month-close-${runId}`,
  /** `survey-campaign-P001-2026-H2` (S4) */
  surveyCampaign: (campaignId: string) => `survey-campaign-${campaignId}`,
} as const;

/**
 * The audience a workflow's payloads are sealed for, from its ID (domain/payload-audience.ts): the
 * payload codec learns which workflow a payload belongs to, not which kind of case that is.
 */
export function payloadAudienceOf(workflowId: string | undefined): PayloadAudience {
  const confidential = workflowId ? /^complaint-(hr|audit)-/.exec(workflowId) : null;
  return confidential ? (confidential[1] as PayloadAudience) : 'service';
}
