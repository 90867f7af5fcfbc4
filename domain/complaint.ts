/**
 * A complaint (投诉, docs/rules.md §3): its kinds, severities, categories, lifecycle and who may see and
 * handle it. Pure: bundled into workflow code and imported by the API.
 */
import { z } from 'zod';
import { instant, note, phone } from './fields';
import { CHANNELS, type Role } from './people';
import { REPAIR_CLASSES, REPAIR_TAGS } from './repair';
import { REQUEST_KINDS } from './requests';

/** C2: a customer complaint, an employee complaint (staff about staff → hr), a whistle-blowing report (→ audit). */
export const COMPLAINT_KINDS = ['customer', 'employee', 'report'] as const;
export type ComplaintKind = (typeof COMPLAINT_KINDS)[number];

/** C3: general (一般), important (重要), major (重大). */
export const COMPLAINT_SEVERITIES = ['general', 'important', 'major'] as const;
export type ComplaintSeverity = (typeof COMPLAINT_SEVERITIES)[number];

/** C5: the eight categories of the monthly analysis. */
export const COMPLAINT_CATEGORIES = [
  'safety',
  'engineering',
  'environment',
  'general-management',
  'staff-conduct',
  'neighbour-dispute',
  'developer-related',
  'other',
] as const;
export type ComplaintCategory = (typeof COMPLAINT_CATEGORIES)[number];

/**
 * C3/C6: the departments a complaint is handled by (相关部门), each with a head (主管) who is told of
 * the general and important complaints routed to it: engineering (工程部), order and security (秩序部),
 * environment (环境部: cleaning, greening), and the service centre itself (客服部), whose head is the
 * butlers' supervisor.
 */
export const DEPARTMENTS = { engineering: '工程部', order: '秩序部', environment: '环境部', service: '客服部' } as const;
export type Department = keyof typeof DEPARTMENTS;
export const DEPARTMENT_CODES = Object.keys(DEPARTMENTS) as Department[];

/** The department a classification names, by its code or its Chinese name ('工程部' → engineering); undefined for another text. */
export function departmentOf(text: string | undefined): Department | undefined {
  if (!text) return undefined;
  const t = text.trim();
  return DEPARTMENT_CODES.find((code) => code === t || DEPARTMENTS[code] === t);
}

/** C7: complaints closed without a return visit, after a quiet week. */
export const EXEMPTION_GROUNDS = ['on-the-spot', 'anonymous', 'sensitive'] as const;
export type ExemptionGround = (typeof EXEMPTION_GROUNDS)[number];

/** C9: closed although the customer does not agree. */
export const CLOSURE_GROUNDS = ['lawful', 'beyond-authority', 'unreachable', 'unconfirmed'] as const;
export type ClosureGround = (typeof CLOSURE_GROUNDS)[number];

/** Why a complaint became major (C4, C8, R11). */
export type MajorReason =
  | 'lawsuit-or-media'
  | 'serious-loss-or-injury'
  | 'same-issue'
  | 'collective'
  | 'unresolved-a-week'
  | 'unresolved-a-month'
  | 'handled-twice'
  | 'repair-failed-twice'
  | 'classified';

export const COMPLAINT_STATUSES = [
  'received', // C1: waiting for the first response and the classification
  'classified', // C2–C5: kind, severity, category, department known; handling not yet agreed
  'handling', // C6: method and deadline agreed with the customer
  'awaiting_approval', // C6: cause analysis and corrective action wait for the manager
  'awaiting_return_visit', // C7: the supervisor's return visit
  'unsatisfied', // C8: improve (agree handling again) or explain
  'quiet_period', // C7: exempt; closes when no repeat complaint arrives within a week
  'awaiting_archive', // C7: the manager approves the archive
  'archived', // C11: archived; the closing reply to the customer is due within 1 working day
  'closed',
  'invalid', // C1: a misunderstanding, explained to the customer; no return visit
] as const;
export type ComplaintStatus = (typeof COMPLAINT_STATUSES)[number];

/**
 * C2 and confidentiality: who sees a complaint and who acts on it. Employee complaints go to hr and
 * reports to audit only — no butler, supervisor or manager sees them; customer complaints are the
 * service centre's. `escalateTo` hears of missed deadlines and upgrades.
 */
export const COMPLAINT_ROUTING: Record<ComplaintKind, { readers: readonly Role[]; handlers: readonly Role[]; escalateTo: Role[]; approver: Role }> = {
  customer: {
    readers: ['frontdesk', 'butler', 'supervisor', 'manager', 'callcenter'],
    handlers: ['frontdesk', 'butler', 'supervisor', 'manager', 'callcenter'],
    escalateTo: ['supervisor', 'manager'],
    approver: 'manager',
  },
  employee: { readers: ['hr'], handlers: ['hr'], escalateTo: ['hr'], approver: 'hr' },
  report: { readers: ['audit'], handlers: ['audit'], escalateTo: ['audit'], approver: 'audit' },
};

export const isConfidential = (kind: ComplaintKind): boolean => kind !== 'customer';

