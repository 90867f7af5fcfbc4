/**
 * Bulk imports of households (with their contacts and archive fields) and of staff (with their roles
 * and areas) from a table — a CSV or XLSX file read at the edge (api/import-files.ts). What a valid
 * row is, and what each row would do against the property as it stands (create, change, leave
 * unchanged or refuse, and why), is decided here. Pure: no I/O.
 */
import type { z } from 'zod';
import { archiveFieldsSchema, contactSchema, diffFields, PERSONAL_CONTACT_FIELDS, phoneDigits, type FieldChange } from './archive';
import { rolesTheGrantorMayNotChange, ROLES, type Role } from './people';
import { ROOM_PATTERN, roomFitsBuilding, unitOfRoom } from './places';

/** A table's cell: its text, or a formula (an XLSX formula cell, whatever its cached result). */
export type Cell = string | { formula: string };

export interface Table {
  headers: string[];
  /** Data rows; `line` is the row's number in the file (the header is line 1). */
  rows: { line: number; cells: Cell[] }[];
}

export const MAX_IMPORT_ROWS = 20_000;
/** No field of a household or staff member is longer; a longer cell is refused without being echoed. */
export const MAX_CELL_LENGTH = 2000;

export type ImportKind = 'households' | 'staff';

interface Column {
  /** The field it fills. */
  field: string;
  /** Header names it is recognised by (case and spaces ignored): English, then Chinese. */
  names: string[];
  required?: boolean;
  /** A column whose values may start with + (a phone number in international form). */
  phone?: boolean;
}

const HOUSEHOLD_COLUMNS: Column[] = [
  { field: 'room', names: ['room', '房号'], required: true },
  { field: 'area', names: ['area', 'areaId', '片区'], required: true },
  { field: 'building', names: ['building', 'buildingId', '楼栋'], required: true },
  { field: 'moveInDate', names: ['moveInDate', '入住日期'] },
  { field: 'membersCount', names: ['membersCount', '人数', '家庭人数'] },
  { field: 'occupation', names: ['occupation', '职业'] },
  { field: 'ageBand', names: ['ageBand', '年龄段'] },
  { field: 'hobbies', names: ['hobbies', '爱好'] },
  { field: 'skills', names: ['skills', '特长'] },
  { field: 'pets', names: ['pets', '宠物'] },
  { field: 'festivals', names: ['festivals', '节日'] },
  { field: 'serviceNeeds', names: ['serviceNeeds', '服务需求'] },
  ...[1, 2].flatMap((n) => {
    const p = n === 1 ? 'contact' : 'contact2';
    const zh = n === 1 ? '联系人' : '联系人2';
    return [
      { field: `${p}Name`, names: [`${p}Name`, `${zh}姓名`] },
      { field: `${p}Phone`, names: [`${p}Phone`, `${zh}电话`], phone: true },
      { field: `${p}Email`, names: [`${p}Email`, `${zh}邮箱`] },
      { field: `${p}Relation`, names: [`${p}Relation`, `${zh}关系`] },
    ];
  }),
];

const STAFF_COLUMNS: Column[] = [
  { field: 'id', names: ['id', 'staffId', '工号'], required: true },
  { field: 'name', names: ['name', '姓名'], required: true },
  { field: 'email', names: ['email', '邮箱'], required: true },
  { field: 'roles', names: ['roles', '角色'], required: true },
  { field: 'areas', names: ['areas', 'areaIds', '片区'] },
];

export const IMPORT_COLUMNS: Record<ImportKind, Column[]> = { households: HOUSEHOLD_COLUMNS, staff: STAFF_COLUMNS };

const normaliseHeader = (name: string) => name.replace(/\s+/g, '').toLowerCase();

/** A file that cannot be imported at all: nothing in it is looked at row by row. */
export interface FileProblem {
  column?: string;
  reason: string;
}

