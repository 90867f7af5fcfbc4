/**
 * R12: twice a day the butler reconciles the day's open requests with the front desk (每日两次与前台
 * 核对未完成报修); anything not finished today carries a recorded reason. Shared by the workflow, the
 * schedules, the API and the mail templates.
 */
import { localDate, localTime } from './calendar';

/** The two reconciliations of a day, at their local time in the property's time zone. */
export const RECONCILIATION_SLOTS = {
  morning: { hour: 9, minute: 0, label: '上午' },
  afternoon: { hour: 15, minute: 0, label: '下午' },
} as const;

export type ReconciliationSlot = keyof typeof RECONCILIATION_SLOTS;
export const RECONCILIATION_SLOT_NAMES = Object.keys(RECONCILIATION_SLOTS) as [ReconciliationSlot, ...ReconciliationSlot[]];

/** The schedule of one property and slot, and the prefix of the workflow IDs it starts (the server appends the scheduled time). */
export const reconciliationScheduleId = (propertyId: string, slot: ReconciliationSlot) => `reconcile-${propertyId}-${slot}`;

/**
 * A reconciliation staff start by hand. The ID is the property-local minute, so a double submit
 * is one run, while a later request sends a fresh list.
 */
export function manualReconciliationWorkflowId(propertyId: string, slot: ReconciliationSlot, at: Date, timeZone: string): string {
  return `${reconciliationScheduleId(propertyId, slot)}-manual-${localDate(at, timeZone)}-${localTime(at, timeZone).replace(':', '')}`;
}

/** One open request on a butler's list. Case and room numbers only — no resident's name or phone. */
export interface OpenRequestLine {
  caseId: string;
  /** Absent for a public-facility repair (公区). */
  room?: string;
  areaId: string;
  status: string;
  receivedAt: string;
  assigneeId?: string;
  /** Why it is not finished, as last recorded, and when. */
  reason?: string;
  reasonAt?: string;
  /** The reason was recorded today, in the property's time zone. */
  reasonToday: boolean;
}

/** The open requests one butler reconciles: those of every area the butler covers. */
export interface ButlerOpenRequests {
  butlerId: string;
  areaIds: string[];
  requests: OpenRequestLine[];
}

export interface OpenRequestLists {
  propertyId: string;
  /** The property-local date the lists are for, YYYY-MM-DD. */
  date: string;
  timeZone: string;
  butlers: ButlerOpenRequests[];
  /** Open requests in areas no active butler covers: the front desk and the supervisor still see them. */
  unowned: OpenRequestLine[];
}

export interface ReconciliationSummary {
  slot: ReconciliationSlot;
  date: string;
  butlers: { butlerId: string; open: number; withoutReason: number }[];
}

/** Open requests without a reason recorded today, each counted once even when two butlers share an area. */
export function withoutReasonToday(lists: Pick<OpenRequestLists, 'butlers' | 'unowned'>): OpenRequestLine[] {
  const seen = new Map<string, OpenRequestLine>();
  for (const line of [...lists.butlers.flatMap((b) => b.requests), ...lists.unowned]) {
    if (!line.reasonToday) seen.set(line.caseId, line);
  }
  return [...seen.values()];
}
