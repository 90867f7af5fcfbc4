/**
 * The customer archive's persistence (客户档案, docs/rules.md §0): households and their contacts,
 * each change written with its audit row in the same transaction, and the reads of the household
 * page, the lists and the yearly summary. Who may see what is decided in domain/archive.ts; the
 * route (api/routes/households.ts) only puts the two together.
 */
import { UniqueConstraintViolationException, type EntityManager } from '@mikro-orm/postgresql';
import { diffFields, PERSONAL_CONTACT_FIELDS, type ArchiveFields, type ArchiveSummaryInput, type ContactInput, type FieldChange } from '../domain/archive';
import { afterMove, moveProblem, type MoveKind } from '../domain/occupancy';
import type { Actor } from '../domain/people';
import { appendAdminAudit } from './admin-audit';
import { Case, Household, HouseholdChange, HouseholdContact, type ICase, type IHousehold, type IHouseholdChange, type IHouseholdContact } from './entities';

/** Two staff archiving the same room: the second hears it is there already. */
export class RoomAlreadyArchived extends Error {
  constructor(readonly room: string) {
    super(`room ${room} is already in the archive`);
  }
}

/** A date column as YYYY-MM-DD, or null. */
export const isoDay = (value: unknown): string | null => (value ? String(value).slice(0, 10) : null);

/** A household of the property with its building, area and contacts, or null. */
export function loadHousehold(em: EntityManager, propertyId: string, householdId: string): Promise<IHousehold | null> {
  return em.findOne(Household, { id: householdId, propertyId }, { populate: ['building', 'contacts'] });
}

/** Whether an open repair of this household is assigned to this staff member (an engineer's work order). */
export async function hasOpenOrderThere(em: EntityManager, householdId: string, staffId: string): Promise<boolean> {
  return (await em.count(Case, { householdId, assigneeId: staffId, kind: 'repair', closedAt: null })) > 0;
}

/** A household's customer complaints (when `complaints`) and major repairs, newest first (the read model). */
export function householdHistory(em: EntityManager, household: { id: string; propertyId: string }, complaints: boolean): Promise<ICase[]> {
  return em.find(
    Case,
    {
      householdId: household.id,
      propertyId: household.propertyId,
      $or: [...(complaints ? [{ kind: 'complaint', $or: [{ complaintKind: null }, { complaintKind: 'customer' }] }] : []), { kind: 'repair', severity: 'major' }],
    },
    { orderBy: { receivedAt: 'desc', id: 'desc' }, limit: 200 },
  );
}

const likePattern = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/**
 * The households of a property with a contact whose phone holds these digits (compared as digits,
 * however it was written) and whose name holds this text, in id order, at most `limit`.
 */
export async function householdIdsByContact(em: EntityManager, propertyId: string, search: { phoneDigits?: string; name?: string }, limit: number): Promise<string[]> {
  const found = await em.getConnection().execute<{ household_id: string }[]>(
    `select distinct c.household_id from household_contact c join household h on h.id = c.household_id
      where h.property_id = ?
        ${search.phoneDigits !== undefined ? "and regexp_replace(c.phone, '[^0-9]', '', 'g') like ?" : ''}
        ${search.name !== undefined ? "and c.name ilike ? escape '\\'" : ''}
      order by c.household_id limit ${Math.floor(limit)}`,
    [propertyId, ...(search.phoneDigits !== undefined ? [likePattern(search.phoneDigits)] : []), ...(search.name !== undefined ? [likePattern(search.name)] : [])],
  );
  return found.map((f) => f.household_id);
}

export interface HouseholdListFilter {
  propertyId: string;
  room?: string;
  buildingId?: string;
  /** The areas to list; undefined for every area. */
  areaIds?: readonly string[];
  /** Only these households (a search's result). */
  ids?: readonly string[];
  /** Households after this id (the cursor). */
  after?: string;
  withContacts: boolean;
  /** One more than a page, so the caller knows whether another follows. */
  limit: number;
}

