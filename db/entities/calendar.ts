import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import type { NamedDate } from '../../domain/calendar-data';

/**
 * A year's national holiday arrangement as a manager loaded it (`PUT /api/v1/calendar/national/{year}`):
 * it replaces what the chinese-days package ships for that year, for every property.
 */
export const NationalCalendarYear = defineEntity({
  name: 'NationalCalendarYear',
  tableName: 'national_calendar_year',
  properties: {
    year: p.integer().primary().autoincrement(false),
    holidays: p.json<NamedDate[]>(),
    workdays: p.json<NamedDate[]>(),
    /** How it arrived: `json` or `ics`. */
    format: p.string().length(8),
    loadedBy: p.string().length(32),
    loadedAt: p.datetime(),
  },
});
export type INationalCalendarYear = InferEntity<typeof NationalCalendarYear>;
