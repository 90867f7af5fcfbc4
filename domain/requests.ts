/**
 * The lighter requests of docs/rules.md: inquiries, suggestions, help requests and praise (I3), special
 * and personalised services (特约服务, O2) and patrol findings (片区巡查, O1). Their intake schemas
 * and the deadline maths, pure.
 */
import { z } from 'zod';
import { instant, phone } from './fields';
import { CHANNELS } from './people';
import type { ServicePolicy } from './policy';

const room = () => z.string().trim().min(1).max(32).describe('Room number 房号 as "building-unit-room", e.g. "1-1-301"');
const text = (max: number) => z.string().trim().min(2).max(max);

/** I2: who asked and how — the fields every request records at intake. */
const intakeFields = () => ({
  room: room(),
  contactName: z.string().trim().min(1).max(64),
  contactPhone: phone(),
  channel: z.enum(CHANNELS),
  /** I2: when it came in, when recorded afterwards; defaults to now. */
  receivedAt: instant().optional(),
      /** I2: why a case is recorded long after it came in (beyond the policy's grace); kept in its audit log. */
      lateEntryReason: z.string().trim().min(2).max(500).optional(),
});

/** I3: inquiry (问询), suggestion (建议), help (求助), praise (表扬). Repairs and complaints have their own workflows. */
export const REQUEST_KINDS = ['inquiry', 'suggestion', 'help', 'praise'] as const;
export type RequestKind = (typeof REQUEST_KINDS)[number];

export const REQUEST_STATUSES = ['awaiting_reply', 'answered', 'forwarded'] as const;
export type RequestStatus = (typeof REQUEST_STATUSES)[number];

/** I2/I3: a lightweight request at intake: answered on the spot, or with a promised reply time. */
export const requestIntakeSchema = () =>
  z
    .object({
      kind: z.enum(REQUEST_KINDS),
      ...intakeFields(),
      content: text(2000),
      answer: z.string().trim().min(1).max(2000).optional().describe('I3: answered on the spot — the answer given; the request closes at once'),
      replyBy: instant().optional().describe('I3: the reply time promised to the customer; a deadline (default: the policy\'s reply time)'),
    })
    .strict()
    .refine((v) => !(v.answer && v.replyBy), { path: ['replyBy'], message: 'a request answered on the spot has no promised reply time' });
export type RequestIntake = z.infer<ReturnType<typeof requestIntakeSchema>>;

/** O2: internal services are done by our engineers (a work order), external ones by a partner. */
export const SERVICE_PROVIDERS = ['internal', 'external'] as const;
export const SPECIAL_SERVICE_STATUSES = ['work_order', 'awaiting_partner', 'confirmed', 'declined', 'completed'] as const;
export type SpecialServiceStatus = (typeof SPECIAL_SERVICE_STATUSES)[number];

/** O2: a special or personalised service (特约服务) at intake. */
export const specialServiceIntakeSchema = () =>
  z
    .object({
      ...intakeFields(),
      description: text(2000),
      provider: z.enum(SERVICE_PROVIDERS),
      requestedBy: instant().describe('O2: the time the customer asked for — internal: the visit; external: the answer is due by then'),
      partner: z.string().trim().min(1).max(100).optional().describe('O2: the partner asked to provide an external service'),
    })
    .strict();
export type SpecialServiceIntake = z.infer<ReturnType<typeof specialServiceIntakeSchema>>;

/** O1: who a rectification notice (问题整改通知单) goes to. */
export const PATROL_DEPARTMENTS = ['cleaning', 'greening', 'engineering'] as const;
export type PatrolDepartment = (typeof PATROL_DEPARTMENTS)[number];
export const PATROL_STATUSES = ['notified', 'started', 'rectified'] as const;
export type PatrolStatus = (typeof PATROL_STATUSES)[number];

/** O1: a butler's patrol finding. The photo is a reference (URL or storage key), never uploaded here. */
export const patrolFindingSchema = () =>
  z
    .object({
      areaId: z.string().trim().min(1).max(32).describe('Area 片区 patrolled'),
      location: z.string().trim().min(1).max(200).describe('Where in the area, e.g. "2号楼北侧绿地"'),
      description: text(2000),
      photoRef: z.string().trim().min(3).max(500).describe('A URL or storage key of the photo taken on the patrol'),
      department: z.enum(PATROL_DEPARTMENTS),
      rectifyBy: instant().optional().describe('O1: the deadline of the rectification notice (default: the policy\'s)'),
    })
    .strict();
export type PatrolFinding = z.infer<ReturnType<typeof patrolFindingSchema>>;

/** I3: the reply is due at the promised time, or after the policy's default reply time. */
export function replyBy(policy: ServicePolicy, receivedAt: string, promised?: string): Date {
  return promised ? new Date(promised) : new Date(new Date(receivedAt).getTime() + policy.requests.replyWithinMs);
}

/** O1: rectification must have started within 2 days of the finding (as R7). */
export function rectificationStartBy(policy: ServicePolicy, foundAt: string): Date {
  return new Date(new Date(foundAt).getTime() + policy.patrol.startWithinMs);
}

/** O1: the notice's deadline, as given or the policy's default. */
export function rectifiedBy(policy: ServicePolicy, foundAt: string, given?: string): Date {
  return given ? new Date(given) : new Date(new Date(foundAt).getTime() + policy.patrol.rectifyWithinMs);
}