/** One page of households in id order (room order within a property). */
export function listHouseholds(em: EntityManager, f: HouseholdListFilter): Promise<IHousehold[]> {
  const where: Record<string, unknown> = { propertyId: f.propertyId };
  if (f.room) where.room = f.room;
  if (f.buildingId) where.building = f.buildingId;
  if (f.areaIds) where.building = { ...(f.buildingId ? { id: f.buildingId } : {}), area: { $in: [...f.areaIds] } };
  const ids: Record<string, unknown> = {};
  if (f.after !== undefined) ids.$gt = f.after;
  if (f.ids) ids.$in = [...f.ids];
  if (Object.keys(ids).length) where.id = ids;
  return em.find(Household, where, { populate: ['building', ...(f.withContacts ? (['contacts'] as const) : [])], orderBy: { id: 'asc' }, limit: f.limit });
}

/** The archive fields of a household, as a change is compared against them. */
export const archiveOf = (h: IHousehold): Required<Omit<ArchiveFields, 'moveInDate'>> => ({
  membersCount: h.membersCount ?? null,
  occupation: h.occupation ?? null,
  ageBand: (h.ageBand ?? null) as Required<ArchiveFields>['ageBand'],
  hobbies: h.hobbies,
  skills: h.skills,
  pets: h.pets,
  festivals: h.festivals,
  serviceNeeds: h.serviceNeeds ?? null,
});

const contactFields = (c: IHouseholdContact): Record<string, unknown> => ({
  name: c.name,
  phone: c.phone,
  email: c.email ?? null,
  relation: c.relation,
  primary: c.primary,
  occupation: c.occupation ?? null,
  ageBand: c.ageBand ?? null,
});

function audit(em: EntityManager, household: { id: string; propertyId: string }, actor: Actor, action: string, changes: FieldChange[], contactId: number | null = null) {
  em.create(HouseholdChange, { householdId: household.id, propertyId: household.propertyId, action, contactId, actorId: actor.staffId, actorRole: actor.role, at: new Date(), changes });
}

export interface NewHousehold {
  id: string;
  propertyId: string;
  buildingId: string;
  room: string;
  fields: ArchiveFields;
  contacts: ContactInput[];
}

/** Archive a household and its contacts, each audited; `RoomAlreadyArchived` when the room is there. */
export async function createHousehold(em: EntityManager, h: NewHousehold, actor: Actor): Promise<void> {
  await em
    .transactional(async (tx) => {
      if (await tx.findOne(Household, { propertyId: h.propertyId, room: h.room })) throw new RoomAlreadyArchived(h.room);
      const household = tx.create(Household, {
        id: h.id,
        propertyId: h.propertyId,
        building: h.buildingId,
        room: h.room,
        unit: h.room.split('-')[1],
        hobbies: [],
        skills: [],
        pets: [],
        festivals: [],
        ...h.fields,
        updatedAt: new Date(),
      } as never);
      audit(tx, h, actor, 'household-created', diffFields({}, { room: h.room, ...h.fields }));
      for (const contact of h.contacts) {
        const row = tx.create(HouseholdContact, { household, ...contact } as never) as IHouseholdContact;
        await tx.flush();
        audit(tx, h, actor, 'contact-added', diffFields({}, contact, PERSONAL_CONTACT_FIELDS), row.id);
      }
    })
    .catch((error: unknown) => {
      // Two staff archiving the same room at once: the loser hears what a later request would.
      throw error instanceof UniqueConstraintViolationException ? new RoomAlreadyArchived(h.room) : error;
    });
}

/** Change a household's archive fields; audited when anything changed. */
export async function updateHousehold(em: EntityManager, household: IHousehold, fields: ArchiveFields, actor: Actor): Promise<void> {
  const changes = diffFields({ ...archiveOf(household), moveInDate: isoDay(household.moveInDate) }, fields);
  if (!changes.length) return;
  em.assign(household, fields as never);
  audit(em, household, actor, 'household-updated', changes);
  await em.flush();
}

