import { ApplicationFailure } from '@temporalio/common';
import { calendarSources, localYear, missingNationalYears, type MissingCalendar } from '../db/calendar-store';
import { assumedYearsNote, calendarMissingKey, type CalendarSnapshot } from '../domain/calendar';
import { buildCalendarSnapshot } from '../domain/calendar-data';
import type { ActivityDeps } from './deps';
import { createNotifyActivities, type NotifyInput } from './notify';

/** The mail that tells a property's managers a year's national arrangement is missing (once per property and year). */
export function calendarMissingNotice(propertyId: string, year: number): NotifyInput {
  return {
    idempotencyKey: calendarMissingKey(propertyId, year),
    propertyId,
    roles: ['manager'],
    template: 'calendarMissing',
    data: { propertyId, year },
  };
}

export function createCalendarActivities({ orm, clock }: ActivityDeps) {
  return {
    /**
     * C3/C11/S4: the property's working-day calendar for this year and next (the national
     * arrangement, loaded or the package's, with the property's overrides), carried in the
     * workflow's state for its whole life. A year nobody has published is assumed Monday–Friday
     * and listed in `assumedYears`: the case opens regardless.
     */
    async loadCalendar(propertyId: string): Promise<CalendarSnapshot> {
      const now = clock();
      const sources = await calendarSources(orm.em.fork(), propertyId, (timeZone) => ({ fromYear: localYear(now, timeZone), toYear: localYear(now, timeZone) + 1 }));
      if (!sources) throw ApplicationFailure.create({ type: 'UnknownProperty', message: `no property ${propertyId}`, nonRetryable: true });
      return buildCalendarSnapshot(sources);
    },
  };
}

/**
 * At the worker's start: the properties whose current or next year has no national arrangement.
 * Each is logged, and the property's managers are mailed (once per property and year, as a case
 * would: the same key). A mail that cannot go out now is left to the next case or start; the
 * worker starts regardless.
 */
export async function announceMissingCalendars(
  deps: ActivityDeps,
  logger: { warn(meta: Record<string, unknown>, message: string): void },
): Promise<MissingCalendar[]> {
  const missing = await missingNationalYears(deps.orm.em.fork(), deps.clock());
  const { notify } = createNotifyActivities(deps);
  for (const { propertyId, year } of missing) {
    logger.warn({ propertyId, year }, `${assumedYearsNote([year])}: load it with PUT /api/v1/calendar/national/${year}`);
    await notify(calendarMissingNotice(propertyId, year)).catch((error: Error) =>
      logger.warn({ propertyId, year, reason: error.message }, 'the managers could not be mailed about the missing calendar now'),
    );
  }
  return missing;
}
