/**
 * The customer archive (客户档案, docs/rules.md §0): its fields, who may read residents' personal data,
 * how a change is audited, and the yearly summary. Pure: no I/O.
 */
import { z } from 'zod';
import { phone } from './fields';
import { toCsv } from './csv';
import type { Role } from './people';

/** Age bands of the archive (the seed's and the paper form's). */
export const AGE_BANDS = ['0-17', '18-30', '31-45', '46-60', '60+'] as const;

/**
 * Roles that see residents' names, phones and e-mail addresses: those who take, follow and answer
 * their requests. A butler only in their own areas (the API hides other areas' households); an
 * engineer only the contact of a work order assigned to them; nobody else.
 */
export const PERSONAL_DATA_ROLES: readonly Role[] = ['frontdesk', 'butler', 'supervisor', 'manager', 'callcenter'];

/** Whether these roles may look a caller up by phone or name (the search shows whom they speak to). */
export function maySearchByPersonalData(roles: readonly Role[]): boolean {
  return roles.some((r) => PERSONAL_DATA_ROLES.includes(r));
}

/**
 * Whether a staff member sees a household's names, phones and e-mail addresses: the service-desk
 * roles always, an engineer only while a work order of that household is assigned to them
 * (`hasOpenOrderThere`, asked of the read model only for an engineer: `needsOpenOrderCheck`).
 */
export function seesPersonalData(roles: readonly Role[], hasOpenOrderThere: boolean): boolean {
  return maySearchByPersonalData(roles) || (roles.includes('engineer') && hasOpenOrderThere);
}

/** Whether `seesPersonalData` depends on the staff member's open work orders. */
export function needsOpenOrderCheck(roles: readonly Role[]): boolean {
  return !maySearchByPersonalData(roles) && roles.includes('engineer');
}

/**
 * Whether a household page lists its complaints: not for an engineer alone, who reads no complaints.
 * Only customer complaints ever appear there — employee complaints and reports concern staff, not
 * the household, and only hr/audit see them (C2).
 */
export function seesHouseholdComplaints(roles: readonly Role[]): boolean {
  return roles.some((r) => r !== 'engineer');
}

/** Occupied on `today` (YYYY-MM-DD): moved in, and not moved out yet. */
export function isOccupied(moveInDate: string | null, moveOutDate: string | null, today: string): boolean {
  return !!moveInDate && moveInDate <= today && (!moveOutDate || moveOutDate > today);
}

/** Contact fields that are personal data: audited as "changed", never by value. */
export const PERSONAL_CONTACT_FIELDS = ['name', 'phone', 'email'] as const;

const tags = z.array(z.string().trim().min(1).max(50)).max(20);

/** A household's archive fields (§0); every one optional on update. */
export const archiveFieldsSchema = z
  .object({
    moveInDate: z.iso
      .date()
      .refine((d) => d >= '1900-01-01' && d <= '2999-12-31', 'must be between 1900 and 2999')
      .nullable()
      .describe('入住 date, YYYY-MM-DD'),
    membersCount: z.number().int().min(0).max(50).nullable(),
    occupation: z.string().trim().min(1).max(100).nullable().describe("the owner's occupation"),
    ageBand: z.enum(AGE_BANDS).nullable().describe("the owner's age band"),
    hobbies: tags,
    skills: tags,
    pets: tags,
    festivals: tags.describe('festivals the household cares about'),
    serviceNeeds: z.string().trim().min(1).max(2000).nullable().describe('personal service needs (个性化服务需求)'),
  })
  .partial()
  .strict();
export type ArchiveFields = z.infer<typeof archiveFieldsSchema>;

/** One member of the household the service centre can reach, with their own archive fields. */
export const contactSchema = z
  .object({
    name: z.string().trim().min(1).max(64),
    phone: phone(),
    email: z.email().max(200).nullable().optional(),
    relation: z.string().trim().min(1).max(32).default('owner'),
    primary: z.boolean().default(false),
    occupation: z.string().trim().min(1).max(100).nullable().optional(),
    ageBand: z.enum(AGE_BANDS).nullable().optional(),
  })
  .strict();
export type ContactInput = z.infer<typeof contactSchema>;

export const contactUpdateSchema = z
  .object({
    name: z.string().trim().min(1).max(64),
    phone: phone(),
    email: z.email().max(200).nullable(),
    relation: z.string().trim().min(1).max(32),
    primary: z.boolean(),
    occupation: z.string().trim().min(1).max(100).nullable(),
    ageBand: z.enum(AGE_BANDS).nullable(),
  })
  .partial()
  .strict()
  .refine((v) => Object.keys(v).length > 0, { message: 'change at least one field' });

