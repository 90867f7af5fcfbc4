import { randomBytes } from 'node:crypto';
import { surveyTokenHash } from '../db/secrets';
import { ApplicationFailure } from '@temporalio/common';
import { LockMode } from '@mikro-orm/core';
import { UniqueConstraintViolationException, type EntityManager } from '@mikro-orm/postgresql';
import { Property, SurveyCampaign, SurveyInvitation, SurveyResponse, SurveyRun, SurveyRunArea, SurveyToken, SurveyTopicChoice } from '../db/entities';
import { localDate } from '../domain/calendar';
import { distributionQuota, distributionRate, halfYearOf, monthTopic, occupancyYears, sampleMonth, shortAreas, surveyRunId, type AreaAnswers, type AreaPool, type SurveyMethod, type SurveyTopic } from '../domain/survey';
import { parsePolicy } from '../domain/policy';
import type { ActivityDeps } from './deps';
import { createNotifyActivities } from './notify';
import { workflowIds } from '../domain/workflow-ids';

/** The SHA-256 a personal link's token is stored as; the token itself is only in the resident's mail. */

export interface SurveyRunPlan {
  runId: string;
  month: string;
  halfYear: string;
  topic: SurveyTopic;
  seed: number;
  chosen: number;
  areas: { areaId: string; occupied: number; notConsulted: number; minimum: number; chosen: number; toppedUp: number }[];
}

export interface SurveyAssignment {
  surveyId: string;
  workflowId: string;
  householdId: string;
  areaId: string;
  room: string;
  month: string;
  topic: SurveyTopic;
}

export const surveyIdOf = (month: string, householdId: string) => `${month}-${householdId}`;

const INSERT_CHUNK = 1000;

/** Large runs (100,000 households) insert in statements of bounded size. */
async function insertInChunks<T>(rows: T[], insert: (chunk: T[]) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < rows.length; i += INSERT_CHUNK) await insert(rows.slice(i, i + INSERT_CHUNK));
}

async function storedPlan(em: EntityManager, run: { id: string; month: string; halfYear: string; topic: string; seed: number; chosen: number }): Promise<SurveyRunPlan> {
  const areas = await em.find(SurveyRunArea, { runId: run.id }, { orderBy: { areaId: 'asc' } });
  return {
    runId: run.id,
    month: run.month,
    halfYear: run.halfYear,
    topic: run.topic as SurveyTopic,
    seed: run.seed,
    chosen: run.chosen,
    areas: areas.map((a) => ({ areaId: a.areaId, occupied: a.occupied, notConsulted: a.notConsulted, minimum: a.minimum, chosen: a.chosen, toppedUp: a.toppedUp })),
  };
}

