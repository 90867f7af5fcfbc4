/** Staff roles of docs/rules.md §0. */
export const ROLES = ['frontdesk', 'butler', 'engineer', 'supervisor', 'manager', 'callcenter', 'hr', 'audit'] as const;
export type Role = (typeof ROLES)[number];

/** I1: the channels a request arrives through. */
export const CHANNELS = [
  'phone', // 电话
  'visit', // 来访
  'frontdesk', // 前台
  'staff', // 管家/员工转达
  'app',
  'wechat',
  'letter', // 信函
  'email',
  'callcenter', // 400/8080
  'public-opinion', // 舆情
  'group-transfer', // 集团转办
] as const;
export type Channel = (typeof CHANNELS)[number];

/** Who took an action: recorded on every audit event. `system` is the workflow itself (deadlines, escalations). */
export interface Actor {
  staffId: string;
  role: Role | 'system';
}

export const SYSTEM_ACTOR: Actor = { staffId: 'system', role: 'system' };

/** Roles whose view of cases is limited to the areas they cover; any other role sees the whole property. */
export const AREA_SCOPED_ROLES: readonly Role[] = ['butler'];

/** A butler sees the cases of their own areas; a butler who is also, say, a supervisor sees the property. */
export function seesOnlyOwnAreas(roles: readonly Role[]): boolean {
  return roles.length > 0 && roles.every((r) => AREA_SCOPED_ROLES.includes(r));
}

/**
 * An engineer (and nobody else) sees only the work orders assigned to them: another engineer's
 * order, its customer and its photos are not theirs to open.
 */
export function seesOnlyOwnOrders(roles: readonly Role[]): boolean {
  return roles.length > 0 && roles.every((r) => r === 'engineer');
}

/**
 * Roles that only their own holders may grant (C2): hr and audit read the employee complaints and
 * whistle-blowing reports nobody else may see, so a manager who could give either role — or a key to
 * someone who holds it — could read them through that person. Everything else is the manager's to grant.
 */
export const SELF_GRANTED_ROLES: readonly Role[] = ['hr', 'audit'];

/**
 * The roles of `target` that `granter` may not give (empty: they may): a self-granted role only by
 * one of its holders, any other role only by a manager. Giving a key to a staff member is giving
 * them their roles, so the same rule decides who may issue one.
 */
export function rolesBeyondGranter(granter: readonly Role[], target: readonly Role[]): Role[] {
  return [...new Set(target)].filter((role) => (SELF_GRANTED_ROLES.includes(role) ? !granter.includes(role) : !granter.includes('manager')));
}

/** The roles of `before` → `after` that a grantor holding `grantor` may not add or remove (an import's rows, a staff change). */
export function rolesTheGrantorMayNotChange(grantor: readonly Role[], before: readonly Role[], after: readonly Role[]): Role[] {
  return SELF_GRANTED_ROLES.filter((role) => before.includes(role) !== after.includes(role) && !grantor.includes(role));
}
