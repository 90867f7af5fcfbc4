/**
 * Bulk imports as stored: what a plan is made against (the property's places, archive and staff),
 * the dry run kept until it is confirmed, and the confirmed import written in one transaction —
 * plain SQL, a statement per kind of row, so a file of thousands of households is written in a
 * few round trips — with the archive's own audit (household_change) and one admin audit record.
 */
import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { diffFields, PERSONAL_CONTACT_FIELDS, type FieldChange } from '../domain/archive';
import type { ExistingHousehold, ExistingStaff, HouseholdContext, HouseholdWrite, ImportKind, ImportReport, StaffContext, StaffWrite, Table } from '../domain/imports';
import type { Role } from '../domain/people';
import { appendAdminAudit } from './admin-audit';

/**
 * A statement whose parameters go to Postgres as parameters: the entity manager's `execute` writes
 * every parameter into the SQL text as an escaped literal, and an import's rows travel as one JSON
 * document of megabytes. In the transaction of `em` when there is one.
 */
async function bulk<T = unknown>(em: EntityManager, sql: string, params: unknown[]): Promise<T[]> {
  const query = em.getKnex().raw(sql, params as never[]);
  const trx = em.getTransactionContext();
  const result = (await (trx ? query.transacting(trx) : query)) as { rows: T[] };
  return result.rows;
}

/** How long a dry run can be confirmed. */
export const DRY_RUN_VALID_MS = 24 * 60 * 60 * 1000;

async function placesOf(em: EntityManager, propertyId: string) {
  const areas = await em.execute<{ id: string }[]>('select id from area where property_id = ?', [propertyId]);
  const buildings = await em.execute<{ id: string; area_id: string; units: string[] | null }[]>(
    `select b.id, b.area_id, (select json_agg(u.code) from unit u where u.building_id = b.id) as units
       from building b join area a on a.id = b.area_id where a.property_id = ?`,
    [propertyId],
  );
  return {
    areaIds: new Set(areas.map((a) => a.id)),
    buildings: new Map(buildings.map((b) => [b.id, { areaId: b.area_id, units: b.units ?? [] }])),
  };
}

export async function householdContext(em: EntityManager, propertyId: string): Promise<HouseholdContext> {
  const { areaIds, buildings } = await placesOf(em, propertyId);
  const rows = await em.execute<
    {
      id: string;
      room: string;
      building_id: string;
      move_in_date: string | null;
      members_count: number | null;
      occupation: string | null;
      age_band: string | null;
      hobbies: string[];
      skills: string[];
      pets: string[];
      festivals: string[];
      service_needs: string | null;
      contacts: { id: number; name: string; phone: string; email: string | null; relation: string }[] | null;
    }[]
  >(
    `select h.id, h.room, h.building_id, h.move_in_date::text as move_in_date, h.members_count, h.occupation, h.age_band, h.hobbies, h.skills, h.pets, h.festivals, h.service_needs,
            (select json_agg(json_build_object('id', c.id, 'name', c.name, 'phone', c.phone, 'email', c.email, 'relation', c.relation) order by c.id)
               from household_contact c where c.household_id = h.id) as contacts
       from household h where h.property_id = ?`,
    [propertyId],
  );
  const existing = new Map<string, ExistingHousehold>(
    rows.map((h) => [
      h.room,
      {
        id: h.id,
        buildingId: h.building_id,
        archive: {
          moveInDate: h.move_in_date,
          membersCount: h.members_count,
          occupation: h.occupation,
          ageBand: h.age_band,
          hobbies: h.hobbies,
          skills: h.skills,
          pets: h.pets,
          festivals: h.festivals,
          serviceNeeds: h.service_needs,
        },
        contacts: h.contacts ?? [],
      },
    ]),
  );
  return { areaIds, buildings, existing };
}

