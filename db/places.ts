/**
 * Areas, buildings and units as a manager sets them up (api/routes/places.ts): each change and its
 * audit record (admin_audit_event) in one transaction.
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import type { z } from 'zod';
import { defaultUnitName, type areaUpdateSchema, type buildingUpdateSchema, type newAreaSchema, type newBuildingSchema, type newUnitSchema } from '../domain/places';
import { appendAdminAudit } from './admin-audit';

export interface UnitView {
  code: string;
  name: string;
}

export interface BuildingView {
  id: string;
  areaId: string;
  name: string;
  units: UnitView[];
  households: number;
}

export interface AreaView {
  id: string;
  name: string;
  butlerId: string | null;
  buildings: BuildingView[];
}

type Failure = { notFound: string } | { conflict: string } | { invalid: { name: string; reason: string } };
export type PlaceResult<T> = { ok: T } | Failure;

/** The property's areas, each with its buildings, their units and how many households each holds. */
export async function listPlaces(em: EntityManager, propertyId: string): Promise<AreaView[]> {
  const areas = await em.execute<{ id: string; name: string; butler_id: string | null }[]>('select id, name, butler_id from area where property_id = ? order by id', [propertyId]);
  const buildings = await em.execute<{ id: string; area_id: string; name: string; households: string }[]>(
    `select b.id, b.area_id, b.name, (select count(*) from household h where h.building_id = b.id) as households
       from building b join area a on a.id = b.area_id where a.property_id = ? order by b.id`,
    [propertyId],
  );
  const units = await em.execute<{ building_id: string; code: string; name: string }[]>(
    `select u.building_id, u.code, u.name from unit u join building b on b.id = u.building_id join area a on a.id = b.area_id
      where a.property_id = ? order by u.building_id, length(u.code), u.code`,
    [propertyId],
  );
  return areas.map((a) => ({
    id: a.id,
    name: a.name,
    butlerId: a.butler_id,
    buildings: buildings
      .filter((b) => b.area_id === a.id)
      .map((b) => ({
        id: b.id,
        areaId: b.area_id,
        name: b.name,
        units: units.filter((u) => u.building_id === b.id).map((u) => ({ code: u.code, name: u.name })),
        households: Number(b.households),
      })),
  }));
}

async function butlerProblem(tx: EntityManager, propertyId: string, butlerId: string | null | undefined): Promise<Failure | undefined> {
  if (!butlerId) return undefined;
  const [staff] = await tx.execute<{ roles: string[] }[]>('select roles from staff where id = ? and property_id = ? and active', [butlerId, propertyId]);
  if (!staff) return { invalid: { name: 'butlerId', reason: `no active staff member ${butlerId} in this property` } };
  if (!staff.roles.includes('butler')) return { invalid: { name: 'butlerId', reason: `${butlerId} is not a butler` } };
  return undefined;
}

async function areaOf(tx: EntityManager, propertyId: string, areaId: string) {
  const [area] = await tx.execute<{ id: string; name: string; butler_id: string | null }[]>('select id, name, butler_id from area where id = ? and property_id = ? for update', [areaId, propertyId]);
  return area;
}

async function buildingOf(tx: EntityManager, propertyId: string, buildingId: string) {
  const [building] = await tx.execute<{ id: string; area_id: string; name: string }[]>(
    'select b.id, b.area_id, b.name from building b join area a on a.id = b.area_id where b.id = ? and a.property_id = ? for update of b',
    [buildingId, propertyId],
  );
  return building;
}

export async function createArea(em: EntityManager, propertyId: string, input: z.infer<typeof newAreaSchema>, actorId: string): Promise<PlaceResult<{ id: string }>> {
  return em.transactional(async (tx) => {
    const [taken] = await tx.execute('select 1 from area where id = ?', [input.id]);
    if (taken) return { conflict: `area id ${input.id} is taken` };
    const problem = await butlerProblem(tx, propertyId, input.butlerId);
    if (problem) return problem;
    await tx.execute('insert into area (id, property_id, name, butler_id) values (?, ?, ?, ?)', [input.id, propertyId, input.name, input.butlerId]);
    await appendAdminAudit(tx, { propertyId, actorId, action: 'place.area.create', subject: input.id, detail: { name: input.name, butlerId: input.butlerId } });
    return { ok: { id: input.id } };
  });
}

export async function updateArea(em: EntityManager, propertyId: string, areaId: string, input: z.infer<typeof areaUpdateSchema>, actorId: string): Promise<PlaceResult<{ id: string }>> {
  return em.transactional(async (tx) => {
    const area = await areaOf(tx, propertyId, areaId);
    if (!area) return { notFound: `no area ${areaId} in this property` };
    const problem = await butlerProblem(tx, propertyId, input.butlerId);
    if (problem) return problem;
    const next = { name: input.name ?? area.name, butlerId: input.butlerId === undefined ? area.butler_id : input.butlerId };
    await tx.execute('update area set name = ?, butler_id = ? where id = ?', [next.name, next.butlerId, areaId]);
    await appendAdminAudit(tx, { propertyId, actorId, action: 'place.area.update', subject: areaId, detail: { previous: { name: area.name, butlerId: area.butler_id }, ...input } });
    return { ok: { id: areaId } };
  });
}

