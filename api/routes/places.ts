/**
 * Places (docs/rules.md §0): a manager sets up and edits the property's areas (片区), buildings (楼栋)
 * and their units (单元) through the API; every staff member reads them. Each change is audited.
 */
import { ACCESS } from '../../domain/access';
import { z } from 'zod';
import { addUnit, createArea, createBuilding, listPlaces, renameUnit, updateArea, updateBuilding, type PlaceResult } from '../../db/places';
import { areaUpdateSchema, buildingUpdateSchema, newAreaSchema, newBuildingSchema, newUnitSchema, placeIdSchema, unitCodeSchema, unitUpdateSchema } from '../../domain/places';
import { operation, type Operation, type OperationResult } from '../contract';
import { HttpProblem } from '../problem';
import type { RouteDeps } from './repairs';


const unitView = z.object({ code: z.string(), name: z.string() });
const buildingView = z.object({ id: z.string(), areaId: z.string(), name: z.string(), units: z.array(unitView), households: z.number() });
const areaView = z.object({ id: z.string(), name: z.string(), butlerId: z.string().nullable(), buildings: z.array(buildingView) });

const areaParams = z.object({ areaId: placeIdSchema }).strict();
const buildingParams = z.object({ buildingId: placeIdSchema }).strict();
const unitParams = z.object({ buildingId: placeIdSchema, code: unitCodeSchema }).strict();

/** A db/places outcome as an answer: the place as it now is, or the problem. */
async function answer(result: PlaceResult<{ id: string }>, view: () => Promise<unknown>, status: number, location?: string): Promise<OperationResult> {
  if ('notFound' in result) throw new HttpProblem(404, 'Not found', result.notFound);
  if ('conflict' in result) throw new HttpProblem(409, 'Conflict', result.conflict);
  if ('invalid' in result) {
    throw new HttpProblem(422, 'Invalid place', result.invalid.reason, { 'invalid-params': [{ name: result.invalid.name, in: 'body', reason: result.invalid.reason }] });
  }
  return { status, body: await view(), ...(location ? { headers: { Location: location } } : {}) };
}

export function placeOperations({ orm }: RouteDeps): Operation[] {
  const areaNow = async (propertyId: string, areaId: string) => (await listPlaces(orm.em.fork(), propertyId)).find((a) => a.id === areaId)!;
  const buildingNow = async (propertyId: string, buildingId: string) =>
    (await listPlaces(orm.em.fork(), propertyId)).flatMap((a) => a.buildings).find((b) => b.id === buildingId)!;

  return [
    operation({
      method: 'get',
      path: '/places',
      operationId: 'listPlaces',
      summary: "The property's areas, their buildings and units, and how many households each building holds",
      tags: ['places'],
      roles: ACCESS.places.read,
      responses: { 200: { description: 'Every area of the property', schema: z.object({ areas: z.array(areaView) }) } },
      handler: async ({ staff }) => ({ status: 200, body: { areas: await listPlaces(orm.em.fork(), staff.propertyId) } }),
    }),

    operation({
      method: 'post',
      path: '/areas',
      operationId: 'createArea',
      summary: 'Add an area (片区) to the property, with the butler who owns it',
      tags: ['places'],
      roles: ACCESS.places.manage,
      body: newAreaSchema,
      bodyExample: { id: 'A3', name: '南区 South', butlerId: 'S-BT1' },
      responses: {
        201: { description: 'The area', schema: areaView },
        409: { description: 'That area id is taken' },
        422: { description: 'The butler is not an active butler of this property' },
      },
      handler: async ({ body, staff }) =>
        answer(await createArea(orm.em.fork(), staff.propertyId, body, staff.id), () => areaNow(staff.propertyId, body.id), 201, `/api/v1/areas/${body.id}`),
    }),

    operation({
      method: 'patch',
      path: '/areas/:areaId',
      operationId: 'updateArea',
      summary: "Rename an area or change its butler",
      tags: ['places'],
      roles: ACCESS.places.manage,
      params: areaParams,
      body: areaUpdateSchema,
      bodyExample: { butlerId: 'S-BT2' },
      responses: { 200: { description: 'The area', schema: areaView }, 404: { description: 'No such area in this property' }, 422: { description: 'The butler is not an active butler of this property' } },
      handler: async ({ params, body, staff }) =>
        answer(await updateArea(orm.em.fork(), staff.propertyId, params.areaId, body, staff.id), () => areaNow(staff.propertyId, params.areaId), 200),
    }),

    operation({
      method: 'post',
      path: '/buildings',
      operationId: 'createBuilding',
      summary: 'Add a building (楼栋) to an area, with its units (单元)',
      description: 'A building with units registered accepts households only in those units (the middle part of the room number).',
      tags: ['places'],
      roles: ACCESS.places.manage,
      body: newBuildingSchema,
      bodyExample: { id: 'P001-B5', areaId: 'A1', name: '5号楼', units: [{ code: '1' }, { code: '2', name: '二单元' }] },
      responses: {
        201: { description: 'The building', schema: buildingView },
        409: { description: 'That building id is taken' },
        422: { description: 'No such area in this property, or a unit listed twice' },
      },
      handler: async ({ body, staff }) =>
        answer(await createBuilding(orm.em.fork(), staff.propertyId, body, staff.id), () => buildingNow(staff.propertyId, body.id), 201, `/api/v1/buildings/${body.id}`),
    }),

    operation({
      method: 'patch',
      path: '/buildings/:buildingId',
      operationId: 'updateBuilding',
      summary: 'Rename a building or move it (with its households) to another area',
      tags: ['places'],
      roles: ACCESS.places.manage,
      params: buildingParams,
      body: buildingUpdateSchema,
      bodyExample: { areaId: 'A2' },
      responses: { 200: { description: 'The building', schema: buildingView }, 404: { description: 'No such building in this property' }, 422: { description: 'No such area in this property' } },
      handler: async ({ params, body, staff }) =>
        answer(await updateBuilding(orm.em.fork(), staff.propertyId, params.buildingId, body, staff.id), () => buildingNow(staff.propertyId, params.buildingId), 200),
    }),

    operation({
      method: 'post',
      path: '/buildings/:buildingId/units',
      operationId: 'addUnit',
      summary: 'Register a unit (单元) of a building',
      tags: ['places'],
      roles: ACCESS.places.manage,
      params: buildingParams,
      body: newUnitSchema,
      bodyExample: { code: '3', name: '三单元' },
      responses: { 201: { description: 'The building', schema: buildingView }, 404: { description: 'No such building in this property' }, 409: { description: 'The building already has that unit' } },
      handler: async ({ params, body, staff }) =>
        answer(await addUnit(orm.em.fork(), staff.propertyId, params.buildingId, body, staff.id), () => buildingNow(staff.propertyId, params.buildingId), 201),
    }),

    operation({
      method: 'patch',
      path: '/buildings/:buildingId/units/:code',
      operationId: 'renameUnit',
      summary: 'Rename a unit (its code, written in room numbers, stays)',
      tags: ['places'],
      roles: ACCESS.places.manage,
      params: unitParams,
      body: unitUpdateSchema,
      bodyExample: { name: '东单元' },
      responses: { 200: { description: 'The building', schema: buildingView }, 404: { description: 'No such building or unit' } },
      handler: async ({ params, body, staff }) =>
        answer(await renameUnit(orm.em.fork(), staff.propertyId, params.buildingId, params.code, body.name, staff.id), () => buildingNow(staff.propertyId, params.buildingId), 200),
    }),
  ];
}