export async function staffContext(em: EntityManager, propertyId: string, importerRoles: readonly Role[]): Promise<StaffContext> {
  const { areaIds } = await placesOf(em, propertyId);
  const rows = await em.execute<{ id: string; property_id: string; name: string; email: string; roles: Role[]; area_ids: string[] }[]>(
    'select id, property_id, name, email, roles, area_ids from staff',
  );
  const existing = new Map<string, ExistingStaff>(rows.map((s) => [s.id, { id: s.id, propertyId: s.property_id, name: s.name, email: s.email, roles: s.roles, areaIds: s.area_ids }]));
  return { propertyId, areaIds, existing, importerRoles };
}

export interface StoredImport {
  id: string;
  propertyId: string;
  kind: ImportKind;
  status: string;
  format: string;
  fileSha256: string;
  table: Table;
  report: ImportReport;
  createdBy: string;
  expiresAt: string;
}

/** Keeps a dry run that can be confirmed; expired ones of the property are dropped on the way. */
export async function saveDryRun(
  em: EntityManager,
  input: { propertyId: string; kind: ImportKind; format: string; fileSha256: string; table: Table; report: ImportReport; createdBy: string },
  now = new Date(),
): Promise<{ id: string; expiresAt: string }> {
  const id = `imp-${randomUUID()}`;
  const expiresAt = new Date(now.getTime() + DRY_RUN_VALID_MS);
  await em.execute('delete from import_batch where property_id = ? and status = ? and expires_at < ?', [input.propertyId, 'dry-run', now]);
  await bulk(
    em,
    `insert into import_batch (id, property_id, kind, status, file_name, file_sha256, format, content, report, created_by, created_at, confirmed_at, expires_at)
     values (?, ?, ?, 'dry-run', null, ?, ?, ?::jsonb, ?::jsonb, ?, ?, null, ?)`,
    [id, input.propertyId, input.kind, input.fileSha256, input.format, JSON.stringify(input.table), JSON.stringify(input.report), input.createdBy, now, expiresAt],
  );
  return { id, expiresAt: expiresAt.toISOString() };
}

type BatchRow = { id: string; property_id: string; kind: ImportKind; status: string; format: string; file_sha256: string; content: Table; report: ImportReport; created_by: string; expires_at: string | Date };

const storedOf = (r: BatchRow): StoredImport => ({
  id: r.id,
  propertyId: r.property_id,
  kind: r.kind,
  status: r.status,
  format: r.format,
  fileSha256: r.file_sha256,
  table: r.content,
  report: r.report,
  createdBy: r.created_by,
  expiresAt: new Date(r.expires_at).toISOString(),
});

export async function loadImport(em: EntityManager, propertyId: string, id: string, lock = false): Promise<StoredImport | undefined> {
  const [row] = await em.execute<BatchRow[]>(`select * from import_batch where id = ? and property_id = ?${lock ? ' for update' : ''}`, [id, propertyId]);
  return row ? storedOf(row) : undefined;
}

/** The dry run is spent: its personal data is dropped, its report kept. */
async function markConfirmed(tx: EntityManager, id: string, now: Date): Promise<void> {
  await tx.execute(`update import_batch set status = 'confirmed', confirmed_at = ?, content = '{}'::jsonb where id = ?`, [now, id]);
}

interface Actor {
  staffId: string;
  role: string;
}

/** Inserts household_change rows (the archive's audit) in one statement. */
async function archiveAudit(tx: EntityManager, propertyId: string, actor: Actor, at: Date, changes: { householdId: string; action: string; contactId: number | null; changes: FieldChange[] }[]): Promise<void> {
  if (changes.length === 0) return;
  await bulk(
    tx,
    `insert into household_change (household_id, property_id, action, contact_id, actor_id, actor_role, at, changes)
     select x.household_id, ?, x.action, x.contact_id, ?, ?, ?, x.changes
       from jsonb_to_recordset(?::jsonb) as x(household_id text, action text, contact_id int, changes jsonb)`,
    [propertyId, actor.staffId, actor.role, at, JSON.stringify(changes.map((c) => ({ household_id: c.householdId, action: c.action, contact_id: c.contactId, changes: c.changes })))],
  );
}

