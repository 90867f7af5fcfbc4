/**
 * The half-yearly questionnaire (管理工作征询意见表, docs/rules.md S4/S5): released, distributed within
 * 7 working days to at least 20 % (under 3 years of occupancy) or 15 % of the households, then
 * collected within 15 working days of distribution, with recovery tracked against 90 % and the
 * supervisor alerted before the deadline when it is behind. Staff report running totals.
 */
import { allHandlersFinished, ApplicationFailure, condition, setCurrentDetails, setHandler, workflowInfo } from '@temporalio/workflow';
import type { CalendarSnapshot } from '../domain/calendar';
import { addWorkingDays, assumedYearsNote, calendarMissingKey } from '../domain/calendar';
import type { ServicePolicy } from '../domain/policy';
import { recovery } from '../domain/survey';
import { activities } from './case/proxies';
import { campaignCountsSchema, campaignCountsUpdate, campaignViewQuery, type CampaignView } from './survey-messages';

export interface SurveyCampaignInput {
  campaignId: string;
  propertyId: string;
  halfYear: string;
  requestedBy: string;
}

/** S4 counts working days on the property's calendar; tests compress a working day to plain ms. */
function workingDaysAfter(policy: ServicePolicy, calendar: CalendarSnapshot, from: Date, days: number): Date {
  const ms = policy.survey.campaign.workingDayMs;
  return ms ? new Date(from.getTime() + days * ms) : addWorkingDays(from, days, calendar);
}

