/**
 * The return visit (回访) after a repair (docs/rules.md R9, V1–V4): when it is due, how the customer is
 * reached, how a visit ends and what staff record. Pure: bundled into workflow code.
 */
import { z } from 'zod';
import { instant, note } from './fields';
import { endOfLocalDate, localDate } from './calendar';
import type { ServicePolicy } from './policy';
import { REPAIR_CLASSES, REPAIR_TAGS, type RepairClass, type RepairTag } from './repair';

/** V1: how the customer is reached — phone, home visit, on-site check, online reply, questionnaire. */
export const RETURN_VISIT_METHODS = ['phone', 'home-visit', 'on-site-check', 'online-reply', 'questionnaire'] as const;
export type ReturnVisitMethod = (typeof RETURN_VISIT_METHODS)[number];

/** V4: how a return visit ends; the read model's `outcome`, so results can be counted. */
export const RETURN_VISIT_OUTCOMES = ['satisfied', 'unsatisfied', 'unreachable', 'exempt'] as const;
export type ReturnVisitResult = (typeof RETURN_VISIT_OUTCOMES)[number];

/** `awaiting_rain` (R9 leak repairs) → `open` (due, calls being made) → `closed` with an outcome. */
export const RETURN_VISIT_STATUSES = ['awaiting_rain', 'open', 'closed'] as const;
export type ReturnVisitStatus = (typeof RETURN_VISIT_STATUSES)[number];

/** A return visit's case number: `RV-` + its repair's case number + which visit of that repair. */
export const returnVisitCaseIdPattern = /^RV-[A-Z]\d{8}-\d{4,}-\d+$/;

export const returnVisitCaseId = (parentCaseId: string, visit: number): string => `RV-${parentCaseId}-${visit}`;

/** What R9 looks at in the repair that was done. */
export interface ReturnVisitSubject {
  classification: RepairClass;
  tags: readonly RepairTag[];
  completedAt: Date;
  /** A leak (渗漏) repaired under warranty waits for rain; leaks are under warranty unless said otherwise. */
  underWarranty?: boolean;
}

export type ReturnVisitDue = { kind: 'by'; dueAt: Date } | { kind: 'after-rain' };

const after = (from: Date, ms: number): Date => new Date(from.getTime() + ms);

/**
 * R9: within 24 h for urgent water/electricity repairs and for repairs involving neighbours or
 * danger; after the first rainy day for a leak under warranty; otherwise within 2 days. A pressing
 * repair is checked at once even when it was also a leak: safety does not wait for the weather.
 */
export function returnVisitDue(policy: ServicePolicy, subject: ReturnVisitSubject): ReturnVisitDue {
  const has = (tag: RepairTag) => subject.tags.includes(tag);
  const pressing = (subject.classification === 'urgent' && (has('water') || has('electricity'))) || has('neighbour') || has('dangerous');
  if (pressing) return { kind: 'by', dueAt: after(subject.completedAt, policy.repair.returnVisitUrgentWithinMs) };
  if (has('leak') && (subject.underWarranty ?? true)) return { kind: 'after-rain' };
  return { kind: 'by', dueAt: after(subject.completedAt, policy.repair.returnVisitWithinMs) };
}

/** R9: only rain after the repair tests a leak repair. */
export function rainCounts(rainAt: Date, completedAt: Date): boolean {
  return rainAt.getTime() >= completedAt.getTime();
}

/** R9: once it has rained, a leak repair's visit is due within the ordinary window. */
export function returnVisitDueAfterRain(policy: ServicePolicy, rainAt: Date): Date {
  return after(rainAt, policy.repair.returnVisitWithinMs);
}

/**
 * R9: the moment a reported rainy day counts from — now for today, the end of the day for an
 * earlier date (the hour of the rain is not known, and a repair done that day may have seen it).
 */
export function rainfallMoment(date: string, now: Date, timeZone: string): Date {
  return date >= localDate(now, timeZone) ? now : endOfLocalDate(date, timeZone);
}

/** V2: after an unanswered call the next one is at a different time of day — not before this. */
export function nextCallFrom(policy: ServicePolicy, unansweredAt: Date): Date {
  return after(unansweredAt, policy.returnVisit.retryAfterMs);
}

/**
 * V4: a non-conformity goes to the supervisor with a deadline — the customer is to be revisited,
 * satisfied, within the same R9 window the visit itself had (24 h or 2 days).
 */
export function nonConformityDueAt(policy: ServicePolicy, subject: Omit<ReturnVisitSubject, 'completedAt'>, foundAt: Date): Date {
  const due = returnVisitDue(policy, { ...subject, underWarranty: false, completedAt: foundAt });
  return due.kind === 'by' ? due.dueAt : after(foundAt, policy.repair.returnVisitWithinMs);
}


/** V3: a new need the customer raises during the visit; it becomes a new repair request. */
export const newNeedSchema = () =>
  z
    .object({
      description: z.string().trim().min(2).max(2000),
      classification: z.enum(REPAIR_CLASSES),
      tags: z.array(z.enum(REPAIR_TAGS)).max(REPAIR_TAGS.length).optional().describe('R9 tags of the new repair'),
      /** R5: a major repair is done by appointment. */
      appointmentAt: instant().optional(),
    })
    .strict()
    .refine((need) => need.classification !== 'major' || need.appointmentAt, {
      path: ['appointmentAt'],
      message: 'a major repair needs an agreed appointment time (R5)',
    });
export type NewNeed = z.infer<ReturnType<typeof newNeedSchema>>;

/** V1–V3: one attempt to reach the customer and, if answered, what they said. */
export const returnVisitCallSchema = () =>
  z
    .object({
      answered: z.boolean(),
      method: z.enum(RETURN_VISIT_METHODS),
      satisfied: z.boolean().optional().describe('required when answered'),
      comments: note().optional(),
      newNeed: newNeedSchema().optional(),
    })
    .strict()
    .superRefine((call, ctx) => {
      if (call.answered && call.satisfied === undefined) {
        ctx.addIssue({ code: 'custom', path: ['satisfied'], message: 'an answered visit records whether the customer is satisfied (V4)' });
      }
      if (!call.answered && (call.satisfied !== undefined || call.newNeed)) {
        ctx.addIssue({ code: 'custom', path: [call.newNeed ? 'newNeed' : 'satisfied'], message: 'nobody answered: there is no verdict or new need to record (V2)' });
      }
    });
export type ReturnVisitCall = z.infer<ReturnType<typeof returnVisitCallSchema>>;

/** C7: a visit the supervisor waives (solved on the spot, anonymous, sensitive…), with the reason. */
export const returnVisitExemptionSchema = () => z.object({ reason: note() }).strict();