/** Which column of the table fills which field; problems when a header is unknown, repeated or missing. */
export function mapColumns(kind: ImportKind, headers: string[]): { fields: (string | undefined)[] } | { problems: FileProblem[] } {
  const columns = IMPORT_COLUMNS[kind];
  const problems: FileProblem[] = [];
  const unknown: string[] = [];
  const fields = headers.map((header) => {
    if (!header.trim()) return undefined;
    const column = columns.find((c) => c.names.some((n) => normaliseHeader(n) === normaliseHeader(header)));
    if (!column) unknown.push(header.length > 40 ? `${header.slice(0, 40)}…` : header);
    return column?.field;
  });
  // A file that is not a table of ours at all (junk) has a header of junk: ten of its columns say enough.
  for (const header of unknown.slice(0, 10)) problems.push({ column: header, reason: `unknown column; the columns are ${columns.map((c) => c.names[0]).join(', ')}` });
  if (unknown.length > 10) problems.push({ reason: `and ${unknown.length - 10} more unknown columns` });
  for (const column of columns) {
    const count = fields.filter((f) => f === column.field).length;
    if (count > 1) problems.push({ column: column.names[0], reason: 'the column appears more than once' });
    if (count === 0 && column.required) problems.push({ column: column.names[0], reason: 'required column missing' });
  }
  return problems.length ? { problems } : { fields };
}

/**
 * Cells a spreadsheet would run as a formula when the file is opened (CSV injection): refused,
 * never stored. A phone number written +86… is a phone number, not a formula.
 */
export function formulaProblem(cell: Cell, column: Column | undefined): string | undefined {
  if (typeof cell !== 'string') return `a formula (=${cell.formula.slice(0, 40)}): type the value instead`;
  if (!/^[=+\-@\t\r]/.test(cell)) return undefined;
  if (column?.phone && /^\+[0-9][0-9\- ]{4,19}$/.test(cell)) return undefined;
  return `starts with "${cell[0] === '\t' ? '\\t' : cell[0] === '\r' ? '\\r' : cell[0]}", which a spreadsheet runs as a formula: remove it`;
}

/** One row read against the columns: the fields it gives (empty cells left out) or why it cannot be read. */
export function readRow(kind: ImportKind, fields: (string | undefined)[], cells: Cell[]): { values: Record<string, string> } | { reasons: string[] } {
  const columns = IMPORT_COLUMNS[kind];
  const reasons: string[] = [];
  const values: Record<string, string> = {};
  cells.forEach((cell, i) => {
    const field = fields[i];
    if (field === undefined) {
      if (typeof cell !== 'string' || cell.trim()) reasons.push(`a value in column ${i + 1}, which has no header`);
      return;
    }
    const column = columns.find((c) => c.field === field);
    if (typeof cell === 'string' && cell.length > MAX_CELL_LENGTH) {
      reasons.push(`${column!.names[0]}: longer than ${MAX_CELL_LENGTH} characters`);
      return;
    }
    const formula = formulaProblem(cell, column);
    if (formula) {
      reasons.push(`${column!.names[0]}: ${formula}`);
      return;
    }
    const text = (cell as string).trim();
    if (text) values[field] = text;
  });
  return reasons.length ? { reasons } : { values };
}

const LIST_SEPARATORS = /[;；、,，|]/;
const list = (text: string | undefined) => (text ?? '').split(LIST_SEPARATORS).map((s) => s.trim()).filter(Boolean);

/** 2026-10-01, 2026/10/1 or 2026.10.1 → 2026-10-01; anything else as given (the schema says why). */
function date(text: string | undefined): string | undefined {
  const m = text && /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$/.exec(text);
  return m ? `${m[1]}-${m[2].padStart(2, '0')}-${m[3].padStart(2, '0')}` : text;
}

const issues = (error: z.ZodError, prefix = '') => error.issues.map((i) => `${prefix}${i.path.join('.') || 'value'}: ${i.message}`);

// ---- households ----

export type ImportAction = 'create' | 'update' | 'unchanged' | 'refused';

export interface HouseholdRowPlan {
  line: number;
  room: string | null;
  action: ImportAction;
  reasons: string[];
  /** What an update changes (personal values named only); empty for a creation, which writes its row as read. */
  changes: FieldChange[];
}

export interface ParsedHousehold {
  room: string;
  areaId: string;
  buildingId: string;
  archive: z.infer<typeof archiveFieldsSchema>;
  contacts: z.infer<typeof contactSchema>[];
}

export interface ExistingContact {
  id: number;
  name: string;
  phone: string;
  email: string | null;
  relation: string;
}

export interface ExistingHousehold {
  id: string;
  buildingId: string;
  archive: Record<string, unknown>;
  contacts: ExistingContact[];
}