export async function surveyCampaign(input: SurveyCampaignInput): Promise<CampaignView> {
  const [policy, calendar] = await Promise.all([activities.loadPolicy(input.propertyId), activities.loadCalendar(input.propertyId)]);
  const c = policy.survey.campaign;
  const workflowId = workflowInfo().workflowId;
  const releasedAt = new Date();
  const distributeBy = workingDaysAfter(policy, calendar, releasedAt, c.distributeWithinWorkingDays);
  const plan = await activities.planSurveyCampaign({
    campaignId: input.campaignId,
    propertyId: input.propertyId,
    halfYear: input.halfYear,
    workflowId,
    releasedAt: releasedAt.toISOString(),
    distributeBy: distributeBy.toISOString(),
  });
  const state: CampaignView = {
    campaignId: input.campaignId,
    halfYear: input.halfYear,
    status: 'distributing',
    ...plan,
    distributed: 0,
    collected: 0,
    recoveryRate: 0,
    releasedAt: releasedAt.toISOString(),
    distributeBy: distributeBy.toISOString(),
    alerts: [],
    ...(calendar.assumedYears?.length ? { notes: [assumedYearsNote(calendar.assumedYears)] } : {}),
  };

  const save = async () => {
    state.recoveryRate = recovery(policy, state.distributed, state.collected).rate;
    setCurrentDetails(
      [
        `### S4/S5 questionnaire ${input.campaignId} · ${state.status}`,
        `**Distributed:** ${state.distributed} of ${state.quota} (${Math.round(state.rate * 100)} % of ${state.occupied}, occupied ${state.occupancyYears} years) by ${state.distributeBy}`,
        `**Collected:** ${state.collected} (${Math.round(state.recoveryRate * 100)} %, target ${Math.round(c.recoveryTarget * 100)} %)${state.collectBy ? ` by ${state.collectBy}` : ''}`,
        ...(state.notes ?? []).map((note) => `ℹ️ ${note}`),
      ].join('\n'),
    );
    await activities.updateSurveyCampaign({
      campaignId: input.campaignId,
      distributed: state.distributed,
      collected: state.collected,
      status: state.status,
      distributedAt: state.distributedAt,
      collectBy: state.collectBy,
      alerts: state.alerts,
      ...(state.notes ? { notes: state.notes } : {}),
      closedAt: state.status === 'closed' ? new Date().toISOString() : undefined,
    });
  };

  setHandler(campaignViewQuery, () => ({ ...state }));
  setHandler(
    campaignCountsUpdate,
    async ({ counts }) => {
      if (counts.distributed !== undefined) state.distributed = counts.distributed;
      if (counts.collected !== undefined) state.collected = counts.collected;
      await save();
      return { ...state };
    },
    {
      validator: ({ counts }) => {
        const parsed = campaignCountsSchema().safeParse(counts);
        if (!parsed.success) {
          throw ApplicationFailure.create({ type: 'InvalidPayload', message: parsed.error.issues.map((i) => i.message).join('; '), details: [{ refusal: 'invalid-payload', issues: parsed.error.issues }] });
        }
        if (state.status === 'closed') throw ApplicationFailure.create({ type: 'ActionNotAllowed', message: 'the questionnaire campaign is closed', details: [{ refusal: 'campaign-closed' }] });
        const distributed = counts.distributed ?? state.distributed;
        const collected = counts.collected ?? state.collected;
        if (distributed < state.distributed || collected < state.collected) {
          throw ApplicationFailure.create({
            type: 'ActionNotAllowed',
            message: 'totals only grow: report the running totals so far',
            details: [{ refusal: 'totals-only-grow', distributed: state.distributed, collected: state.collected }],
          });
        }
        if (collected > distributed) {
          throw ApplicationFailure.create({ type: 'ActionNotAllowed', message: 'more collected than distributed', details: [{ refusal: 'more-collected-than-distributed', distributed, collected }] });
        }
        if (counts.distributed !== undefined && state.status !== 'distributing') {
          throw ApplicationFailure.create({ type: 'ActionNotAllowed', message: 'distribution is over; report what was collected', details: [{ refusal: 'distribution-over' }] });
        }
      },
      description: 'S4/S5: questionnaires distributed and collected so far',
    },
  );
  await save();
  // Working days assumed for a year without a national arrangement: the managers hear it once per year.
  for (const year of calendar.assumedYears ?? []) {
    await activities.notify({ idempotencyKey: calendarMissingKey(input.propertyId, year), propertyId: input.propertyId, roles: ['manager'], template: 'calendarMissing', data: { propertyId: input.propertyId, year } });
  }

  const alert = async (kind: 'distribution-late' | 'recovery-behind', dueAt: Date) => {
    state.alerts = [...state.alerts, { kind, at: new Date().toISOString() }];
    await save();
    await activities.notify({
      idempotencyKey: `${workflowId}:${kind}`,
      propertyId: input.propertyId,
      roles: ['supervisor'],
      template: 'surveyCampaignAlert',
      data: {
        campaignId: input.campaignId,
        halfYear: input.halfYear,
        kind,
        quota: state.quota,
        distributed: state.distributed,
        collected: state.collected,
        dueAt: dueAt.toISOString(),
        recoveryPercent: Math.round(recovery(policy, state.distributed, state.collected).rate * 100),
        targetPercent: Math.round(c.recoveryTarget * 100),
      },
    });
  };

  // ---- S4/S5: distributed to the quota within 7 working days of release ----
  const distributed = () => state.distributed >= state.quota;
  if (!(await condition(distributed, Math.max(1, distributeBy.getTime() - Date.now()), { summary: 'S4 distribution deadline' }))) {
    await alert('distribution-late', distributeBy);
    await condition(distributed);
  }
  state.status = 'collecting';
  const distributedAt = new Date();
  const collectBy = workingDaysAfter(policy, calendar, distributedAt, c.collectWithinWorkingDays);
  const alertAt = workingDaysAfter(policy, calendar, distributedAt, Math.max(0, c.collectWithinWorkingDays - c.alertBeforeCollectWorkingDays));
  state.distributedAt = distributedAt.toISOString();
  state.collectBy = collectBy.toISOString();
  await save();

  // ---- S4/S5: collected within 15 working days; behind 90 % before the deadline → the supervisor ----
  const allBack = () => state.collected >= state.distributed;
  if (!(await condition(allBack, Math.max(1, alertAt.getTime() - Date.now()), { summary: 'S5 recovery check before the deadline' }))) {
    if (recovery(policy, state.distributed, state.collected).behind) await alert('recovery-behind', collectBy);
    await condition(allBack, Math.max(1, collectBy.getTime() - Date.now()), { summary: 'S4 collection deadline' });
  }
  await condition(allHandlersFinished);
  state.status = 'closed';
  await save();
  return { ...state };
}
