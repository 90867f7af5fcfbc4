/**
 * Staff actions on the lighter requests (I3 requests, O2 special services, O1 patrol findings),
 * defined once like the repair and complaint tables of messages.ts: the API imports them, the
 * workflows register their handlers.
 */
import { z } from 'zod';
import { instant, note } from '../domain/fields';
import type { PatrolActionName, RequestActionName, SpecialServiceActionName } from '../domain/case-actions';
import { caseMessages, fenCents, spec, type ActionSpec } from './messages';

export type { PatrolActionName, RequestActionName, SpecialServiceActionName } from '../domain/case-actions';

/** The service centre's desk: whoever takes requests in may answer them. */
const SERVICE_DESK = ['frontdesk', 'butler', 'supervisor', 'manager', 'callcenter'] as const;

/** I3: an inquiry, suggestion, help request or praise. */
export const REQUEST_ACTIONS = {
  answer: spec(SERVICE_DESK, () => z.object({ answer: note() }).strict(), 'I3: the customer is answered; the request closes (答复)'),
  promiseReply: spec(
    SERVICE_DESK,
    () => z.object({ replyBy: instant(), note: note().optional() }).strict(),
    'I3: a new reply time promised to the customer; it becomes the deadline (承诺答复时间)',
  ),
  forwardSuggestion: spec(
    SERVICE_DESK,
    () => z.object({ note: note() }).strict(),
    'I3/S3: a suggestion judged valuable goes to the supervisor and is archived (合理化建议上报)',
  ),
} as const satisfies Record<RequestActionName, ActionSpec>;
export const requestMessages = caseMessages(REQUEST_ACTIONS);

const COORDINATORS = ['frontdesk', 'butler', 'supervisor', 'manager'] as const;

/** O2: an external special service, coordinated with a partner. */
export const SPECIAL_SERVICE_ACTIONS = {
  confirmPartner: spec(
    COORDINATORS,
    () => z.object({ partner: z.string().trim().min(1).max(100), note: note().optional() }).strict(),
    'O2: the partner confirmed the service and the customer was told (合作方确认)',
  ),
  decline: spec(COORDINATORS, () => z.object({ reason: note() }).strict(), 'O2: no partner can provide it; the customer was told why (无法提供)'),
  complete: spec(
    COORDINATORS,
    () => z
        .object({ summary: note(), feeCents: fenCents().optional(), feeDescription: note().optional() })
        .strict()
        .refine((v) => !v.feeCents || v.feeDescription, { path: ['feeDescription'], message: 'say what the fee is for (R8)' }),
    'O2/R8: the service was provided; its fee goes to finance (完成、交财务入帐)',
  ),
} as const satisfies Record<SpecialServiceActionName, ActionSpec>;
export const specialServiceMessages = caseMessages(SPECIAL_SERVICE_ACTIONS);

const RECTIFIERS = ['butler', 'engineer', 'supervisor', 'frontdesk'] as const;

/** O1: a rectification notice from a patrol finding. */
export const PATROL_ACTIONS = {
  startRectification: spec(RECTIFIERS, () => z.object({ note: note().optional() }).strict(), 'O1: the department started the rectification (开始整改)'),
  completeRectification: spec(RECTIFIERS, () => z.object({ result: note(), photoRef: z.string().trim().min(3).max(500).optional() }).strict(), 'O1: rectified, with the result (整改完成)'),
} as const satisfies Record<PatrolActionName, ActionSpec>;
export const patrolMessages = caseMessages(PATROL_ACTIONS);