export interface HouseholdContext {
  areaIds: ReadonlySet<string>;
  /** Buildings of the property with their area and registered units. */
  buildings: ReadonlyMap<string, { areaId: string; units: string[] }>;
  /** The archive by room. */
  existing: ReadonlyMap<string, ExistingHousehold>;
  /** A butler imports into their own areas only; undefined for the whole property. */
  allowedAreaIds?: readonly string[];
}

/** What a confirmed import writes for one household. */
export interface HouseholdWrite {
  line: number;
  action: 'create' | 'update';
  household: ParsedHousehold;
  existingId?: string;
  archiveChanges: FieldChange[];
  newContacts: z.infer<typeof contactSchema>[];
  contactUpdates: { id: number; values: Record<string, unknown>; changes: FieldChange[] }[];
}

/** A row's household: its place, archive fields and contacts, validated as the archive API validates them. */
export function parseHouseholdRow(values: Record<string, string>): { household: ParsedHousehold } | { reasons: string[] } {
  const reasons: string[] = [];
  const room = values.room ?? '';
  if (!ROOM_PATTERN.test(room)) reasons.push('room: must be "building-unit-room", e.g. "1-1-301"');
  const archiveInput: Record<string, unknown> = {
    moveInDate: date(values.moveInDate),
    membersCount: values.membersCount === undefined ? undefined : /^\d+$/.test(values.membersCount) ? Number(values.membersCount) : values.membersCount,
    occupation: values.occupation,
    ageBand: values.ageBand,
    hobbies: values.hobbies === undefined ? undefined : list(values.hobbies),
    skills: values.skills === undefined ? undefined : list(values.skills),
    pets: values.pets === undefined ? undefined : list(values.pets),
    festivals: values.festivals === undefined ? undefined : list(values.festivals),
    serviceNeeds: values.serviceNeeds,
  };
  const archive = archiveFieldsSchema.safeParse(Object.fromEntries(Object.entries(archiveInput).filter(([, v]) => v !== undefined)));
  if (!archive.success) reasons.push(...issues(archive.error));
  const contacts: z.infer<typeof contactSchema>[] = [];
  for (const [n, prefix] of [[1, 'contact'], [2, 'contact2']] as const) {
    const given = ['Name', 'Phone', 'Email', 'Relation'].filter((k) => values[`${prefix}${k}`] !== undefined);
    if (given.length === 0) continue;
    const parsed = contactSchema.safeParse({
      name: values[`${prefix}Name`],
      phone: values[`${prefix}Phone`],
      ...(values[`${prefix}Email`] ? { email: values[`${prefix}Email`] } : {}),
      ...(values[`${prefix}Relation`] ? { relation: values[`${prefix}Relation`] } : {}),
      primary: n === 1,
    });
    if (parsed.success) contacts.push(parsed.data);
    else reasons.push(...issues(parsed.error, `${prefix}`).map((r) => r.replace(`${prefix}name`, `${prefix}Name`).replace(`${prefix}phone`, `${prefix}Phone`).replace(`${prefix}email`, `${prefix}Email`)));
  }
  if (contacts.length === 2 && phoneDigits(contacts[0].phone) === phoneDigits(contacts[1].phone)) reasons.push('contact2Phone: the same phone as the first contact');
  if (reasons.length || !archive.success) return { reasons };
  return { household: { room, areaId: values.area, buildingId: values.building, archive: archive.data, contacts } };
}

const contactValues = (c: ExistingContact) => ({ name: c.name, phone: c.phone, email: c.email, relation: c.relation });