/** Writes a confirmed household import: every row or none. */
export async function writeHouseholds(tx: EntityManager, batch: StoredImport, writes: HouseholdWrite[], actor: Actor, now: Date): Promise<void> {
  const propertyId = batch.propertyId;
  const householdId = (room: string) => `${propertyId}-${room}`;
  const creates = writes.filter((w) => w.action === 'create');
  const updates = writes.filter((w) => w.action === 'update');
  const archive = (w: HouseholdWrite) => ({
    id: w.existingId ?? householdId(w.household.room),
    building_id: w.household.buildingId,
    room: w.household.room,
    unit: w.household.room.split('-')[1],
    move_in_date: w.household.archive.moveInDate ?? null,
    members_count: w.household.archive.membersCount ?? null,
    occupation: w.household.archive.occupation ?? null,
    age_band: w.household.archive.ageBand ?? null,
    hobbies: w.household.archive.hobbies ?? [],
    skills: w.household.archive.skills ?? [],
    pets: w.household.archive.pets ?? [],
    festivals: w.household.archive.festivals ?? [],
    service_needs: w.household.archive.serviceNeeds ?? null,
    given: Object.keys(w.household.archive),
  });
  const columns = `id text, building_id text, room text, unit text, move_in_date date, members_count int, occupation text, age_band text,
                   hobbies jsonb, skills jsonb, pets jsonb, festivals jsonb, service_needs text, given jsonb`;
  if (creates.length) {
    await bulk(
      tx,
      `insert into household (id, property_id, building_id, room, unit, move_in_date, move_out_date, members_count, occupation, age_band, hobbies, skills, pets, festivals, service_needs, updated_at)
       select x.id, ?, x.building_id, x.room, x.unit, x.move_in_date, null, x.members_count, x.occupation, x.age_band, x.hobbies, x.skills, x.pets, x.festivals, x.service_needs, ?
         from jsonb_to_recordset(?::jsonb) as x(${columns})`,
      [propertyId, now, JSON.stringify(creates.map(archive))],
    );
  }
  // An update sets only the fields its row gave; an empty cell leaves the archive as it is.
  const set = (field: string, column: string) => `${column} = case when x.given @> '["${field}"]'::jsonb then x.${column} else h.${column} end`;
  const changedArchive = updates.filter((w) => w.archiveChanges.length);
  if (changedArchive.length) {
    await bulk(
      tx,
      `update household h set ${[
        set('moveInDate', 'move_in_date'),
        set('membersCount', 'members_count'),
        set('occupation', 'occupation'),
        set('ageBand', 'age_band'),
        set('hobbies', 'hobbies'),
        set('skills', 'skills'),
        set('pets', 'pets'),
        set('festivals', 'festivals'),
        set('serviceNeeds', 'service_needs'),
      ].join(', ')}, updated_at = ?
         from jsonb_to_recordset(?::jsonb) as x(${columns})
        where h.id = x.id and h.property_id = ?`,
      [now, JSON.stringify(changedArchive.map(archive)), propertyId],
    );
  }
  const newContacts = writes.flatMap((w) =>
    w.newContacts.map((c) => ({
      household_id: w.existingId ?? householdId(w.household.room),
      name: c.name,
      phone: c.phone,
      email: c.email ?? null,
      relation: c.relation,
      primary: c.primary,
      occupation: c.occupation ?? null,
      age_band: c.ageBand ?? null,
    })),
  );
  const inserted = newContacts.length
    ? await bulk<{ id: number; household_id: string; phone: string }>(
        tx,
        `insert into household_contact (household_id, name, phone, email, relation, "primary", occupation, age_band)
         select x.household_id, x.name, x.phone, x.email, x.relation, x.primary, x.occupation, x.age_band
           from jsonb_to_recordset(?::jsonb) as x(household_id text, name text, phone text, email text, relation text, "primary" boolean, occupation text, age_band text)
         returning id, household_id, phone`,
        [JSON.stringify(newContacts)],
      )
    : [];
  // A household's new contacts have different phones (domain/imports.ts), so the pair names the row.
  const contactId = new Map(inserted.map((c) => [`${c.household_id}|${c.phone}`, c.id]));
  for (const update of writes.flatMap((w) => w.contactUpdates)) {
    const v = update.values as { name: string; relation: string; email?: string };
    await tx.execute('update household_contact set name = ?, relation = ?, email = coalesce(?, email) where id = ?', [v.name, v.relation, v.email ?? null, update.id]);
  }
  // The archive's audit, as the API writes it: created/updated, each contact added or changed.
  const audit: { householdId: string; action: string; contactId: number | null; changes: FieldChange[] }[] = [];
  for (const w of writes) {
    const id = w.existingId ?? householdId(w.household.room);
    if (w.action === 'create') audit.push({ householdId: id, action: 'household-created', contactId: null, changes: w.archiveChanges });
    else if (w.archiveChanges.length) audit.push({ householdId: id, action: 'household-updated', contactId: null, changes: w.archiveChanges });
    for (const contact of w.newContacts) {
      audit.push({ householdId: id, action: 'contact-added', contactId: contactId.get(`${id}|${contact.phone}`) ?? null, changes: diffFields({}, contact, PERSONAL_CONTACT_FIELDS) });
    }
    for (const update of w.contactUpdates) audit.push({ householdId: id, action: 'contact-updated', contactId: update.id, changes: update.changes });
  }
  await archiveAudit(tx, propertyId, actor, now, audit);
}