export function createSurveyActivities(deps: ActivityDeps) {
  const { orm, config, clock } = deps;
  const { notify } = createNotifyActivities(deps);

  return {
    /**
     * S1: the month's sample of every area, chosen once per property and month. The seed of the
     * first planner wins; a second run of the same month (schedule and supervisor both) reads it back.
     * A household counts as consulted once it answered: one whose invitation closed unanswered is
     * in the pool again, one whose invitation is still open is not asked twice at once. The topic
     * is the run's, else the one the centre chose for the month, else the rotation's.
     */
    async planSurveyMonth(input: { propertyId: string; month: string; seed: number; workflowId: string; requestedBy?: string; topic?: SurveyTopic }): Promise<SurveyRunPlan> {
      const em = orm.em.fork();
      const runId = surveyRunId(input.propertyId, input.month);
      const existing = await em.findOne(SurveyRun, { id: runId });
      if (existing) return storedPlan(em, existing);
      const property = await em.findOne(Property, { id: input.propertyId });
      if (!property) throw ApplicationFailure.create({ type: 'UnknownProperty', message: `no property ${input.propertyId}`, nonRetryable: true });
      const policy = parsePolicy({ timeZone: property.timeZone, ...(property.policy ?? {}) });
      const halfYear = halfYearOf(input.month);
      const firstDay = `${input.month}-01`;
      const connection = em.getConnection();
      // Occupied on the first of the month: moved in by then and not moved out (S1; move-ins join later months).
      const occupied = await connection.execute<{ id: string; room: string; area_id: string }[]>(
        `select h.id, h.room, b.area_id from household h join building b on b.id = h.building_id
         where h.property_id = ? and h.move_in_date <= ? and (h.move_out_date is null or h.move_out_date > ?)`,
        [input.propertyId, firstDay, firstDay],
      );
      const earlier = await connection.execute<{ household_id: string; answered: boolean }[]>(
        `select household_id, bool_or(status = 'answered') as answered from survey_invitation
          where property_id = ? and half_year = ? and month < ? and status in ('answered', 'chosen', 'invited')
          group by household_id`,
        [input.propertyId, halfYear, input.month],
      );
      const consultedSet = new Set(earlier.filter((e) => e.answered).map((e) => e.household_id));
      const pendingSet = new Set(earlier.filter((e) => !e.answered).map((e) => e.household_id));
      const byArea = new Map<string, AreaPool>();
      const householdOf = new Map<string, { room: string; areaId: string }>();
      for (const h of occupied) {
        householdOf.set(h.id, { room: h.room, areaId: h.area_id });
        const pool = byArea.get(h.area_id) ?? { areaId: h.area_id, occupied: [], consulted: [], pending: [] };
        pool.occupied.push(h.id);
        if (consultedSet.has(h.id)) pool.consulted.push(h.id);
        else if (pendingSet.has(h.id)) pool.pending!.push(h.id);
        byArea.set(h.area_id, pool);
      }
      const samples = sampleMonth([...byArea.values()], { month: input.month, seed: input.seed, minFraction: policy.survey.minMonthlyFraction });
      const chosenTopic = input.topic ?? ((await em.findOne(SurveyTopicChoice, { propertyId: input.propertyId, month: input.month }))?.topic as SurveyTopic | undefined);
      const topic = monthTopic(input.month, chosenTopic);
      const chosen = samples.reduce((n, s) => n + s.chosen.length, 0);
      try {
        await em.transactional(async (tx) => {
          await tx.createQueryBuilder(SurveyRun).insert({
            id: runId,
            propertyId: input.propertyId,
            month: input.month,
            halfYear,
            topic,
            seed: input.seed,
            status: 'planned',
            requestedBy: input.requestedBy ?? null,
            workflowId: input.workflowId,
            chosen,
            plannedAt: clock(),
            startedAt: null,
          }).execute('run');
          await insertInChunks(
            samples.map((s) => ({ runId, areaId: s.areaId, occupied: s.occupied, notConsulted: s.notConsulted, minimum: s.quota.minimum, chosen: s.chosen.length, toppedUp: s.toppedUp.length, answered: 0 })),
            (chunk) => tx.createQueryBuilder(SurveyRunArea).insert(chunk).execute('run'),
          );
          await insertInChunks(
            samples.flatMap((s) =>
              s.chosen.map((householdId) => {
                const id = surveyIdOf(input.month, householdId);
                return {
                  id,
                  runId,
                  propertyId: input.propertyId,
                  areaId: s.areaId,
                  householdId,
                  room: householdOf.get(householdId)!.room,
                  month: input.month,
                  halfYear,
                  topic,
                  workflowId: workflowIds.survey(id),
                  status: 'chosen',
                  invitedAt: null,
                  closesAt: null,
                  answeredAt: null,
                  followUpCaseId: null,
                };
              }),
            ),
            (chunk) => tx.createQueryBuilder(SurveyInvitation).insert(chunk).execute('run'),
          );
        });
      } catch (error) {
        // Another run of the same month planned first: its choice stands.
        if (!(error instanceof UniqueConstraintViolationException)) throw error;
      }
      return storedPlan(orm.em.fork(), (await orm.em.fork().findOneOrFail(SurveyRun, { id: runId })) as never);
    },

    /** The run's households after `after`, in id order: the next batch of survey workflows to start. */
    async surveyBatch(input: { runId: string; after?: string; limit: number }): Promise<SurveyAssignment[]> {
      const rows = await orm.em.fork().find(
        SurveyInvitation,
        { runId: input.runId, ...(input.after ? { id: { $gt: input.after } } : {}) },
        { orderBy: { id: 'asc' }, limit: input.limit, fields: ['id', 'workflowId', 'householdId', 'areaId', 'room', 'month', 'topic'] },
      );
      return rows.map((r) => ({ surveyId: r.id, workflowId: r.workflowId, householdId: r.householdId, areaId: r.areaId, room: r.room, month: r.month, topic: r.topic as SurveyTopic }));
    },

    async markSurveyRunStarted(input: { runId: string }): Promise<void> {
      await orm.em.fork().nativeUpdate(SurveyRun, { id: input.runId, startedAt: null }, { status: 'started', startedAt: clock() });
    },

    /**
     * S1: when the run's last invitation still open closes, or null when none is: a survey's window
     * starts when its own workflow first runs, a moment after the run that started it.
     */
    async surveyRunOpenUntil(input: { runId: string }): Promise<string | null> {
      const [row] = await orm.em.fork().getConnection().execute<{ open_until: string | Date | null }[]>(
        `select max(closes_at) as open_until from survey_invitation where run_id = ? and status = 'invited' and closes_at > ?`,
        [input.runId, clock()],
      );
      return row?.open_until ? new Date(row.open_until).toISOString() : null;
    },

    /**
     * S1: the month's close — each area's answers against its 10 % (the run's minimum), the run marked
     * closed. Answers recorded later still count in the results (S3), not in this check.
     */
    async closeSurveyMonth(input: { runId: string }): Promise<{ month: string; closedAt: string; areas: AreaAnswers[]; short: (AreaAnswers & { missing: number })[] }> {
      const em = orm.em.fork();
      const run = await em.findOne(SurveyRun, { id: input.runId });
      if (!run) throw ApplicationFailure.create({ type: 'UnknownSurveyRun', message: `no survey run ${input.runId}`, nonRetryable: true });
      const closedAt = run.closedAt ?? clock();
      if (!run.closedAt) await em.nativeUpdate(SurveyRun, { id: input.runId, closedAt: null }, { closedAt });
      const areas = (await em.find(SurveyRunArea, { runId: input.runId }, { orderBy: { areaId: 'asc' } })).map((a) => ({ areaId: a.areaId, occupied: a.occupied, minimum: a.minimum, answered: a.answered }));
      return { month: run.month, closedAt: closedAt.toISOString(), areas, short: shortAreas(areas) };
    },

    /**
     * Mails the household a personal link: a fresh random token (256 bits, base64url), stored only
     * hashed, bound to this survey and expiring when its window closes. The token never leaves this
     * activity, so it is in no workflow history. A retry after the mail went out sends nothing again.
     */
    async sendSurveyLink(input: { surveyId: string; purpose: 'invitation' | 'reminder'; closesAt: string }): Promise<{ sent: number }> {
      const em = orm.em.fork();
      const invitation = await em.findOne(SurveyInvitation, { id: input.surveyId });
      if (!invitation) throw ApplicationFailure.create({ type: 'UnknownSurvey', message: `no survey ${input.surveyId}`, nonRetryable: true });
      if (invitation.status === 'answered' || invitation.status === 'expired') return { sent: 0 };
      const token = randomBytes(32).toString('base64url');
      const now = clock();
      await em.transactional(async (tx) => {
        tx.create(SurveyToken, { tokenHash: surveyTokenHash(token), surveyId: input.surveyId, purpose: input.purpose, issuedAt: now, expiresAt: new Date(input.closesAt), usedAt: null });
        if (input.purpose === 'invitation') {
          await tx.nativeUpdate(SurveyInvitation, { id: input.surveyId, status: 'chosen' }, { status: 'invited', invitedAt: now, closesAt: new Date(input.closesAt) });
        }
      });
      const base = (config.PUBLIC_BASE_URL ?? 'http://localhost:3000').replace(/\/$/, '');
      const result = await notify({
        idempotencyKey: `${invitation.workflowId}:${input.purpose}`,
        propertyId: invitation.propertyId,
        householdId: invitation.householdId,
        template: input.purpose === 'invitation' ? 'surveyInvitation' : 'surveyReminder',
        data: { room: invitation.room, topic: invitation.topic as SurveyTopic, month: invitation.month, surveyUrl: `${base}/s/${token}`, closesAt: input.closesAt },
      });
      return { sent: result.sent };
    },

    /**
     * S2/S3: the answer, once: the first write wins, marks the survey answered, spends every link
     * of it and counts it for the area's run.
     */
    async recordSurveyAnswer(input: {
      surveyId: string;
      method: SurveyMethod;
      score: number;
      comment?: string;
      complaint?: string;
      recordedBy: string;
      answeredAt: string;
    }): Promise<{ recorded: boolean }> {
      return orm.em.fork().transactional(async (tx) => {
        const invitation = await tx.findOne(SurveyInvitation, { id: input.surveyId }, { lockMode: LockMode.PESSIMISTIC_WRITE });
        if (!invitation) throw ApplicationFailure.create({ type: 'UnknownSurvey', message: `no survey ${input.surveyId}`, nonRetryable: true });
        if (invitation.status === 'answered') return { recorded: false };
        const answeredAt = new Date(input.answeredAt);
        tx.create(SurveyResponse, {
          surveyId: input.surveyId,
          propertyId: invitation.propertyId,
          areaId: invitation.areaId,
          month: invitation.month,
          topic: invitation.topic,
          method: input.method,
          score: input.score,
          comment: input.comment ?? null,
          complaint: input.complaint ?? null,
          recordedBy: input.recordedBy,
          answeredAt,
        });
        invitation.status = 'answered';
        invitation.answeredAt = answeredAt;
        await tx.nativeUpdate(SurveyToken, { surveyId: input.surveyId, usedAt: null }, { usedAt: answeredAt });
        await tx.getConnection().execute(`update survey_run_area set answered = answered + 1 where run_id = ? and area_id = ?`, [invitation.runId, invitation.areaId], 'run', tx.getTransactionContext());
        return { recorded: true };
      });
    },

    /** The window closed without an answer: the links stop working (they also carry the expiry). */
    async closeSurvey(input: { surveyId: string }): Promise<void> {
      await orm.em.fork().nativeUpdate(SurveyInvitation, { id: input.surveyId, status: { $in: ['chosen', 'invited'] } }, { status: 'expired' });
    },

    /** S6: the complaint opened from the answer, for the results' open follow-ups. */
    async linkSurveyFollowUp(input: { surveyId: string; caseId: string }): Promise<void> {
      await orm.em.fork().nativeUpdate(SurveyInvitation, { id: input.surveyId }, { followUpCaseId: input.caseId });
    },

    /**
     * S5: the campaign's row and its distribution quota — 20 % of the occupied households while
     * the property has been occupied under 3 years, 15 % from then on. Written once per half-year.
     */
    async planSurveyCampaign(input: { campaignId: string; propertyId: string; halfYear: string; workflowId: string; releasedAt: string; distributeBy: string }) {
      const em = orm.em.fork();
      const existing = await em.findOne(SurveyCampaign, { id: input.campaignId });
      if (existing) return { occupied: existing.occupied, occupancyYears: existing.occupancyYears, rate: Number(existing.rate), quota: existing.quota };
      const property = await em.findOne(Property, { id: input.propertyId });
      if (!property) throw ApplicationFailure.create({ type: 'UnknownProperty', message: `no property ${input.propertyId}`, nonRetryable: true });
      const policy = parsePolicy({ timeZone: property.timeZone, ...(property.policy ?? {}) });
      const today = localDate(new Date(input.releasedAt), property.timeZone);
      const [{ count }] = await em.getConnection().execute<{ count: string }[]>(
        `select count(*) as count from household where property_id = ? and move_in_date <= ? and (move_out_date is null or move_out_date > ?)`,
        [input.propertyId, today, today],
      );
      const occupied = Number(count);
      const years = property.occupiedSince ? occupancyYears(String(property.occupiedSince).slice(0, 10), today) : 0;
      const plan = { occupied, occupancyYears: years, rate: distributionRate(policy, years), quota: distributionQuota(policy, occupied, years) };
      await em
        .createQueryBuilder(SurveyCampaign)
        .insert({
          id: input.campaignId,
          propertyId: input.propertyId,
          halfYear: input.halfYear,
          workflowId: input.workflowId,
          releasedAt: new Date(input.releasedAt),
          distributeBy: new Date(input.distributeBy),
          distributedAt: null,
          collectBy: null,
          ...plan,
          distributed: 0,
          collected: 0,
          status: 'distributing',
          alerts: [],
          closedAt: null,
        })
        .onConflict('id')
        .ignore()
        .execute('run');
      return plan;
    },

    /** The campaign's read-model copy, after each change in its workflow. */
    async updateSurveyCampaign(input: {
      campaignId: string;
      distributed: number;
      collected: number;
      status: string;
      distributedAt?: string;
      collectBy?: string;
      alerts: { kind: string; at: string }[];
      notes?: string[];
      closedAt?: string;
    }): Promise<void> {
      await orm.em.fork().nativeUpdate(
        SurveyCampaign,
        { id: input.campaignId },
        {
          distributed: input.distributed,
          collected: input.collected,
          status: input.status,
          distributedAt: input.distributedAt ? new Date(input.distributedAt) : null,
          collectBy: input.collectBy ? new Date(input.collectBy) : null,
          alerts: input.alerts,
          notes: input.notes ?? [],
          closedAt: input.closedAt ? new Date(input.closedAt) : null,
        },
      );
    },
  };
}