/** What each row of a household table would do against the property as it stands. */
export function planHouseholds(table: Table, fields: (string | undefined)[], ctx: HouseholdContext): { rows: HouseholdRowPlan[]; writes: HouseholdWrite[] } {
  const rows: HouseholdRowPlan[] = [];
  const writes: HouseholdWrite[] = [];
  const seenRooms = new Map<string, number>();
  for (const { line, cells } of table.rows) {
    const refuse = (room: string | null, reasons: string[]) => rows.push({ line, room, action: 'refused', reasons, changes: [] });
    const read = readRow('households', fields, cells);
    if ('reasons' in read) {
      refuse(null, read.reasons);
      continue;
    }
    const parsed = parseHouseholdRow(read.values);
    const room = read.values.room ?? null;
    if ('reasons' in parsed) {
      refuse(room, parsed.reasons);
      continue;
    }
    const h = parsed.household;
    const reasons: string[] = [];
    const first = seenRooms.get(h.room);
    if (first !== undefined) reasons.push(`duplicate room: also on line ${first}`);
    else seenRooms.set(h.room, line);
    const building = ctx.buildings.get(h.buildingId);
    if (!ctx.areaIds.has(h.areaId)) reasons.push(`unknown area ${h.areaId}`);
    else if (ctx.allowedAreaIds && !ctx.allowedAreaIds.includes(h.areaId)) reasons.push(`area ${h.areaId} is not one of yours`);
    else if (!building) reasons.push(`unknown building ${h.buildingId}`);
    else if (building.areaId !== h.areaId) reasons.push(`building ${h.buildingId} is in area ${building.areaId}, not ${h.areaId}`);
    else if (!roomFitsBuilding(h.room, building.units)) reasons.push(`building ${h.buildingId} has no unit ${unitOfRoom(h.room)} (its units: ${building.units.join(', ')})`);
    const existing = ctx.existing.get(h.room);
    if (existing && existing.buildingId !== h.buildingId) reasons.push(`room ${h.room} is archived in building ${existing.buildingId}, not ${h.buildingId}`);
    if (reasons.length) {
      refuse(h.room, reasons);
      continue;
    }
    if (!existing) {
      // A new household is its row as read: the report need not echo it back.
      rows.push({ line, room: h.room, action: 'create', reasons: [], changes: [] });
      writes.push({ line, action: 'create', household: h, archiveChanges: diffFields({}, { room: h.room, ...h.archive }), newContacts: h.contacts, contactUpdates: [] });
      continue;
    }
    const archiveChanges = diffFields(existing.archive, h.archive);
    const newContacts: z.infer<typeof contactSchema>[] = [];
    const contactUpdates: HouseholdWrite['contactUpdates'] = [];
    for (const contact of h.contacts) {
      const match = existing.contacts.find((c) => phoneDigits(c.phone) === phoneDigits(contact.phone));
      if (!match) {
        newContacts.push({ ...contact, primary: false });
        continue;
      }
      // A contact already known by phone: its name, e-mail and relation are brought up to date; the rest is left.
      const wanted: Record<string, unknown> = { name: contact.name, relation: contact.relation, ...(contact.email ? { email: contact.email } : {}) };
      const changes = diffFields(contactValues(match), wanted, PERSONAL_CONTACT_FIELDS);
      if (changes.length) contactUpdates.push({ id: match.id, values: wanted, changes });
    }
    const changes = [
      ...archiveChanges,
      ...newContacts.flatMap((c) => diffFields({}, c, PERSONAL_CONTACT_FIELDS).map((f) => ({ ...f, field: `newContact.${f.field}` }))),
      ...contactUpdates.flatMap((u) => u.changes.map((f) => ({ ...f, field: `contact${u.id}.${f.field}` }))),
    ];
    if (changes.length === 0) {
      rows.push({ line, room: h.room, action: 'unchanged', reasons: [], changes: [] });
      continue;
    }
    rows.push({ line, room: h.room, action: 'update', reasons: [], changes });
    writes.push({ line, action: 'update', household: h, existingId: existing.id, archiveChanges, newContacts, contactUpdates });
  }
  return { rows, writes };
}

// ---- staff ----

export interface StaffRowPlan {
  line: number;
  staffId: string | null;
  action: ImportAction;
  reasons: string[];
  changes: FieldChange[];
}

export interface ParsedStaff {
  id: string;
  name: string;
  email: string;
  roles: Role[];
  areaIds: string[];
}

export interface ExistingStaff extends ParsedStaff {
  propertyId: string;
}

export interface StaffContext {
  propertyId: string;
  areaIds: ReadonlySet<string>;
  /** Staff by id, of every property (a staff number is unique across the deployment). */
  existing: ReadonlyMap<string, ExistingStaff>;
  /** The roles of whoever imports: hr and audit are granted only by their holders (or the command line). */
  importerRoles: readonly Role[];
}

export interface StaffWrite {
  line: number;
  action: 'create' | 'update';
  staff: ParsedStaff;
  changes: FieldChange[];
}

