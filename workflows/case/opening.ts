/** How a case opens: the API's wait for its row, and the note a case makes when its working days are partly assumed. */
import { condition, setHandler } from '@temporalio/workflow';
import { assumedYearsNote, calendarMissingKey, type CalendarSnapshot } from '../../domain/calendar';
import { caseOpenedUpdate } from '../messages';
import { SYSTEM_ACTOR } from '../../domain/people';
import type { CaseTracker } from './tracker';

export interface OpeningGate {
  opened(): void;
}

/**
 * The API starts a case with an update (`caseOpened`) that answers once the case row is written.
 * Called first thing in the workflow, before anything is awaited: an update without a handler in the
 * workflow's first task is refused.
 */
export function awaitOpening(caseId: string): OpeningGate {
  let open = false;
  setHandler(caseOpenedUpdate, async () => {
    await condition(() => open);
    return { caseId };
  });
  return {
    opened: () => {
      open = true;
    },
  };
}

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
