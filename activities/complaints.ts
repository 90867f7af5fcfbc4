import { ApplicationFailure } from '@temporalio/common';
import { Property } from '../db/entities';
import type { CalendarSnapshot } from '../domain/calendar';
import { buildCalendarSnapshot } from '../domain/calendar-data';
import type { ActivityDeps } from './deps';

export function createComplaintActivities({ orm, clock }: ActivityDeps) {
  return {
    /**
     * C3/C11: the property's working-day calendar for this year and next (national holidays and
     * adjusted working days, with the property's overrides), carried in the workflow's state.
     */
    async loadCalendar(propertyId: string): Promise<CalendarSnapshot> {
      const property = await orm.em.fork().findOne(Property, { id: propertyId });
      if (!property) throw ApplicationFailure.create({ type: 'UnknownProperty', message: `no property ${propertyId}`, nonRetryable: true });
      const year = Number(new Intl.DateTimeFormat('en', { timeZone: property.timeZone, year: 'numeric' }).format(clock()));
      return buildCalendarSnapshot({ fromYear: year, toYear: year + 1, timeZone: property.timeZone, overrides: property.calendarOverrides });
    },

    /**
     * C4: distinct complainants (household, else phone, else the case itself) of the complaints
     * linked to `issueKey` and received since `since`, and the workflows of those still open.
     */
    async issueComplainants(input: { propertyId: string; issueKey: string; since: string }): Promise<{ complainants: number; openWorkflowIds: string[] }> {
      const rows = await orm.em
        .fork()
        .getConnection()
        .execute<{ complainant: string; workflow_id: string; closed_at: Date | null }[]>(
          `select coalesce(household_id, contact_phone, id) as complainant, workflow_id, closed_at from service_case
           where kind = 'complaint' and property_id = ? and issue_key = ? and received_at >= ? and status <> 'invalid'`,
          [input.propertyId, input.issueKey, new Date(input.since)],
        );
      return {
        complainants: new Set(rows.map((r) => r.complainant)).size,
        openWorkflowIds: rows.filter((r) => !r.closed_at).map((r) => r.workflow_id).sort(),
      };
    },
  };
}
