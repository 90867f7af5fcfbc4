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
    /** C3: the group's complaint contact (regional/city company), told of a major complaint with the 8080 centre. */
    groupEmail: p.string().length(200).nullable(),
    /** The language of the property's mails (docs/messages.md). */
    language: p.string().length(8).default('zh-CN'),
    /** The policy's version (policy_version): 0 until the first is recorded. */
    policyVersion: p.integer().default(0),
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

/**
 * A unit (单元) of a building: the middle part of a room number "building-unit-room". A building
 * with units registered accepts rooms in those units only; one without (older data) accepts any.
 */
export const Unit = defineEntity({
  name: 'Unit',
  tableName: 'unit',
  primaryKeys: ['buildingId', 'code'],
  properties: {
    buildingId: p.string().length(32).primary(),
    /** As written in room numbers, e.g. "2" in 1-2-301. */
    code: p.string().length(8).primary(),
    name: p.string().length(100),
  },
});
export type IUnit = InferEntity<typeof Unit>;