async function insertUnits(tx: EntityManager, buildingId: string, units: z.infer<typeof newUnitSchema>[]): Promise<void> {
  for (const unit of units) {
    await tx.execute('insert into unit (building_id, code, name) values (?, ?, ?)', [buildingId, unit.code, unit.name ?? defaultUnitName(unit.code)]);
  }
}

export async function createBuilding(em: EntityManager, propertyId: string, input: z.infer<typeof newBuildingSchema>, actorId: string): Promise<PlaceResult<{ id: string }>> {
  return em.transactional(async (tx) => {
    const [taken] = await tx.execute('select 1 from building where id = ?', [input.id]);
    if (taken) return { conflict: `building id ${input.id} is taken` };
    if (!(await areaOf(tx, propertyId, input.areaId))) return { invalid: { name: 'areaId', reason: `no area ${input.areaId} in this property` } };
    const codes = input.units.map((u) => u.code);
    const twice = codes.find((c, i) => codes.indexOf(c) !== i);
    if (twice) return { invalid: { name: 'units', reason: `unit ${twice} is listed twice` } };
    await tx.execute('insert into building (id, area_id, name) values (?, ?, ?)', [input.id, input.areaId, input.name]);
    await insertUnits(tx, input.id, input.units);
    await appendAdminAudit(tx, { propertyId, actorId, action: 'place.building.create', subject: input.id, detail: { areaId: input.areaId, name: input.name, units: codes } });
    return { ok: { id: input.id } };
  });
}

export async function updateBuilding(em: EntityManager, propertyId: string, buildingId: string, input: z.infer<typeof buildingUpdateSchema>, actorId: string): Promise<PlaceResult<{ id: string }>> {
  return em.transactional(async (tx) => {
    const building = await buildingOf(tx, propertyId, buildingId);
    if (!building) return { notFound: `no building ${buildingId} in this property` };
    if (input.areaId && !(await areaOf(tx, propertyId, input.areaId))) return { invalid: { name: 'areaId', reason: `no area ${input.areaId} in this property` } };
    await tx.execute('update building set name = ?, area_id = ? where id = ?', [input.name ?? building.name, input.areaId ?? building.area_id, buildingId]);
    await appendAdminAudit(tx, { propertyId, actorId, action: 'place.building.update', subject: buildingId, detail: { previous: { name: building.name, areaId: building.area_id }, ...input } });
    return { ok: { id: buildingId } };
  });
}

export async function addUnit(em: EntityManager, propertyId: string, buildingId: string, input: z.infer<typeof newUnitSchema>, actorId: string): Promise<PlaceResult<{ id: string }>> {
  return em.transactional(async (tx) => {
    if (!(await buildingOf(tx, propertyId, buildingId))) return { notFound: `no building ${buildingId} in this property` };
    const [taken] = await tx.execute('select 1 from unit where building_id = ? and code = ?', [buildingId, input.code]);
    if (taken) return { conflict: `building ${buildingId} already has unit ${input.code}` };
    await insertUnits(tx, buildingId, [input]);
    await appendAdminAudit(tx, { propertyId, actorId, action: 'place.unit.create', subject: `${buildingId}/${input.code}`, detail: { name: input.name ?? defaultUnitName(input.code) } });
    return { ok: { id: buildingId } };
  });
}

export async function renameUnit(em: EntityManager, propertyId: string, buildingId: string, code: string, name: string, actorId: string): Promise<PlaceResult<{ id: string }>> {
  return em.transactional(async (tx) => {
    if (!(await buildingOf(tx, propertyId, buildingId))) return { notFound: `no building ${buildingId} in this property` };
    const [unit] = await tx.execute<{ name: string }[]>('select name from unit where building_id = ? and code = ? for update', [buildingId, code]);
    if (!unit) return { notFound: `building ${buildingId} has no unit ${code}` };
    await tx.execute('update unit set name = ? where building_id = ? and code = ?', [name, buildingId, code]);
    await appendAdminAudit(tx, { propertyId, actorId, action: 'place.unit.update', subject: `${buildingId}/${code}`, detail: { previous: { name: unit.name }, name } });
    return { ok: { id: buildingId } };
  });
}

/** The unit codes registered for a building (empty: any unit is taken). */
export async function unitsOf(em: EntityManager, buildingId: string): Promise<string[]> {
  const rows = await em.execute<{ code: string }[]>('select code from unit where building_id = ?', [buildingId]);
  return rows.map((r) => r.code);
}
