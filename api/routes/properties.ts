/**
 * The property and its service policy without SQL: a manager edits the property's own fields and
 * changes the policy in its own units (ISO-8601 durations, working days, counts), each change a new
 * version, audited; the schedules follow a time-zone or time change at once. Before saving, the
 * preview says what a proposal would have changed over a past period, from the recorded audit log.
 * Cases already running keep the policy they started with.
 */
import { ACCESS } from '../../domain/access';
import { z } from 'zod';
import { changePolicy, loadProperty, policyVersions, updateProperty, type PropertyRow } from '../../db/policy-store';
import { calendarOver, recordedCases } from '../../db/recorded-cases';
import { propertyFieldsSchema } from '../../domain/places';
import { LOCALES } from '../../domain/words';
import { previewPeriod, previewPolicy } from '../../domain/policy-preview';
import { applyPolicyChanges, describePolicy, durationView, policyChangesSchema, policyRule, type PolicyProblem, type RuleChange } from '../../domain/policy-rules';
import { ensureSchedules, scheduledProperty } from '../../schedules';
import { operation, type Operation } from '../contract';
import { HttpProblem } from '../problem';
import type { RouteDeps } from './repairs';


/** Shown with every policy answer: what a change does to the cases already open. */
const RUNNING_CASES_NOTE =
  'Cases already running keep the policy they started with (each took a snapshot when it opened); cases opened after a change use the new version. The schedules (R12, S1, P1) move at once.';

const propertyView = z.object({
  id: z.string(),
  name: z.string(),
  timeZone: z.string(),
  occupiedSince: z.string().nullable(),
  groupEmail: z.string().nullable(),
  language: z.enum(LOCALES),
  policyVersion: z.number(),
  createdAt: z.string(),
});

const durationSchema = z.object({ ms: z.number(), iso: z.string(), words: z.string(), wordsZh: z.string() });
const ruleValueSchema = z.union([durationSchema, z.number(), z.string()]);
const ruleViewSchema = z.object({
  key: z.string(),
  rule: z.string(),
  unit: z.enum(['duration', 'workingDays', 'count', 'fraction', 'dayOfMonth', 'timeOfDay']),
  description: z.string(),
  default: ruleValueSchema,
  property: ruleValueSchema.nullable(),
  effective: ruleValueSchema,
});
const problemItem = z.object({ key: z.string(), reason: z.string() });
const changeSchema = z.object({ key: z.string(), old: ruleValueSchema.nullable(), new: ruleValueSchema.nullable() });

const policySchema = z.object({
  propertyId: z.string(),
  version: z.number(),
  timeZone: z.string(),
  note: z.string(),
  rules: z.array(ruleViewSchema),
});

const patchPolicyBody = z
  .object({
    changes: policyChangesSchema.describe('rule key → new value: a duration as ISO-8601 ("PT45M", "P2D"), working days or counts as numbers, times as "HH:MM"; null returns the rule to its default'),
    reason: z.string().trim().min(1).max(500).optional(),
    expectedVersion: z.number().int().min(0).optional().describe('the version you read; a change made meanwhile by someone else is answered 409'),
  })
  .strict();

const previewBody = z
  .object({
    changes: policyChangesSchema,
    month: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'YYYY-MM').optional().describe('a property-local month (default: the previous month)'),
    from: z.iso.date().optional().describe('or a period of local dates, from …'),
    to: z.iso.date().optional().describe('… to (included); at most 92 days'),
  })
  .strict();

const tallySchema = z.object({
  deadlines: z.number(),
  recordedMet: z.number(),
  recordedMissed: z.number(),
  proposedMet: z.number(),
  proposedMissed: z.number(),
  metBecomesMissed: z.number(),
  missedBecomesMet: z.number(),
  escalationsAdded: z.number(),
  escalationsAvoided: z.number(),
});

const MAX_DIFFERENCES = 200;

const PREVIEW_METHOD =
  'Each deadline outcome recorded in the period, its due time explained by the policy its case ran on, then moved by the proposal from the same start; ' +
  'met when the work was done (the recorded meeting, or the late action after a miss) by the proposed due time. A miss escalates. Nothing downstream is replayed.';

const previewSchema = z.object({
  period: z.object({ label: z.string(), from: z.string(), to: z.string() }),
  changes: z.array(changeSchema),
  outcomes: z.number().describe('every deadline outcome recorded in the period'),
  total: tallySchema,
  byRule: z.array(tallySchema.extend({ rule: z.string(), deadline: z.string(), policyKey: z.string() })),
  byStaff: z.array(tallySchema.extend({ staffId: z.string() })),
  notPreviewed: z.array(z.object({ reason: z.string(), explanation: z.string(), count: z.number() })),
  differences: z.array(
    z.object({
      caseId: z.string(),
      kind: z.string(),
      deadline: z.string(),
      rule: z.string(),
      policyKey: z.string(),
      ownerId: z.string().nullable(),
      dueAt: z.string(),
      proposedDueAt: z.string(),
      doneAt: z.string().nullable(),
      recorded: z.enum(['met', 'missed']),
      proposed: z.enum(['met', 'missed']),
      escalation: z.enum(['added', 'avoided']).nullable(),
    }),
  ),
  differencesShown: z.string().describe(`the first ${MAX_DIFFERENCES} by due time`),
  method: z.string(),
});