/** Add a contact to a household; audited without the personal values. */
export async function addContact(em: EntityManager, household: { id: string; propertyId: string }, contact: ContactInput, actor: Actor): Promise<void> {
  await em.transactional(async (tx) => {
    const row = tx.create(HouseholdContact, { household: household.id, ...contact } as never) as IHouseholdContact;
    await tx.flush();
    audit(tx, household, actor, 'contact-added', diffFields({}, contact, PERSONAL_CONTACT_FIELDS), row.id);
  });
}

/** Change a contact of a loaded household; false when it has no such contact. */
export async function updateContact(em: EntityManager, household: IHousehold, contactId: number, fields: Partial<ContactInput>, actor: Actor): Promise<boolean> {
  const contact = household.contacts.getItems().find((c) => c.id === contactId);
  if (!contact) return false;
  const changes = diffFields(contactFields(contact), fields, PERSONAL_CONTACT_FIELDS);
  if (changes.length) {
    em.assign(contact, fields as never);
    audit(em, household, actor, 'contact-updated', changes, contact.id);
    await em.flush();
  }
  return true;
}

/**
 * Record a move in or out (domain/occupancy.ts) under a row lock, audited in the archive and the
 * administrative log; the reason it does not fit the household's dates, if it does not.
 */
export async function recordMove(
  em: EntityManager,
  household: { id: string; propertyId: string },
  move: { kind: MoveKind; date: string; note?: string | null; today: string },
  actor: Actor,
): Promise<string | undefined> {
  return em.transactional(async (tx) => {
    const [row] = await tx.execute<{ move_in_date: string | null; move_out_date: string | null }[]>(
      'select move_in_date::text as move_in_date, move_out_date::text as move_out_date from household where id = ? for update',
      [household.id],
    );
    const current = { moveInDate: row.move_in_date, moveOutDate: row.move_out_date };
    const problem = moveProblem(move.kind, current, move.date, move.today);
    if (problem) return problem;
    const next = afterMove(move.kind, move.date);
    await tx.execute('update household set move_in_date = coalesce(?, move_in_date), move_out_date = ?, updated_at = now() where id = ?', [next.moveInDate ?? null, next.moveOutDate, household.id]);
    const changes = diffFields(current, next);
    audit(tx, household, actor, move.kind === 'move-in' ? 'moved-in' : 'moved-out', changes);
    await tx.flush();
    await appendAdminAudit(tx, { propertyId: household.propertyId, actorId: actor.staffId, action: `household.${move.kind}`, subject: household.id, detail: { date: move.date, note: move.note ?? null, changes } });
    return undefined;
  });
}

/** A household's archive changes, oldest first. */
export function householdChanges(em: EntityManager, householdId: string): Promise<IHouseholdChange[]> {
  return em.find(HouseholdChange, { householdId }, { orderBy: { at: 'asc', id: 'asc' }, limit: 500 });
}

/** What the yearly summary counts (domain/archive.ts `summariseArchive`): the households of these areas and the year's changes. */
export async function archiveSummaryInput(
  em: EntityManager,
  propertyId: string,
  areaIds: readonly string[] | undefined,
  year: number,
): Promise<{ households: ArchiveSummaryInput[]; changes: number }> {
  const households = await em.find(Household, { propertyId, ...(areaIds ? { building: { area: { $in: [...areaIds] } } } : {}) }, { populate: ['contacts'] });
  const changes = await em.count(HouseholdChange, {
    propertyId,
    householdId: { $in: households.map((h) => h.id) },
    at: { $gte: new Date(Date.UTC(year, 0, 1)), $lt: new Date(Date.UTC(year + 1, 0, 1)) },
  });
  return {
    changes,
    households: households.map((h) => ({
      membersCount: h.membersCount ?? null,
      occupation: h.occupation ?? null,
      ageBand: h.ageBand ?? null,
      pets: h.pets,
      festivals: h.festivals,
      serviceNeeds: h.serviceNeeds ?? null,
      moveInDate: isoDay(h.moveInDate),
      contacts: h.contacts.getItems().map((c) => ({ occupation: c.occupation ?? null, ageBand: c.ageBand ?? null })),
    })),
  };
}