/**
 * A phone number compared or searched as its digits, without a leading 86/0086 country code on a
 * mainland mobile: "+86 138-0013-8000" and "13800138000" are the same number.
 */
export function phoneDigits(phone: string): string {
  const digits = phone.replace(/\D/g, '');
  return digits.replace(/^(0086|86)(?=1\d{10}$)/, '');
}

/** The digits to look for in stored phones when searching: a typed +86 / 0086 country code is dropped. */
export function searchedPhoneDigits(typed: string): string {
  const digits = typed.replace(/\D/g, '');
  return /^\s*(\+|00)86/.test(typed) ? digits.replace(/^(00)?86/, '') : phoneDigits(digits);
}

export interface FieldChange {
  field: string;
  old?: unknown;
  new?: unknown;
  personal?: true;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/** The fields `next` changes in `current`; personal fields are named without their values. */
export function diffFields(current: Record<string, unknown>, next: Record<string, unknown>, personal: readonly string[] = []): FieldChange[] {
  const changes: FieldChange[] = [];
  for (const [field, value] of Object.entries(next)) {
    if (value === undefined || same(current[field], value)) continue;
    changes.push(personal.includes(field) ? { field, personal: true } : { field, old: current[field] ?? null, new: value });
  }
  return changes;
}

export interface ArchiveSummaryInput {
  membersCount: number | null;
  occupation: string | null;
  ageBand: string | null;
  pets: string[];
  festivals: string[];
  serviceNeeds: string | null;
  moveInDate: string | null;
  contacts: { occupation: string | null; ageBand: string | null }[];
}

export interface ArchiveSummary {
  year: number;
  households: number;
  members: number;
  /**
   * People's occupations and age bands, each person once: the members' own values where the archive
   * has them, else the household's (which describe the owner).
   */
  occupations: Record<string, number>;
  ageBands: Record<string, number>;
  pets: Record<string, number>;
  householdsWithPets: number;
  festivals: Record<string, number>;
  householdsWithServiceNeeds: number;
  movedInThisYear: number;
  /** Archive changes recorded in the year: how current the archive is kept. */
  changesThisYear: number;
}

const tally = (counts: Record<string, number>, key: string | null | undefined) => {
  if (key) counts[key] = (counts[key] ?? 0) + 1;
};

/** The yearly summary of a property's archive (§0: occupation/age distribution, pets, needs). */
export function summariseArchive(year: number, households: ArchiveSummaryInput[], changesThisYear: number): ArchiveSummary {
  const summary: ArchiveSummary = {
    year,
    households: households.length,
    members: 0,
    occupations: {},
    ageBands: {},
    pets: {},
    householdsWithPets: 0,
    festivals: {},
    householdsWithServiceNeeds: 0,
    movedInThisYear: 0,
    changesThisYear,
  };
  for (const h of households) {
    summary.members += h.membersCount ?? 0;
    for (const field of ['occupation', 'ageBand'] as const) {
      const counts = field === 'occupation' ? summary.occupations : summary.ageBands;
      const members = h.contacts.map((c) => c[field]).filter((v): v is string => !!v);
      if (members.length) for (const value of members) tally(counts, value);
      else tally(counts, h[field]);
    }
    for (const pet of h.pets) tally(summary.pets, pet);
    if (h.pets.length) summary.householdsWithPets++;
    for (const festival of h.festivals) tally(summary.festivals, festival);
    if (h.serviceNeeds) summary.householdsWithServiceNeeds++;
    if (h.moveInDate?.startsWith(`${year}-`)) summary.movedInThisYear++;
  }
  return summary;
}

/** The same summary as CSV rows `section,key,count` (a spreadsheet opens it as is: domain/csv.ts). Its keys are what staff typed. */
export function archiveSummaryCsv(summary: ArchiveSummary): string {
  const rows: (string | number)[][] = [['section', 'key', 'count']];
  for (const key of ['households', 'members', 'householdsWithPets', 'householdsWithServiceNeeds', 'movedInThisYear', 'changesThisYear'] as const) {
    rows.push(['total', key, summary[key]]);
  }
  for (const section of ['occupations', 'ageBands', 'pets', 'festivals'] as const) {
    for (const [key, count] of Object.entries(summary[section]).sort(([a], [b]) => a.localeCompare(b))) rows.push([section, key, count]);
  }
  return toCsv(rows);
}
