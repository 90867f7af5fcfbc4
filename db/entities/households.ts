import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { Building } from './places';

/** A household (客户/业主) and its archive (客户档案, docs/rules.md §0). Names and phones are personal data. */
export const Household = defineEntity({
  name: 'Household',
  tableName: 'household',
  uniques: [{ properties: ['propertyId', 'room'] }],
  properties: {
    id: p.string().primary().length(64),
    propertyId: p.string().length(32).index(),
    building: () => p.manyToOne(Building),
    /** 房号 as "building-unit-room", unique within the property. */
    room: p.string().length(32),
    unit: p.string().length(16),
    moveInDate: p.date().nullable(),
    /** Vacant (空置) from this date: no longer occupied, so no longer surveyed (S1). */
    moveOutDate: p.date().nullable(),
    membersCount: p.integer().nullable(),
    occupation: p.string().length(100).nullable(),
    ageBand: p.string().length(32).nullable(),
    hobbies: p.json<string[]>().default([] as never),
    skills: p.json<string[]>().default([] as never),
    pets: p.json<string[]>().default([] as never),
    festivals: p.json<string[]>().default([] as never),
    serviceNeeds: p.text().nullable(),
    contacts: () => p.oneToMany(HouseholdContact).mappedBy('household'),
    updatedAt: p.datetime().onCreate(() => new Date()).onUpdate(() => new Date()),
  },
});
export type IHousehold = InferEntity<typeof Household>;

export const HouseholdContact = defineEntity({
  name: 'HouseholdContact',
  tableName: 'household_contact',
  properties: {
    id: p.integer().primary().autoincrement(),
    household: () => p.manyToOne(Household),
    name: p.string().length(64),
    phone: p.string().length(32),
    email: p.string().length(200).nullable(),
    relation: p.string().length(32).default('owner'),
    primary: p.boolean().default(false),
    /** §0 archive, per member: occupation and age band (the household's own fields describe the owner). */
    occupation: p.string().length(100).nullable(),
    ageBand: p.string().length(32).nullable(),
  },
});
export type IHouseholdContact = InferEntity<typeof HouseholdContact>;
