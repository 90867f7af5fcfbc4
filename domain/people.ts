/** Staff roles of domain.md §0. */
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
