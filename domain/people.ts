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
 * Roles granted (or taken away) only from the command line or by someone who holds them: hr and
 * audit receive complaints about staff and whistle-blowing reports (C2), which the manager they may
 * concern must not be able to read by giving the role to themselves or a friend.
 */
export const SELF_GRANTED_ROLES: readonly Role[] = ['hr', 'audit'];

/** The roles of `before` → `after` that a grantor holding `grantor` may not add or remove. */
export function rolesTheGrantorMayNotChange(grantor: readonly Role[], before: readonly Role[], after: readonly Role[]): Role[] {
  return SELF_GRANTED_ROLES.filter((role) => before.includes(role) !== after.includes(role) && !grantor.includes(role));
}
