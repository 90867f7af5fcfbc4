/**
 * The customer archive (客户档案, docs/rules.md §0): households and their contacts, each change
 * audited (who, when, which fields — personal values masked), the household page with its
 * complaint and major-repair history from the read model, and the yearly summary per property.
 * Residents' names, phones and e-mail addresses are shown only to the roles that need them.
 */
import { ACCESS } from '../../domain/access';
import { z } from 'zod';
import { Building, type IHousehold, type IHouseholdContact } from '../../db/entities';
import {
  addContact,
  archiveOf,
  archiveSummaryInput,
  createHousehold,
  hasOpenOrderThere,
  householdChanges,
  householdHistory,
  householdIdsByContact,
  isoDay,
  listHouseholds,
  loadHousehold,
  recordMove,
  RoomAlreadyArchived,
  updateContact,
  updateHousehold,
} from '../../db/households';
import {
  archiveFieldsSchema,
  archiveSummaryCsv,
  contactSchema,
  contactUpdateSchema,
  isOccupied,
  maySearchByPersonalData,
  needsOpenOrderCheck,
  PERSONAL_DATA_ROLES,
  searchedPhoneDigits,
  seesHouseholdComplaints,
  seesPersonalData,
  summariseArchive,
} from '../../domain/archive';
import { unitsOf } from '../../db/places';
import { moveSchema, type MoveKind } from '../../domain/occupancy';
import { roomFitsBuilding, unitOfRoom } from '../../domain/places';
import { actorFor, type StaffPrincipal } from '../auth';
import { operation, type Operation } from '../contract';
import { idempotencyKeyOf, withIdempotency } from '../idempotency';
import { HttpProblem } from '../problem';
import { listedAreas } from '../paging';
import { visibleAreaIds } from '../scope';
import type { RouteDeps } from './repairs';
import type { EntityManager } from '@mikro-orm/postgresql';


const householdParams = z.object({ householdId: z.string().min(1).max(64) });
const contactParams = z.object({ householdId: z.string().min(1).max(64), contactId: z.coerce.number().int().positive().max(2_147_483_647) });

const roomSchema = z
  .string()
  .trim()
  .regex(/^[0-9A-Za-z]{1,8}-[0-9A-Za-z]{1,8}-[0-9A-Za-z]{1,8}$/, 'must be "building-unit-room", e.g. "1-1-301"');

const createBody = archiveFieldsSchema
  .extend({
    buildingId: z.string().trim().min(1).max(32),
    room: roomSchema,
    contacts: z.array(contactSchema).max(10).default([]),
  })
  .strict();

const updateBody = archiveFieldsSchema.refine((v) => Object.keys(v).length > 0, { message: 'change at least one field' });

const contactView = z.object({
  id: z.number(),
  relation: z.string(),
  primary: z.boolean(),
  occupation: z.string().nullable(),
  ageBand: z.string().nullable(),
  name: z.string().nullable().describe('null when the caller may not see personal data'),
  phone: z.string().nullable(),
  email: z.string().nullable(),
});

const historyItem = z.object({
  caseId: z.string(),
  kind: z.string(),
  severity: z.string().nullable(),
  category: z.string().nullable(),
  status: z.string(),
  receivedAt: z.string(),
  closedAt: z.string().nullable(),
});

const householdView = z.object({
  householdId: z.string(),
  room: z.string(),
  buildingId: z.string(),
  areaId: z.string(),
  unit: z.string(),
  moveInDate: z.string().nullable(),
  moveOutDate: z.string().nullable().describe('vacant (空置) from this date: out of the survey pool (S1); the history stays'),
  occupied: z.boolean().describe('moved in and not moved out, today'),
  membersCount: z.number().nullable(),
  occupation: z.string().nullable(),
  ageBand: z.string().nullable(),
  hobbies: z.array(z.string()),
  skills: z.array(z.string()),
  pets: z.array(z.string()),
  festivals: z.array(z.string()),
  serviceNeeds: z.string().nullable(),
  personalData: z.enum(['visible', 'masked']).describe('masked: names, phones and e-mail addresses are withheld from this caller'),
  contacts: z.array(contactView),
  history: z.array(historyItem).describe('complaints and major repairs of this household, newest first (read model)'),
  updatedAt: z.string(),
});

