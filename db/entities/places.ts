import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

/** A property (项目): the unit that owns a service policy and a calendar. */
export const Property = defineEntity({
  name: 'Property',
  tableName: 'property',
  properties: {
    id: p.string().primary().length(32),
    name: p.string().length(200),
    timeZone: p.string().length(64).default('Asia/Shanghai'),
    /** Partial ServicePolicy (domain/policy.ts); missing fields take the documented defaults. */
    policy: p.json<Record<string, unknown>>().nullable(),
    /** Per-property holiday / adjusted-workday overrides for years the calendar package does not cover yet. */
    calendarOverrides: p.json<{ date: string; kind: 'holiday' | 'workday'; name?: string }[]>().default([] as never),
    /** Occupancy start (入住), used for survey rates (S5). */
    occupiedSince: p.date().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});
export type IProperty = InferEntity<typeof Property>;

/** An area (片区), owned by a butler. */
export const Area = defineEntity({
  name: 'Area',
  tableName: 'area',
  properties: {
    id: p.string().primary().length(32),
    property: () => p.manyToOne(Property),
    name: p.string().length(200),
    butlerId: p.string().length(32).nullable(),
  },
});
export type IArea = InferEntity<typeof Area>;

/** A building (楼栋). */
export const Building = defineEntity({
  name: 'Building',
  tableName: 'building',
  properties: {
    id: p.string().primary().length(32),
    area: () => p.manyToOne(Area),
    name: p.string().length(200),
  },
});
export type IBuilding = InferEntity<typeof Building>;