/** The complaint kinds a role may see at all. */
export const visibleKinds = (roles: readonly Role[]): ComplaintKind[] =>
  COMPLAINT_KINDS.filter((kind) => COMPLAINT_ROUTING[kind].readers.some((r) => roles.includes(r)));

/** An issue (问题) several complaints are about, e.g. "lift-3-2026-05": staff choose the key (C4). */
export const issueKeySchema = () =>
  z
    .string()
    .trim()
    .regex(/^[a-z0-9][a-z0-9-]{1,62}$/, 'must be a lowercase key of letters, digits and dashes, e.g. lift-3-breakdown');

/** I1/I2 + C1/C2/C4: what a complaint records at intake. */
export const complaintIntakeSchema = () =>
  z
    .object({
      kind: z.enum(COMPLAINT_KINDS).default('customer'),
      room: z.string().trim().min(1).max(32).optional().describe('Room 房号 of the complainant; omit for an anonymous complaint or a public area'),
      areaId: z.string().trim().min(1).max(32).optional().describe('Area 片区 when there is no room'),
      contactName: z.string().trim().min(1).max(64).optional(),
      contactPhone: phone().optional(),
      anonymous: z.boolean().default(false).describe('C7: no name or contact; exempt from the return visit'),
      channel: z.enum(CHANNELS),
      description: z.string().trim().min(2).max(4000),
      severity: z.enum(COMPLAINT_SEVERITIES).optional().describe('C3; may be set later at classification'),
      category: z.enum(COMPLAINT_CATEGORIES).optional().describe('C5; may be set later at classification'),
      /** C4: a risk of a lawsuit or media exposure makes the complaint major at once. */
      lawsuitOrMediaRisk: z.boolean().default(false),
      /** C4: serious financial loss or personal injury (重大经济损失或人身伤害) makes it major at once. */
      seriousLossOrInjury: z.boolean().default(false),
      /** C4: people behind a collective complaint; 3 or more make it major. */
      complainants: z.number().int().min(1).max(10_000).default(1),
      receivedAt: instant().optional(),
      /** I2: why a case is recorded long after it came in (beyond the policy's grace); kept in its audit log. */
      lateEntryReason: z.string().trim().min(2).max(500).optional(),
    })
    .strict()
    .superRefine((v, ctx) => {
      if (!v.room && !v.areaId) ctx.addIssue({ code: 'custom', path: ['room'], message: 'give the room, or the area for a complaint without one' });
    if (v.anonymous && (v.contactName || v.contactPhone)) {
      ctx.addIssue({ code: 'custom', path: ['anonymous'], message: 'an anonymous complaint records no name or phone' });
    }
    if (!v.anonymous && !v.contactPhone) {
      ctx.addIssue({ code: 'custom', path: ['contactPhone'], message: 'how do we reach the complainant? (or mark the complaint anonymous)' });
    }
  });
export type ComplaintIntake = z.infer<ReturnType<typeof complaintIntakeSchema>>;

/** C4: the reasons that make a complaint major at intake; none → it keeps the severity it was given. */
export function majorAtIntake(
  policy: { collectiveComplainantsForMajor: number },
  intake: { lawsuitOrMediaRisk?: boolean; seriousLossOrInjury?: boolean; complainants?: number },
): MajorReason | undefined {
  if (intake.lawsuitOrMediaRisk) return 'lawsuit-or-media';
  if (intake.seriousLossOrInjury) return 'serious-loss-or-injury';
  if ((intake.complainants ?? 1) >= policy.collectiveComplainantsForMajor) return 'collective';
  return undefined;
}

/**
 * V3: a new need the customer raised at the complaint's return visit, which becomes a request of its
 * own kind: a repair (with its R1 class), or an inquiry, suggestion, help request or praise (I3).
 */
export const complaintNewNeedSchema = () =>
  z
    .object({
      kind: z.enum(['repair', ...REQUEST_KINDS]),
      description: z.string().trim().min(2).max(2000),
      classification: z.enum(REPAIR_CLASSES).optional().describe('R1: required for a repair'),
      tags: z.array(z.enum(REPAIR_TAGS)).max(REPAIR_TAGS.length).optional(),
      appointmentAt: instant().optional().describe('R5: required for a major repair'),
      note: note().optional(),
    })
    .strict()
    .superRefine((need, ctx) => {
      if (need.kind === 'repair' && !need.classification) ctx.addIssue({ code: 'custom', path: ['classification'], message: 'a repair is urgent, general or major (R1)' });
      if (need.kind === 'repair' && need.classification === 'major' && !need.appointmentAt) {
        ctx.addIssue({ code: 'custom', path: ['appointmentAt'], message: 'a major repair needs an agreed appointment time (R5)' });
      }
      if (need.kind !== 'repair' && (need.classification || need.tags || need.appointmentAt)) {
        ctx.addIssue({ code: 'custom', path: ['kind'], message: 'classification, tags and appointment are for a repair' });
      }
    });
export type ComplaintNewNeed = z.infer<ReturnType<typeof complaintNewNeedSchema>>;

/** Complaint case numbers, e.g. C20261122-0003. */
export const complaintCaseIdPattern = /^C\d{8}-\d{4,}$/;