const propertyOut = (p: PropertyRow): z.infer<typeof propertyView> => ({
  id: p.id,
  name: p.name,
  timeZone: p.timeZone,
  occupiedSince: p.occupiedSince,
  groupEmail: p.groupEmail,
  language: p.language,
  policyVersion: p.policyVersion,
  createdAt: p.createdAt,
});

const policyOut = (p: PropertyRow) => ({ propertyId: p.id, version: p.policyVersion, timeZone: p.timeZone, note: RUNNING_CASES_NOTE, rules: describePolicy(p.policy) });

/** A stored value as the API shows it (a duration in its three forms). */
function shownChange(change: RuleChange) {
  const rule = policyRule(change.key)!;
  const show = (value: unknown) => (value === null || value === undefined ? null : rule.unit === 'duration' ? durationView(value as number) : (value as number | string));
  return { key: change.key, old: show(change.old), new: show(change.new) };
}

function invalidPolicy(problems: PolicyProblem[]): HttpProblem {
  return new HttpProblem(422, 'Invalid policy', `${problems.length} rule(s) cannot take the value asked; nothing was changed`, {
    'invalid-params': problems.map((p) => ({ name: `changes.${p.key}`, in: 'body', reason: p.reason })),
  });
}

const touchesSchedules = (changes: RuleChange[]) => changes.some((c) => c.key.startsWith('schedules.'));

