/**
 * Whose eyes what a workflow carries is sealed for (docs/personal-data.md). The payload codec
 * encrypts each workflow's payloads with the key of its audience, and the codec endpoint opens a
 * payload for the Temporal UI only to the roles of the key's audience: the service centre's cases for
 * its supervisors and managers, an employee complaint for hr alone and a whistle-blowing report for
 * audit alone — the C2 rule the API keeps, kept in the UI by the keys themselves.
 */
import { COMPLAINT_ROUTING, type ComplaintKind } from './complaint';
import type { Role } from './people';

export const PAYLOAD_AUDIENCES = ['service', 'hr', 'audit'] as const;
export type PayloadAudience = (typeof PAYLOAD_AUDIENCES)[number];

/** C2: the audience of a complaint's payloads, by its kind. */
export const COMPLAINT_AUDIENCE: Record<ComplaintKind, PayloadAudience> = { customer: 'service', employee: 'hr', report: 'audit' };

/** Who may read each audience's payloads in the Temporal UI: the supervisors' console, and C2's readers of their own kind. */
export const AUDIENCE_READERS: Record<PayloadAudience, readonly Role[]> = {
  service: ['supervisor', 'manager'],
  hr: COMPLAINT_ROUTING.employee.readers,
  audit: COMPLAINT_ROUTING.report.readers,
};

/** The audiences a staff member with these roles may decode (none for a role the UI is not for). */
export const audiencesReadableBy = (roles: readonly Role[]): PayloadAudience[] =>
  PAYLOAD_AUDIENCES.filter((audience) => AUDIENCE_READERS[audience].some((role) => roles.includes(role)));