const STAFF_ID = /^S-[A-Z0-9-]{1,30}$/;

export function planStaff(table: Table, fields: (string | undefined)[], ctx: StaffContext): { rows: StaffRowPlan[]; writes: StaffWrite[] } {
  const rows: StaffRowPlan[] = [];
  const writes: StaffWrite[] = [];
  const seen = new Map<string, number>();
  for (const { line, cells } of table.rows) {
    const read = readRow('staff', fields, cells);
    if ('reasons' in read) {
      rows.push({ line, staffId: null, action: 'refused', reasons: read.reasons, changes: [] });
      continue;
    }
    const v = read.values;
    const reasons: string[] = [];
    const id = v.id ?? '';
    if (!STAFF_ID.test(id)) reasons.push('id: must be a staff number like S-BT3');
    if (!v.name || v.name.length > 64) reasons.push('name: 1 to 64 characters');
    if (!v.email || !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(v.email) || v.email.length > 200) reasons.push('email: must be an e-mail address');
    const roles = list(v.roles);
    const unknownRoles = roles.filter((r) => !ROLES.includes(r as Role));
    if (roles.length === 0) reasons.push('roles: at least one');
    if (unknownRoles.length) reasons.push(`roles: unknown ${unknownRoles.join(', ')} (roles are ${ROLES.join(', ')})`);
    const areaIds = [...new Set(list(v.areas))];
    const unknownAreas = areaIds.filter((a) => !ctx.areaIds.has(a));
    if (unknownAreas.length) reasons.push(`unknown area ${unknownAreas.join(', ')}`);
    const first = seen.get(id);
    if (first !== undefined) reasons.push(`duplicate staff number: also on line ${first}`);
    else if (id) seen.set(id, line);
    const existing = ctx.existing.get(id);
    if (existing && existing.propertyId !== ctx.propertyId) reasons.push(`staff number ${id} is taken`);
    const staff: ParsedStaff = { id, name: v.name ?? '', email: v.email ?? '', roles: [...new Set(roles)] as Role[], areaIds };
    if (unknownRoles.length === 0) {
      const refused = rolesTheGrantorMayNotChange(ctx.importerRoles, existing?.propertyId === ctx.propertyId ? existing.roles : [], staff.roles);
      if (refused.length) reasons.push(`roles: ${refused.join(', ')} may be granted or taken away only by a holder of that role or from the command line`);
    }
    if (reasons.length) {
      rows.push({ line, staffId: id || null, action: 'refused', reasons, changes: [] });
      continue;
    }
    if (!existing) {
      rows.push({ line, staffId: id, action: 'create', reasons: [], changes: [] });
      writes.push({ line, action: 'create', staff, changes: diffFields({}, { ...staff }) });
      continue;
    }
    const changes = diffFields({ name: existing.name, email: existing.email, roles: [...existing.roles].sort(), areaIds: [...existing.areaIds].sort() }, {
      name: staff.name,
      email: staff.email,
      roles: [...staff.roles].sort(),
      areaIds: [...staff.areaIds].sort(),
    });
    if (changes.length === 0) rows.push({ line, staffId: id, action: 'unchanged', reasons: [], changes: [] });
    else {
      rows.push({ line, staffId: id, action: 'update', reasons: [], changes });
      writes.push({ line, action: 'update', staff, changes });
    }
  }
  return { rows, writes };
}

// ---- the report ----

export interface ImportReport {
  kind: ImportKind;
  /** The file could not be imported at all (unreadable, wrong columns, too many rows). */
  fileProblems: FileProblem[];
  counts: Record<ImportAction, number>;
  rows: (HouseholdRowPlan | StaffRowPlan)[];
  /** Whether a confirmation would write it: a readable file with no refused row and something to do. */
  confirmable: boolean;
}

export function importReport(kind: ImportKind, fileProblems: FileProblem[], rows: (HouseholdRowPlan | StaffRowPlan)[]): ImportReport {
  const counts: Record<ImportAction, number> = { create: 0, update: 0, unchanged: 0, refused: 0 };
  for (const row of rows) counts[row.action]++;
  return { kind, fileProblems, counts, rows, confirmable: fileProblems.length === 0 && counts.refused === 0 && counts.create + counts.update > 0 };
}