export function propertyOperations({ orm, temporal, config }: RouteDeps): Operation[] {
  const moveSchedules = (property: PropertyRow) => ensureSchedules(temporal, config, [scheduledProperty(property)]);
  const current = async (propertyId: string) => (await loadProperty(orm.em.fork(), propertyId))!;

  return [
    operation({
      method: 'get',
      path: '/properties/current',
      operationId: 'getProperty',
      summary: "The caller's property: name, time zone, occupancy date, group contact and the policy version in force",
      tags: ['properties'],
      roles: ACCESS.property.read,
      responses: { 200: { description: 'The property', schema: propertyView } },
      handler: async ({ staff }) => ({ status: 200, body: propertyOut(await current(staff.propertyId)) }),
    }),

    operation({
      method: 'patch',
      path: '/properties/current',
      operationId: 'updateProperty',
      summary: "Change the property's name, time zone, occupancy date, group contact or mail language; the schedules follow a time-zone change at once",
      description: 'Audited. A new time zone moves the R12, S1 and P1 schedules before the answer; when Temporal cannot be reached nothing is changed (503).',
      tags: ['properties'],
      roles: ACCESS.property.manage,
      body: propertyFieldsSchema.partial().refine((v) => Object.keys(v).length > 0, 'change at least one field'),
      bodyExample: { timeZone: 'Asia/Urumqi', groupEmail: 'complaints@group.example' },
      responses: { 200: { description: 'The property as it is now', schema: propertyView } },
      handler: async ({ body, staff }) => {
        const em = orm.em.fork();
        const before = (await loadProperty(em, staff.propertyId))!;
        const moved = body.timeZone !== undefined && body.timeZone !== before.timeZone;
        const updated = await updateProperty(em, staff.propertyId, body, staff.id, moved ? moveSchedules : undefined);
        return { status: 200, body: propertyOut(updated) };
      },
    }),

    operation({
      method: 'get',
      path: '/properties/policy',
      operationId: 'getPolicy',
      summary: "The property's service policy: every rule with its default, the property's value and the one in force, durations as ISO-8601 and in words",
      tags: ['properties'],
      roles: ACCESS.property.read,
      responses: { 200: { description: 'The policy in force', schema: policySchema } },
      handler: async ({ staff }) => ({ status: 200, body: policyOut(await current(staff.propertyId)) }),
    }),

    operation({
      method: 'patch',
      path: '/properties/policy',
      operationId: 'changePolicy',
      summary: 'Change rules of the service policy, in their own units; a new version, audited',
      description:
        'Each value is checked against its rule’s bounds (no negative or absurd durations) and the rules that depend on each other (on site before the repair is due, the reminder before the survey closes, …); nothing is changed when one fails (422). ' +
        RUNNING_CASES_NOTE,
      tags: ['properties'],
      roles: ACCESS.property.manage,
      body: patchPolicyBody,
      bodyExample: { changes: { 'repair.acceptWithin': 'PT20M', 'complaint.generalFirstReplyWorkingDays': 1, 'schedules.reconciliationMorningAt': '08:30' }, reason: '集团新标准', expectedVersion: 1 },
      responses: {
        200: {
          description: 'The new version (or the same, when nothing changed)',
          schema: policySchema.extend({ changes: z.array(changeSchema), warnings: z.array(problemItem), schedulesMoved: z.boolean() }),
        },
        409: { description: 'expectedVersion is not the version in force' },
        422: { description: 'A rule that does not exist, or a value outside its unit or bounds; nothing changed' },
      },
      handler: async ({ body, staff }) => {
        const result = await changePolicy(orm.em.fork(), staff.propertyId, body, staff.id, async (property, changes) => {
          if (touchesSchedules(changes)) await moveSchedules(property);
        });
        if ('problems' in result) throw invalidPolicy(result.problems);
        if ('conflict' in result) {
          throw new HttpProblem(409, 'Policy changed meanwhile', `you read version ${result.conflict.expected}; version ${result.conflict.actual} is in force now`, { version: result.conflict.actual });
        }
        const property = 'changed' in result ? result.changed : result.unchanged;
        const changes = 'changed' in result ? result.changes : [];
        return {
          status: 200,
          body: { ...policyOut(property), changes: changes.map(shownChange), warnings: 'changed' in result ? result.warnings : [], schedulesMoved: touchesSchedules(changes) },
        };
      },
    }),

    operation({
      method: 'get',
      path: '/properties/policy/versions',
      operationId: 'listPolicyVersions',
      summary: 'Every version of the service policy: what changed, who changed it, when and why',
      tags: ['properties'],
      roles: ACCESS.property.preview,
      responses: {
        200: {
          description: 'Oldest first',
          schema: z.object({
            items: z.array(z.object({ version: z.number(), changes: z.array(changeSchema), reason: z.string().nullable(), actorId: z.string(), at: z.string(), policy: z.record(z.string(), z.unknown()) })),
          }),
        },
      },
      handler: async ({ staff }) => {
        const versions = await policyVersions(orm.em.fork(), staff.propertyId);
        return { status: 200, body: { items: versions.map((v) => ({ ...v, changes: v.changes.filter((c) => policyRule(c.key)).map(shownChange) })) } };
      },
    }),

    operation({
      method: 'post',
      path: '/properties/policy/preview',
      operationId: 'previewPolicy',
      summary: 'What a proposed change would have changed over a past period: deadlines met or missed instead, escalations added or avoided, per rule and per staff member',
      description:
        'Computed from the recorded audit log (deadline outcomes, escalations, staff actions) by pure functions — no workflow is replayed. Each recorded deadline is first explained by the policy its case ran on (a recorded start plus the rule’s duration or working days); ' +
        'due times set by a person, or that the log does not explain, are counted as not previewed. Each deadline is looked at on its own: what a different outcome would have set in motion (a re-dispatch, an upgrade) is not replayed. Saves nothing.',
      tags: ['properties'],
      roles: ACCESS.property.preview,
      body: previewBody,
      bodyExample: { changes: { 'repair.acceptWithin': 'PT45M', 'complaint.generalFirstReplyWorkingDays': 1 }, month: '2026-11' },
      responses: {
        200: { description: 'The preview', schema: previewSchema },
        422: { description: 'A rule that does not exist or a value out of bounds, or a bad period' },
      },
      handler: async ({ body, staff }) => {
        const em = orm.em.fork();
        const property = (await loadProperty(em, staff.propertyId))!;
        const applied = applyPolicyChanges(property.policy, body.changes);
        if ('problems' in applied) throw invalidPolicy(applied.problems);
        const period = previewPeriod(body, property.timeZone, new Date());
        if ('problem' in period) {
          throw new HttpProblem(422, 'Invalid period', period.problem, { 'invalid-params': [{ name: body.month ? 'month' : 'from', in: 'body', reason: period.problem }] });
        }
        const { cases } = await recordedCases(em, staff.propertyId, period.from, period.to);
        const calendar = await calendarOver(em, staff.propertyId, period.from, period.to);
        const { from, to, differences, ...preview } = previewPolicy({ cases, proposed: { ...applied.effective, timeZone: property.timeZone }, from: period.from, to: period.to, calendar });
        return {
          status: 200,
          body: {
            period: { label: period.label, from, to },
            changes: applied.changes.map(shownChange),
            ...preview,
            differences: differences.slice(0, MAX_DIFFERENCES),
            differencesShown: `${Math.min(MAX_DIFFERENCES, differences.length)} of ${differences.length}`,
            method: PREVIEW_METHOD,
          },
        };
      },
    }),
  ];
}