const changeView = z.object({
  at: z.string(),
  action: z.string(),
  actorId: z.string(),
  actorRole: z.string(),
  contactId: z.number().nullable(),
  changes: z.array(z.object({ field: z.string(), old: z.unknown().optional(), new: z.unknown().optional(), personal: z.boolean().optional() })),
});

const summarySchema = z.object({
  year: z.number(),
  households: z.number(),
  members: z.number(),
  occupations: z.record(z.string(), z.number()),
  ageBands: z.record(z.string(), z.number()),
  pets: z.record(z.string(), z.number()),
  householdsWithPets: z.number(),
  festivals: z.record(z.string(), z.number()),
  householdsWithServiceNeeds: z.number(),
  movedInThisYear: z.number(),
  changesThisYear: z.number(),
});

const summaryQuery = z.object({ year: z.coerce.number().int().min(2000).max(2100).optional().describe('default: this year') }).strict();

const notFound = (householdId: string) => new HttpProblem(404, 'Not found', `no household ${householdId}`);

/** The household if the caller may see it: same property, and for a butler one of their areas. */
async function findHousehold(deps: RouteDeps, em: EntityManager, householdId: string, staff: StaffPrincipal): Promise<IHousehold> {
  const household = await loadHousehold(em, staff.propertyId, householdId);
  if (!household) throw notFound(householdId);
  const areas = await visibleAreaIds(deps.orm, staff);
  if (areas && !areas.includes(household.building.area.id)) throw notFound(householdId);
  return household;
}

function contactOut(c: IHouseholdContact, visible: boolean): z.infer<typeof contactView> {
  return {
    id: c.id,
    relation: c.relation,
    primary: c.primary,
    occupation: c.occupation ?? null,
    ageBand: c.ageBand ?? null,
    name: visible ? c.name : null,
    phone: visible ? c.phone : null,
    email: visible ? (c.email ?? null) : null,
  };
}

const today = () => new Date().toISOString().slice(0, 10);

/** The household page as this caller may see it (domain/archive.ts decides what that is). */
async function page(em: EntityManager, household: IHousehold, staff: StaffPrincipal): Promise<z.infer<typeof householdView>> {
  const visible = seesPersonalData(staff.roles, needsOpenOrderCheck(staff.roles) && (await hasOpenOrderThere(em, household.id, staff.id)));
  const history = await householdHistory(em, household, seesHouseholdComplaints(staff.roles));
  const moveInDate = isoDay(household.moveInDate);
  const moveOutDate = isoDay(household.moveOutDate);
  return {
    ...archiveOf(household),
    householdId: household.id,
    room: household.room,
    buildingId: household.building.id,
    areaId: household.building.area.id,
    unit: household.unit,
    moveInDate,
    moveOutDate,
    occupied: isOccupied(moveInDate, moveOutDate, today()),
    personalData: visible ? 'visible' : 'masked',
    contacts: [...household.contacts].sort((a, b) => a.id - b.id).map((c) => contactOut(c, visible)),
    history: history.map((c) => ({
      caseId: c.id,
      kind: c.kind,
      severity: c.severity ?? null,
      category: c.category ?? null,
      status: c.status,
      receivedAt: c.receivedAt.toISOString(),
      closedAt: c.closedAt?.toISOString() ?? null,
    })),
    updatedAt: household.updatedAt.toISOString(),
  };
}

/** The household page read afresh after a change. */
async function freshPage(deps: RouteDeps, householdId: string, staff: StaffPrincipal) {
  const em = deps.orm.em.fork();
  return page(em, await findHousehold(deps, em, householdId, staff), staff);
}

const listQuery = z
  .object({
    room: roomSchema.optional(),
    buildingId: z.string().max(32).optional(),
    areaId: z.string().max(32).optional(),
    phone: z
      .string()
      .trim()
      .regex(/^\+?[0-9][0-9\- ]{2,30}$/, 'at least 3 digits of a phone number')
      .optional()
      .describe("part of a contact's phone, as written anywhere: only digits are compared, +86 ignored (front desk, call centre, butlers, supervisors, managers)"),
    name: z.string().trim().min(1).max(64).optional().describe("part of a contact's name (the same roles)"),
    limit: z.coerce.number().int().min(1).max(100).default(25),
    cursor: z.string().max(100).optional().describe('opaque; from the previous page'),
  })
  .strict();

