/** How a case opens: the note a case makes when its working days are partly assumed. */
import { assumedYearsNote, calendarMissingKey, type CalendarSnapshot } from '../../domain/calendar';
import { SYSTEM_ACTOR } from '../../domain/people';
import type { CaseTracker } from './tracker';

/**
 * A case that counts working days on a calendar with assumed years (no national arrangement loaded
 * for them) says so in its audit log, its view and its UI details, and the property's managers are
 * told — once per property and year, whichever case tells them first.
 */
export async function noteAssumedCalendar(tracker: CaseTracker, calendar: CalendarSnapshot): Promise<void> {
  const years = calendar.assumedYears ?? [];
  if (years.length === 0) return;
  const note = assumedYearsNote(years);
  tracker.state.notes = [...(tracker.state.notes ?? []), note];
  await tracker.audit('calendar-assumed', SYSTEM_ACTOR, { years, note });
  const propertyId = tracker.state.propertyId;
  await tracker.mail(
    `tell the managers: national calendar ${years.join(', ')} not loaded`,
    years.map((year) => ({ idempotencyKey: calendarMissingKey(propertyId, year), propertyId, roles: ['manager'], template: 'calendarMissing', data: { propertyId, year } })),
  );
}
