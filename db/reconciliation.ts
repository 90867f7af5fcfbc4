/** R12: the open requests each butler reconciles, read from the read model (shared by the reconciliation activity and the API's report). */
import { ApplicationFailure } from '@temporalio/common';
import { Area, Case, Property, Staff } from './entities';
import { localDate } from '../domain/calendar';
import type { ButlerOpenRequests, OpenRequestLine, OpenRequestLists } from '../domain/reconciliation';
import type { Orm } from './orm';

/**
 * R12: every butler's list of open repairs in one pass over the read model — the repairs of the
 * areas the butler owns (Area.butlerId) or covers (Staff.areaIds), each marked with whether a
 * reason for not finishing was recorded on `asOf`'s property-local date.
 */
export async function openRequestLists(orm: Orm, input: { propertyId: string; asOf: string }): Promise<OpenRequestLists> {
  const em = orm.em.fork();
  const property = await em.findOne(Property, { id: input.propertyId });
  if (!property) {
    throw ApplicationFailure.create({ type: 'UnknownProperty', message: `no property ${input.propertyId}`, nonRetryable: true });
  }
  const timeZone = property.timeZone;
  const date = localDate(new Date(input.asOf), timeZone);
  const [areas, staff, open] = await Promise.all([
    em.find(Area, { property: input.propertyId }),
    em.find(Staff, { propertyId: input.propertyId, active: true }, { orderBy: { id: 'asc' } }),
    em.find(
      Case,
      { propertyId: input.propertyId, kind: 'repair', closedAt: null },
      {
        // Only what the list shows: the residents' contact details are never read here.
        fields: ['id', 'room', 'areaId', 'status', 'receivedAt', 'assigneeId', 'unfinishedReason', 'unfinishedReasonAt'],
        orderBy: { receivedAt: 'asc', id: 'asc' },
      },
    ),
  ]);

  const butlers: ButlerOpenRequests[] = staff
    .filter((s) => s.roles.includes('butler'))
    .map((s) => ({
      butlerId: s.id,
      areaIds: areas.filter((a) => a.butlerId === s.id || s.areaIds.includes(a.id)).map((a) => a.id),
      requests: [],
    }))
    .filter((b) => b.areaIds.length > 0);
  const unowned: OpenRequestLine[] = [];
  for (const row of open) {
    const reasonToday = !!row.unfinishedReason && !!row.unfinishedReasonAt && localDate(row.unfinishedReasonAt, timeZone) === date;
    const line: OpenRequestLine = {
      caseId: row.id,
      room: row.room ?? undefined,
      areaId: row.areaId,
      status: row.status,
      receivedAt: row.receivedAt.toISOString(),
      assigneeId: row.assigneeId ?? undefined,
      reason: row.unfinishedReason ?? undefined,
      reasonAt: row.unfinishedReasonAt?.toISOString(),
      reasonToday,
    };
    const owners = butlers.filter((b) => b.areaIds.includes(row.areaId));
    if (owners.length === 0) unowned.push(line);
    for (const owner of owners) owner.requests.push(line);
  }
  return { propertyId: input.propertyId, date, timeZone, butlers, unowned };
}