const listItem = z.object({
  householdId: z.string(),
  room: z.string(),
  buildingId: z.string(),
  areaId: z.string(),
  membersCount: z.number().nullable(),
  moveInDate: z.string().nullable(),
  contacts: z
    .array(z.object({ id: z.number(), name: z.string(), phone: z.string(), relation: z.string(), primary: z.boolean() }))
    .optional()
    .describe('only when searching by phone or name: whom the caller is speaking to'),
});

/** A search names at most this many households (a partial phone of three digits matches many). */
const SEARCH_LIMIT = 1000;

export function householdOperations(deps: RouteDeps): Operation[] {
  const { orm } = deps;
  return [
    operation({
      method: 'get',
      path: '/households',
      operationId: 'listHouseholds',
      summary: 'Find households of the archive by room, building or area (no personal data), or a caller by phone or name, in room order with cursor pagination',
      description:
        'By phone (partial, any format) or by contact name only for the roles that see personal data; the matching households then list their contacts. A butler finds the households of their own areas.',
      tags: ['households'],
      roles: ACCESS.households.read,
      query: listQuery,
      responses: { 200: { description: 'One page', schema: z.object({ items: z.array(listItem), nextCursor: z.string().nullable() }) } },
      handler: async ({ query, staff }) => {
        const em = orm.em.fork();
        const searching = query.phone !== undefined || query.name !== undefined;
        if (searching && !maySearchByPersonalData(staff.roles)) {
          throw new HttpProblem(403, 'Forbidden', `searching by phone or name is for ${PERSONAL_DATA_ROLES.join(', ')}`);
        }
        const ids = searching
          ? await householdIdsByContact(em, staff.propertyId, { phoneDigits: query.phone === undefined ? undefined : searchedPhoneDigits(query.phone), name: query.name }, SEARCH_LIMIT)
          : undefined;
        const rows = await listHouseholds(em, {
          propertyId: staff.propertyId,
          room: query.room,
          buildingId: query.buildingId,
          areaIds: listedAreas(query.areaId, await visibleAreaIds(orm, staff)),
          ids,
          after: query.cursor ? Buffer.from(query.cursor, 'base64url').toString('utf8') : undefined,
          withContacts: searching,
          limit: query.limit + 1,
        });
        const page = rows.slice(0, query.limit);
        return {
          status: 200,
          body: {
            items: page.map((h) => ({
              householdId: h.id,
              room: h.room,
              buildingId: h.building.id,
              areaId: h.building.area.id,
              membersCount: h.membersCount ?? null,
              moveInDate: isoDay(h.moveInDate),
              ...(searching
                ? { contacts: h.contacts.getItems().sort((a, b) => a.id - b.id).map((c) => ({ id: c.id, name: c.name, phone: c.phone, relation: c.relation, primary: c.primary })) }
                : {}),
            })),
            nextCursor: rows.length > query.limit ? Buffer.from(page[page.length - 1].id).toString('base64url') : null,
          },
        };
      },
    }),
    operation({
      method: 'post',
      path: '/households',
      operationId: 'createHousehold',
      summary: 'Add a household to the customer archive (客户档案), with its contacts',
      description: '§0 archive fields; each member a contact with their own occupation and age band. Audited (who, when, which fields; personal values masked).',
      tags: ['households'],
      roles: ACCESS.households.write,
      body: createBody,
      bodyExample: {
        buildingId: 'P001-B1',
        room: '1-3-101',
        moveInDate: '2026-10-01',
        membersCount: 3,
        occupation: '教师',
        ageBand: '31-45',
        hobbies: ['书法'],
        pets: ['猫'],
        festivals: ['中秋'],
        serviceNeeds: '老人行动不便，需要上门服务',
        contacts: [{ name: '王先生', phone: '13800138000', relation: 'owner', primary: true, occupation: '教师', ageBand: '31-45' }],
      },
      idempotent: true,
      responses: {
        201: { description: 'The household as it is now', schema: householdView },
        409: { description: 'The room is already in the archive' },
        422: { description: 'Unknown building (or not in a butler\'s areas), a unit the building does not have, or an Idempotency-Key reused with another body' },
      },
      handler: async ({ body, staff, req }) => {
        const em = orm.em.fork();
        const actor = actorFor(staff, ACCESS.households.write);
        const building = await em.findOne(Building, { id: body.buildingId, area: { property: staff.propertyId } }, { populate: ['area'] });
        const areas = await visibleAreaIds(orm, staff);
        if (!building || (areas && !areas.includes(building.area.id))) {
          throw new HttpProblem(422, 'Unknown building', `there is no building ${body.buildingId} among yours`, {
            'invalid-params': [{ name: 'buildingId', in: 'body', reason: 'no such building in your areas' }],
          });
        }
        const units = await unitsOf(em, building.id);
        if (!roomFitsBuilding(body.room, units)) {
          throw new HttpProblem(422, 'Unknown unit', `building ${building.id} has no unit ${unitOfRoom(body.room)}`, {
            'invalid-params': [{ name: 'room', in: 'body', reason: `the building's units are ${units.join(', ')}` }],
          });
        }
        const householdId = `${staff.propertyId}-${body.room}`;
        return withIdempotency(
          em,
          { staffId: staff.id, key: idempotencyKeyOf(req.get('idempotency-key')), body, ttlDays: deps.config.IDEMPOTENCY_TTL_DAYS },
          async () => householdId,
          async (id) => {
            const { buildingId: _b, room, contacts, ...fields } = body;
            try {
              await createHousehold(em.fork(), { id, propertyId: staff.propertyId, buildingId: building.id, room, fields, contacts }, actor);
            } catch (error) {
              if (error instanceof RoomAlreadyArchived) throw new HttpProblem(409, 'Room already archived', error.message);
              throw error;
            }
            return { status: 201, body: await freshPage(deps, id, staff), headers: { Location: `/api/v1/households/${id}` } };
          },
        );
      },
    }),

    operation({
      method: 'get',
      path: '/households/:householdId',
      operationId: 'getHousehold',
      summary: "A household's page: archive, contacts (personal data only for the roles that need it) and its complaint and major-repair history",
      tags: ['households'],
      roles: ACCESS.households.read,
      params: householdParams,
      responses: { 200: { description: 'The household', schema: householdView }, 404: { description: 'No such household (or not in a butler\'s areas)' } },
      handler: async ({ params, staff }) => {
        const em = orm.em.fork();
        return { status: 200, body: await page(em, await findHousehold(deps, em, params.householdId, staff), staff) };
      },
    }),

    operation({
      method: 'patch',
      path: '/households/:householdId',
      operationId: 'updateHousehold',
      summary: "Update a household's archive fields (§0); the change is audited",
      tags: ['households'],
      roles: ACCESS.households.write,
      params: householdParams,
      body: updateBody,
      bodyExample: { membersCount: 4, pets: ['狗'] },
      responses: { 200: { description: 'The household as it is now', schema: householdView }, 404: { description: 'No such household' } },
      handler: async ({ params, body, staff }) => {
        const em = orm.em.fork();
        const actor = actorFor(staff, ACCESS.households.write);
        await updateHousehold(em, await findHousehold(deps, em, params.householdId, staff), body, actor);
        return { status: 200, body: await freshPage(deps, params.householdId, staff) };
      },
    }),

    operation({
      method: 'post',
      path: '/households/:householdId/contacts',
      operationId: 'addHouseholdContact',
      summary: 'Add a member or contact to a household; audited without the personal values',
      tags: ['households'],
      roles: ACCESS.households.write,
      params: householdParams,
      body: contactSchema,
      bodyExample: { name: '王太太', phone: '13900139000', relation: 'spouse', occupation: '医生', ageBand: '31-45' },
      idempotent: true,
      responses: { 201: { description: 'The household as it is now', schema: householdView }, 404: { description: 'No such household' } },
      handler: async ({ params, body, staff, req }) => {
        const em = orm.em.fork();
        const actor = actorFor(staff, ACCESS.households.write);
        const household = await findHousehold(deps, em, params.householdId, staff);
        return withIdempotency(
          em.fork(),
          { staffId: staff.id, key: idempotencyKeyOf(req.get('idempotency-key')), body: { householdId: household.id, ...body }, ttlDays: deps.config.IDEMPOTENCY_TTL_DAYS },
          async () => household.id,
          async () => {
            await addContact(em.fork(), household, body, actor);
            return { status: 201, body: await freshPage(deps, household.id, staff) };
          },
        );
      },
    }),

    operation({
      method: 'patch',
      path: '/households/:householdId/contacts/:contactId',
      operationId: 'updateHouseholdContact',
      summary: "Update a member's or contact's fields; audited without the personal values",
      tags: ['households'],
      roles: ACCESS.households.write,
      params: contactParams,
      body: contactUpdateSchema,
      bodyExample: { phone: '13700137000' },
      responses: { 200: { description: 'The household as it is now', schema: householdView }, 404: { description: 'No such household or contact' } },
      handler: async ({ params, body, staff }) => {
        const em = orm.em.fork();
        const actor = actorFor(staff, ACCESS.households.write);
        const household = await findHousehold(deps, em, params.householdId, staff);
        if (!(await updateContact(em, household, params.contactId, body, actor))) {
          throw new HttpProblem(404, 'Not found', `household ${household.id} has no contact ${params.contactId}`);
        }
        return { status: 200, body: await freshPage(deps, household.id, staff) };
      },
    }),

    ...(['move-in', 'move-out'] as const).map((kind: MoveKind) =>
      operation({
        method: 'post',
        path: `/households/:householdId/${kind}`,
        operationId: kind === 'move-in' ? 'recordMoveIn' : 'recordMoveOut',
        summary:
          kind === 'move-in'
            ? 'Record that a household moved in (入住): occupied from that date, in the survey pool (S1)'
            : 'Record that a household moved out (空置): out of the survey pool from that date (S1); its archive and history stay',
        description: 'Audited in the archive’s changes and the administrative audit log.',
        tags: ['households'],
        roles: ACCESS.households.write,
        params: householdParams,
        body: moveSchema,
        bodyExample: { date: '2026-12-01', note: kind === 'move-in' ? '新业主入住' : '业主出售房屋' },
        responses: {
          200: { description: 'The household as it is now', schema: householdView },
          404: { description: 'No such household (or not in a butler\'s areas)' },
          409: { description: 'The move does not fit the household’s dates (moved out already, before its move-in, …)' },
        },
        handler: async ({ params, body, staff }) => {
          const actor = actorFor(staff, ACCESS.households.write);
          const em = orm.em.fork();
          const household = await findHousehold(deps, em, params.householdId, staff);
          const problem = await recordMove(em, household, { kind, date: body.date, note: body.note, today: today() }, actor);
          if (problem) throw new HttpProblem(409, 'Move refused', problem);
          return { status: 200, body: await freshPage(deps, household.id, staff) };
        },
      }),
    ),

    operation({
      method: 'get',
      path: '/households/:householdId/changes',
      operationId: 'listHouseholdChanges',
      summary: "A household's archive changes: who, when, which fields (personal values are never kept)",
      tags: ['households'],
      roles: ACCESS.households.changes,
      params: householdParams,
      responses: { 200: { description: 'Oldest first', schema: z.object({ items: z.array(changeView) }) }, 404: { description: 'No such household' } },
      handler: async ({ params, staff }) => {
        const em = orm.em.fork();
        const household = await findHousehold(deps, em, params.householdId, staff);
        const rows = await householdChanges(em, household.id);
        return {
          status: 200,
          body: {
            items: rows.map((r) => ({ at: r.at.toISOString(), action: r.action, actorId: r.actorId, actorRole: r.actorRole, contactId: r.contactId ?? null, changes: r.changes })),
          },
        };
      },
    }),

    ...(['json', 'csv'] as const).map((format) =>
      operation({
        method: 'get',
        path: format === 'json' ? '/properties/archive-summary' : '/properties/archive-summary.csv',
        operationId: format === 'json' ? 'getArchiveSummary' : 'getArchiveSummaryCsv',
        summary: `The yearly summary of the property's customer archive (occupation and age distribution, pets, festivals, service needs) as ${format.toUpperCase()}`,
        description: "§0: archives are summarised yearly. Counts only — no names, phones or rooms. A butler's summary covers their areas.",
        tags: ['households'],
        roles: ACCESS.households.summary,
        query: summaryQuery,
        responses: {
          200: format === 'json' ? { description: 'The summary', schema: summarySchema } : { description: 'The summary as CSV rows section,key,count', schema: z.string(), mediaType: 'text/csv' },
        },
        handler: async ({ query, staff }) => {
          const em = orm.em.fork();
          const year = query.year ?? new Date().getUTCFullYear();
          const areas = await visibleAreaIds(orm, staff);
          const { households, changes } = await archiveSummaryInput(em, staff.propertyId, areas, year);
          const summary = summariseArchive(year, households, changes);
          if (format === 'json') return { status: 200, body: summary };
          return {
            status: 200,
            text: archiveSummaryCsv(summary),
            headers: { 'Content-Type': 'text/csv; charset=utf-8', 'Content-Disposition': `attachment; filename="archive-summary-${staff.propertyId}-${year}.csv"` },
          };
        },
      }),
    ),
  ];
}
