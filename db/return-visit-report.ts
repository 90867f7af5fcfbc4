/**
 * R9/V4: the monthly return-visit report read from Postgres: the month's valid repairs with their
 * `RV-…` return-visit cases, and the complaints resolved in the month with their visits as their
 * audit log records them. Counting is domain/return-visit-report.ts's.
 */
import { ApplicationFailure } from '@temporalio/common';
import { Property } from './entities';
import type { Orm } from './orm';
import { parsePolicy } from '../domain/policy';
import { monthRange, type Month } from '../domain/reports';
import type { ReturnVisitResult } from '../domain/return-visit';
import { complaintVisits, returnVisitReport, type ReturnVisitReport, type VisitFacts, type VisitSubject } from '../domain/return-visit-report';

/** `RV-R20261105-0003-2` → 2: a repair's visits in the order they were opened. */
const visitNumber = (caseId: string) => Number(caseId.slice(caseId.lastIndexOf('-') + 1));

const COMPLAINT_VISIT_EVENTS = ['recordHandling', 'recordReturnVisit', 'exempt', 'quiet-week-passed', 'deadline-missed'];

export async function loadReturnVisitReport(orm: Orm, propertyId: string, month: Month, asOf = new Date()): Promise<ReturnVisitReport> {
  const em = orm.em.fork();
  const property = await em.findOne(Property, { id: propertyId }, { fields: ['timeZone', 'policy'] });
  if (!property) throw ApplicationFailure.create({ type: 'UnknownProperty', message: `no property ${propertyId}`, nonRetryable: true });
  const policy = parsePolicy({ timeZone: property.timeZone, ...(property.policy ?? {}) });
  const { from, to } = monthRange(month, policy.timeZone);
  const sql = em.getConnection();

  // R1: an invalid repair gets no visit, so it is no subject.
  const repairs = await sql.execute<{ id: string; area_id: string; assignee_id: string | null }[]>(
    `select id, area_id, assignee_id from service_case
      where property_id = ? and kind = 'repair' and received_at >= ? and received_at < ? and status <> 'invalid'`,
    [propertyId, from, to],
  );
  const repairIds = repairs.map((r) => r.id);
  // A repair's visits are opened after it was received: the list index bounds the scan.
  const visits = repairIds.length
    ? await sql.execute<{ id: string; parent_id: string; outcome: ReturnVisitResult | null; due_at: string | Date | null; closed_at: string | Date | null; exempt_reason: string | null; missed_due: string | null }[]>(
        `select v.id, v.parent_id, v.outcome, v.due_at, v.closed_at,
                (select e.payload->>'reason' from case_event e where e.case_id = v.id and e.action = 'exempt' order by e.seq desc limit 1) as exempt_reason,
                (select e.payload->>'dueAt' from case_event e where e.case_id = v.id and e.action = 'deadline-missed' and e.payload->>'deadline' = 'visit' order by e.seq limit 1) as missed_due
           from (select c.*, (select l->>'caseId' from jsonb_array_elements(c.links) l where l->>'relation' = 'parent' limit 1) as parent_id
                   from service_case c where c.property_id = ? and c.kind = 'return_visit' and c.received_at >= ?) v
          where v.parent_id in (select jsonb_array_elements_text(?::jsonb))`,
        [propertyId, from, JSON.stringify(repairIds)],
      )
    : [];
  const visitsOf = new Map<string, VisitFacts[]>();
  for (const v of [...visits].sort((a, b) => visitNumber(a.id) - visitNumber(b.id))) {
    // The driver hands timestamps over as text here.
    const instant = (value: string | Date | null) => (value === null ? null : new Date(value));
    const dueAt = instant(v.missed_due ?? v.due_at);
    visitsOf.set(v.parent_id, [
      ...(visitsOf.get(v.parent_id) ?? []),
      { caseId: v.id, outcome: v.outcome, exemptReason: v.outcome === 'exempt' ? v.exempt_reason : null, dueAt, doneAt: v.outcome ? instant(v.closed_at) : null, missed: v.missed_due !== null },
    ]);
  }
  const subjects: VisitSubject[] = repairs.map((r) => ({ kind: 'repair', caseId: r.id, areaId: r.area_id, engineerId: r.assignee_id, visits: visitsOf.get(r.id) ?? [] }));

  // C7: complaints whose handling was first recorded done in the month (not again after an unsatisfied visit, C8).
  const complaints = await sql.execute<{ id: string; area_id: string; status: string }[]>(
    `select c.id, c.area_id, c.status from service_case c
      where c.id in (select e.case_id from case_event e where e.action = 'recordHandling' and e.at >= ? and e.at < ?)
        and c.property_id = ? and c.kind = 'complaint' and c.complaint_kind = 'customer' and c.status <> 'invalid'
        and not exists (select 1 from case_event e where e.case_id = c.id and e.action = 'recordHandling' and e.at < ?)`,
    [from, to, propertyId, from],
  );
  const events = complaints.length
    ? await sql.execute<{ case_id: string; action: string; at: string | Date; payload: Record<string, unknown> }[]>(
        `select case_id, action, at, payload from case_event where case_id in (select jsonb_array_elements_text(?::jsonb)) and action in (select jsonb_array_elements_text(?::jsonb))
          order by case_id, seq`,
        [JSON.stringify(complaints.map((c) => c.id)), JSON.stringify(COMPLAINT_VISIT_EVENTS)],
      )
    : [];
  for (const c of complaints) {
    const own = events.filter((e) => e.case_id === c.id).map((e) => ({ action: e.action, at: new Date(e.at), payload: e.payload }));
    subjects.push({ kind: 'complaint', caseId: c.id, areaId: c.area_id, engineerId: null, visits: complaintVisits({ caseId: c.id, status: c.status, events: own, policy }) });
  }
  return returnVisitReport({ propertyId, month, timeZone: policy.timeZone, asOf, subjects });
}
