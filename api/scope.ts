import { Area } from '../db/entities';
import type { Orm } from '../db/orm';
import { seesOnlyOwnAreas } from '../domain/people';
import type { StaffPrincipal } from './auth';

/**
 * The areas whose cases the staff member may see, or undefined for the whole property: a butler's
 * are the areas on their staff record and those that name them as the area's butler.
 */
export async function visibleAreaIds(orm: Orm, staff: StaffPrincipal): Promise<string[] | undefined> {
  if (!seesOnlyOwnAreas(staff.roles)) return undefined;
  const owned = await orm.em.fork().find(Area, { butlerId: staff.id, property: staff.propertyId }, { fields: ['id'] });
  return [...new Set([...staff.areaIds, ...owned.map((a) => a.id)])];
}
