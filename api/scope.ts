import type { Orm } from '../db/orm';
import { seesOnlyOwnAreas } from '../domain/people';
import type { StaffPrincipal } from './auth';

/**
 * The areas whose cases the staff member may see, or undefined for the whole property: a butler's
 * are the areas on their staff record and those that name them as the area's butler.
 */
export async function visibleAreaIds(orm: Orm, staff: StaffPrincipal): Promise<string[] | undefined> {
  if (!seesOnlyOwnAreas(staff.roles)) return undefined;
  // A plain read on every request of a butler: no entities to hydrate for a list of ids.
  const owned = await orm.em.getConnection().execute<{ id: string }[]>('select id from area where butler_id = ? and property_id = ?', [staff.id, staff.propertyId]);
  return [...new Set([...staff.areaIds, ...owned.map((a) => a.id)])];
}