/** Writes a confirmed staff import: new staff without a key (issue one each), changed ones updated. */
export async function writeStaff(tx: EntityManager, batch: StoredImport, writes: StaffWrite[], now: Date): Promise<void> {
  const rows = (action: 'create' | 'update') =>
    JSON.stringify(writes.filter((w) => w.action === action).map((w) => ({ id: w.staff.id, name: w.staff.name, email: w.staff.email, roles: w.staff.roles, area_ids: w.staff.areaIds })));
  const columns = 'id text, name text, email text, roles jsonb, area_ids jsonb';
  await bulk(
    tx,
    `insert into staff (id, property_id, name, email, roles, area_ids, api_key_hash, active, created_at)
     select x.id, ?, x.name, x.email, x.roles, x.area_ids, null, true, ? from jsonb_to_recordset(?::jsonb) as x(${columns})`,
    [batch.propertyId, now, rows('create')],
  );
  await bulk(
    tx,
    `update staff s set name = x.name, email = x.email, roles = x.roles, area_ids = x.area_ids
       from jsonb_to_recordset(?::jsonb) as x(${columns}) where s.id = x.id and s.property_id = ?`,
    [rows('update'), batch.propertyId],
  );
}

/**
 * Confirms a dry run: `replan` plans the stored table again against the property as it is now,
 * inside the transaction; when that plan is not the one the dry run reported (someone changed the
 * archive meanwhile) nothing is written and the new report is answered instead.
 */
export async function confirmImport<W extends { line: number; action: string }>(
  em: EntityManager,
  propertyId: string,
  importId: string,
  actor: Actor,
  replan: (tx: EntityManager, batch: StoredImport) => Promise<{ report: ImportReport; writes: W[] }>,
  write: (tx: EntityManager, batch: StoredImport, writes: W[], now: Date) => Promise<void>,
  now = new Date(),
): Promise<{ written: ImportReport } | { notFound: true } | { spent: string } | { changed: ImportReport }> {
  return em.transactional(async (tx) => {
    const batch = await loadImport(tx, propertyId, importId, true);
    if (!batch) return { notFound: true as const };
    if (batch.status !== 'dry-run') return { spent: 'this import was confirmed already' };
    if (batch.expiresAt < now.toISOString()) return { spent: `this dry run expired at ${batch.expiresAt}; upload the file again` };
    const { report, writes } = await replan(tx, batch);
    const same = (a: ImportReport) => a.rows.map((r) => `${r.line}:${r.action}`).join(',');
    if (!report.confirmable || same(report) !== same(batch.report)) return { changed: report };
    await write(tx, batch, writes, now);
    await markConfirmed(tx, batch.id, now);
    await appendAdminAudit(
      tx,
      { propertyId, actorId: actor.staffId, action: `import.${batch.kind}`, subject: batch.id, detail: { format: batch.format, sha256: batch.fileSha256, counts: report.counts } },
      now,
    );
    return { written: report };
  });
}
