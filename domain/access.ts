/**
 * Who may do what through the API: one table, resource × operation → roles, as docs/rules.md §0
 * describes the roles. Every API operation names its entry here (`roles: ACCESS.repairs.create`);
 * a lint rule refuses a role list written in a route (eslint.config.mjs), and
 * test/unit/access.test.ts holds the table to the rules (hr and audit only where C2 puts them, an
 * engineer never reading a complaint, every list a set of known roles).
 *
 * A case's own actions (accept, arrive, classify, reply…) are not here: each is declared once with
 * its roles in the case's action table (workflows/messages.ts), which drives the update, the
 * signal, the route and the OpenAPI document together. Which rows of a list a role sees (a butler's
 * areas, C2's complaint kinds, an engineer's own orders) is decided beside the data it filters
 * (domain/people.ts, domain/complaints.ts, domain/archive.ts).
 */
import { ROLES, type Role } from './people';

/** Everyone who signs in: the property's settings, its places and its calendar are no secret among staff. */
const STAFF = ROLES;

/** The service desk: those who take, follow and answer residents' requests and so see their contact details (§0). */
const SERVICE_DESK = ['frontdesk', 'butler', 'supervisor', 'manager', 'callcenter'] as const;

/** The service desk without the call centre: those who work on the property's own records. */
const ON_SITE_DESK = ['frontdesk', 'butler', 'supervisor', 'manager'] as const;

export const ACCESS = {
  repairs: {
    /** R1: whoever takes the call records it. */
    create: SERVICE_DESK,
    /** An engineer reads the work orders (their own, api/routes/repairs.ts). */
    read: [...SERVICE_DESK, 'engineer'],
  },
  complaints: {
    /** C1/C2: anyone who receives one records it; employee complaints and reports reach hr and audit. */
    create: [...SERVICE_DESK, 'hr', 'audit'],
    /** C2 narrows each role to the kinds it may see (domain/complaints.ts `visibleKinds`). */
    read: [...SERVICE_DESK, 'hr', 'audit'],
    /** C10: a butler, supervisor or manager who sees a complaint coming reports it first. */
    warn: ['butler', 'supervisor', 'manager'],
  },
  requests: {
    /** I1/I3: any staff member may pass a resident's request on, an engineer on site included. */
    create: [...SERVICE_DESK, 'engineer'],
    read: SERVICE_DESK,
  },
  specialServices: {
    /** O2: ordered at the desk. */
    create: SERVICE_DESK,
    read: SERVICE_DESK,
  },
  patrolFindings: {
    /** O1: the butler's patrol (and a supervisor standing in). */
    create: ['butler', 'supervisor'],
    /** The engineers who rectify a finding read it. */
    read: [...ON_SITE_DESK, 'engineer'],
  },
  returnVisits: {
    /** R9/V1: the visits due, for those who make them. */
    read: SERVICE_DESK,
    /** R9: the rainfall that moves a leak's visit. */
    reportRainfall: ['butler', 'supervisor', 'frontdesk'],
  },
  reconciliations: {
    /** R12: the butler's twice-daily reconciliation with the front desk. */
    run: ['butler', 'frontdesk', 'supervisor'],
  },
  console: {
    /** The engineer's own open work orders. */
    myWorkOrders: ['engineer'],
    /** One work order and its photos: whoever reads repairs (an engineer only their own). */
    workOrder: [...SERVICE_DESK, 'engineer'],
    /** R7/R8: before and after photos, by the engineer or the supervisor checking the work. */
    photos: ['engineer', 'supervisor'],
    /** R8: the customer's signature — the signOff action's roles (workflows/messages.ts). */
    signature: ['engineer', 'butler', 'frontdesk'],
    /** The front desk's call: the caller's open cases. */
    openCases: SERVICE_DESK,
    /** R2–R6: the at-risk board and a case's SLA timeline. */
    board: ['supervisor', 'manager'],
  },
  households: {
    /** Room, building and area only; phones and names as domain/archive.ts allows. */
    read: [...SERVICE_DESK, 'engineer'],
    write: ON_SITE_DESK,
    changes: ON_SITE_DESK,
    summary: ON_SITE_DESK,
  },
  surveys: {
    /** S1: start a month's run and choose its topic. */
    run: ['supervisor', 'manager'],
    read: ['supervisor', 'manager', 'butler'],
    /** S2: answers taken by visit, phone, chat, paper or forum. */
    recordAnswer: ['butler', 'supervisor', 'frontdesk', 'callcenter'],
    /** S2: one survey's page, for those who take its answer and the manager. */
    readOne: ['butler', 'supervisor', 'frontdesk', 'callcenter', 'manager'],
    /** S4/S5: the half-yearly questionnaire campaign. */
    campaign: ['supervisor', 'manager', 'butler'],
  },
  reports: {
    /** P1/P3: the month's complaint analysis and the staff results. */
    monthly: ['supervisor', 'manager'],
    /** P3: the staff appraisal, read and entered by supervisors and managers (never their own, domain/appraisal.ts). */
    appraisal: ['supervisor', 'manager'],
    /** P2: repair progress. */
    progress: ['frontdesk', 'supervisor', 'manager'],
    /** R12: the lists the reconciliation goes through. */
    openLists: ['butler', 'frontdesk', 'supervisor', 'manager'],
  },
  staff: {
    /** Staff, roles and keys: the manager (hr and audit only by their holders, domain/people.ts). */
    administer: ['manager'],
    /** A staff member's one-time password link (docs/console.md). */
    passwordLink: ['manager'],
    list: ['manager', 'supervisor'],
  },
  property: {
    read: STAFF,
    /** The service policy and the property's settings. */
    manage: ['manager'],
    /** What a policy change would do, before the manager makes it. */
    preview: ['manager', 'supervisor'],
  },
  places: { read: STAFF, manage: ['manager'] },
  calendar: { read: STAFF, manage: ['manager'] },
  imports: { run: ['manager'] },
  /** Staff, role, key and settings changes: the manager, and audit who checks them. */
  adminAudit: { read: ['manager', 'audit'] },
  /**
   * The Temporal UI's codec endpoint (docs/personal-data.md): each role opens only the payloads sealed
   * for its audience (domain/payload-audience.ts) — supervisors and managers the service centre's
   * cases, hr employee complaints, audit reports (C2).
   */
  payloads: { decode: ['supervisor', 'manager', 'hr', 'audit'] },
} as const satisfies Record<string, Record<string, readonly Role[]>>;

export type Resource = keyof typeof ACCESS;

/** Every (resource, operation, roles) of the table, for its tests and the docs. */
export function accessEntries(): { resource: string; operation: string; roles: readonly Role[] }[] {
  return Object.entries(ACCESS).flatMap(([resource, ops]) => Object.entries(ops as Record<string, readonly Role[]>).map(([operation, roles]) => ({ resource, operation, roles })));
}
