/**
 * Places (docs/rules.md §0: property → area → building → unit → room) as a manager sets them up: the
 * fields of each and how they are written. Pure: no I/O.
 */
import { z } from 'zod';
import { LOCALES } from './words';

/** A time zone the runtime knows (IANA name, e.g. Asia/Shanghai). */
export function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

const calendarDate = z.iso.date().refine((d) => d >= '1950-01-01' && d <= '2999-12-31', 'must be between 1950 and 2999');

/** A property's own fields (项目): what the bootstrap sets and a manager edits. */
export const propertyFieldsSchema = z
  .object({
    name: z.string().trim().min(1).max(200),
    timeZone: z.string().trim().min(1).max(64).refine(isTimeZone, 'an IANA time zone, e.g. Asia/Shanghai').describe('schedules and working days follow it'),
    occupiedSince: calendarDate.nullable().describe('入住 of the property, YYYY-MM-DD (S5: survey rates depend on the occupancy age)'),
    groupEmail: z.email().max(200).nullable().describe("C3: the group's complaint contact, told of each major complaint with the 8080 centre"),
    language: z.enum(LOCALES).describe("the language of the property's mails, to staff and households alike (docs/messages.md)"),
  })
  .strict();
export type PropertyFields = z.infer<typeof propertyFieldsSchema>;

/** A property's id: a short code, e.g. P001. */
export const propertyIdSchema = z.string().regex(/^[A-Z0-9][A-Z0-9-]{0,31}$/, 'a short code of capitals, digits and dashes, e.g. P001');

/** Area and building ids are chosen by the manager, unique across the deployment: e.g. A3, P001-B5. */
export const placeIdSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$/, 'letters, digits, dashes or underscores, up to 32');

/** A unit as written in room numbers: the middle part of "building-unit-room". */
export const unitCodeSchema = z.string().trim().regex(/^[0-9A-Za-z]{1,8}$/, 'the unit as written in room numbers, e.g. "2" in 1-2-301');

const placeName = z.string().trim().min(1).max(200);

export const newAreaSchema = z
  .object({
    id: placeIdSchema,
    name: placeName,
    butlerId: z.string().max(32).nullable().default(null).describe('the butler (客服管家) who owns the area'),
  })
  .strict();

export const areaUpdateSchema = z
  .object({ name: placeName, butlerId: z.string().max(32).nullable() })
  .partial()
  .strict()
  .refine((v) => Object.keys(v).length > 0, 'change at least one field');

export const newUnitSchema = z.object({ code: unitCodeSchema, name: z.string().trim().min(1).max(100).optional().describe('default: "<code>单元"') }).strict();

export const newBuildingSchema = z
  .object({
    id: placeIdSchema,
    areaId: placeIdSchema,
    name: placeName,
    units: z.array(newUnitSchema).max(50).default([]).describe('its units (单元); rooms in other units are then refused'),
  })
  .strict();

export const buildingUpdateSchema = z
  .object({ name: placeName, areaId: placeIdSchema.describe('moves the building, with its households, to another area') })
  .partial()
  .strict()
  .refine((v) => Object.keys(v).length > 0, 'change at least one field');

export const unitUpdateSchema = z.object({ name: z.string().trim().min(1).max(100) }).strict();

export const defaultUnitName = (code: string) => `${code}单元`;

/** A room number "building-unit-room", e.g. 1-2-301. */
export const ROOM_PATTERN = /^[0-9A-Za-z]{1,8}-[0-9A-Za-z]{1,8}-[0-9A-Za-z]{1,8}$/;

/** The unit of a room number: "2" of 1-2-301. */
export const unitOfRoom = (room: string) => room.split('-')[1];

/**
 * Whether a room may be archived in a building: a building with registered units takes rooms in
 * those only; one without (set up before units were registered) takes any.
 */
export function roomFitsBuilding(room: string, units: readonly string[]): boolean {
  return units.length === 0 || units.includes(unitOfRoom(room));
}
