/**
 * Satisfaction surveys (意见征询 / 满意度调查, docs/rules.md §5): the monthly sample of each area (S1),
 * the rotating topic and the methods (S2), low scores that need a follow-up (S6), and the
 * half-yearly questionnaire's quota and recovery (S4, S5). Pure and deterministic: bundled into
 * workflow code, so the choice of a month can be recomputed from the seed recorded in its run.
 */
import { z } from 'zod';
import { endOfLocalDate, localDate } from './calendar';
import type { ServicePolicy } from './policy';

/** S2: how an answer was taken. `link` is the resident's own page (/s/:token). */
export const SURVEY_METHODS = ['link', 'visit', 'phone', 'outdoor', 'questionnaire', 'forum'] as const;
export type SurveyMethod = (typeof SURVEY_METHODS)[number];
/** The methods staff record an answer with (everything but the resident's own link). */
export const STAFF_SURVEY_METHODS = ['visit', 'phone', 'outdoor', 'questionnaire', 'forum'] as const;

/** S2: the topics rotate month by month (客服、秩序、车辆、清洁、绿化、维修、社区活动、便民服务). */
export const SURVEY_TOPICS = {
  service: { zh: '客服', en: 'customer service' },
  order: { zh: '秩序', en: 'security and order' },
  vehicles: { zh: '车辆', en: 'vehicles and parking' },
  cleaning: { zh: '清洁', en: 'cleaning' },
  greening: { zh: '绿化', en: 'greening' },
  repairs: { zh: '维修', en: 'repairs' },
  community: { zh: '社区活动', en: 'community activities' },
  convenience: { zh: '便民服务', en: 'convenience services' },
} as const;
export type SurveyTopic = keyof typeof SURVEY_TOPICS;
const TOPIC_ORDER = Object.keys(SURVEY_TOPICS) as SurveyTopic[];
/** The topics in rotation order, e.g. for an enum of the API. */
export const SURVEY_TOPIC_NAMES = TOPIC_ORDER as [SurveyTopic, ...SurveyTopic[]];

export const SCORE_MIN = 1;
export const SCORE_MAX = 5;

/** A month 'YYYY-MM'. */
export const monthSchema = () => z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'a month as YYYY-MM');
/** A half-year 'YYYY-H1' (Jan–Jun) or 'YYYY-H2' (Jul–Dec). */
export const halfYearSchema = () => z.string().regex(/^\d{4}-H[12]$/, 'a half-year as YYYY-H1 or YYYY-H2');

/** Free text from a resident: no control characters (Postgres refuses NUL; nothing else needs them). */
const residentText = () =>
  z
    .string()
    .trim()
    .min(1)
    .max(1000)
    .refine((s) => !/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/.test(s), 'must not contain control characters');

/** What an answer holds, from the page or recorded by staff (S2). */
export const surveyAnswerSchema = () =>
  z
    .object({
      score: z.number().int().min(SCORE_MIN).max(SCORE_MAX).describe('overall satisfaction with the topic of the month, 1 (very unhappy) … 5 (very happy)'),
      comment: residentText().optional().describe('suggestions (S3: reasonable ones go to the supervisor)'),
      complaint: residentText().optional().describe('S6: a complaint opens a follow-up complaint case'),
    })
    .strict();
export type SurveyAnswer = z.infer<ReturnType<typeof surveyAnswerSchema>>;

/** The property-local month of an instant. */
export function monthOf(instant: Date, timeZone: string): string {
  return localDate(instant, timeZone).slice(0, 7);
}

/** Jan–Jun is H1, Jul–Dec H2, in the property's time zone (the month is already local). */
export function halfYearOf(month: string): string {
  const [year, m] = month.split('-').map(Number);
  return `${year}-H${m <= 6 ? 1 : 2}`;
}

/** The months of a half-year in order, e.g. 2026-H2 → 2026-07 … 2026-12. */
export function monthsOfHalfYear(halfYear: string): string[] {
  const [year, half] = halfYear.split('-H').map(Number);
  return Array.from({ length: 6 }, (_, i) => `${year}-${String((half - 1) * 6 + i + 1).padStart(2, '0')}`);
}

/** Months of the half-year still to run, this one included (6 in January or July, 1 in June or December). */
export function monthsLeftInHalfYear(month: string): number {
  const m = Number(month.slice(5, 7));
  return 6 - ((m - 1) % 6);
}

/** S2: the topic of a month; it rotates through all eight, a different one each month. */
export function topicOf(month: string): SurveyTopic {
  const [year, m] = month.split('-').map(Number);
  return TOPIC_ORDER[(year * 12 + m - 1) % TOPIC_ORDER.length];
}

/** S1: the month's topic — the one the centre chose (可视实际情况选择主题), else the rotation's. */
export function monthTopic(month: string, chosen?: SurveyTopic | null): SurveyTopic {
  return chosen ?? topicOf(month);
}

export interface AreaQuota {
  /** S1: at least this many must be consulted this month (10 % of the occupied households). */
  minimum: number;
  /** Chosen from the households not yet consulted in the half-year. */
  fromPool: number;
  /** Only when the pool is smaller than the minimum: consulted again this half-year, to keep 10 %. */
  topUp: number;
}

/**
 * S1: how many households of an area to consult this month — at least 10 % of the occupied ones,
 * and enough of those not yet consulted that the rest of the half-year can cover them all:
 * max(ceil(10 % × occupied), ceil(not yet consulted / months left)), from the not-yet-consulted.
 */
export function monthlyQuota(input: { occupied: number; notConsulted: number; monthsLeft: number; minFraction: number }): AreaQuota {
  const minimum = input.occupied === 0 ? 0 : Math.ceil(input.occupied * input.minFraction - 1e-9);
  const spread = Math.ceil(input.notConsulted / Math.max(1, input.monthsLeft));
  const fromPool = Math.min(input.notConsulted, Math.max(minimum, spread));
  const topUp = Math.max(0, Math.min(minimum - fromPool, input.occupied - input.notConsulted));
  return { minimum, fromPool, topUp };
}

/** A small seeded generator (mulberry32): the same seed gives the same choice, in workflows and audits alike. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * `count` distinct items of `pool`, chosen with `random` (a partial Fisher–Yates shuffle). The pool
 * is sorted first so the choice depends only on its members and the seed, not on database order.
 */
export function chooseWithoutReplacement(pool: readonly string[], count: number, random: () => number): string[] {
  const items = [...pool].sort();
  const n = Math.min(count, items.length);
  for (let i = 0; i < n; i++) {
    const j = i + Math.floor(random() * (items.length - i));
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items.slice(0, n).sort();
}

export interface AreaPool {
  areaId: string;
  /** Occupied households of the area on the first day of the month (moved in, not moved out). */
  occupied: string[];
  /** Of those, the ones consulted earlier in the half-year: they answered (S1). */
  consulted: string[];
  /**
   * Of those, the ones whose invitation of an earlier month is still open: not consulted yet, but
   * not asked twice at once either. Once it closes unanswered the household is back in the pool.
   */
  pending?: string[];
}

export interface AreaSample {
  areaId: string;
  occupied: number;
  notConsulted: number;
  quota: AreaQuota;
  chosen: string[];
  /** The households in `chosen` that were consulted before this half-year's month (top-up only). */
  toppedUp: string[];
}

/**
 * S1: the month's sample of every area, reproducible from `seed`. Areas are taken in id order
 * from one generator, so the recorded seed alone recomputes the whole month.
 */
export function sampleMonth(areas: readonly AreaPool[], input: { month: string; seed: number; minFraction: number }): AreaSample[] {
  const random = seededRandom(input.seed);
  const monthsLeft = monthsLeftInHalfYear(input.month);
  return [...areas]
    .sort((a, b) => a.areaId.localeCompare(b.areaId))
    .map((area) => {
      const consulted = new Set(area.consulted);
      const pending = new Set(area.pending ?? []);
      const pool = area.occupied.filter((h) => !consulted.has(h) && !pending.has(h));
      const again = area.occupied.filter((h) => consulted.has(h) && !pending.has(h));
      const quota = monthlyQuota({ occupied: area.occupied.length, notConsulted: pool.length, monthsLeft, minFraction: input.minFraction });
      const fresh = chooseWithoutReplacement(pool, quota.fromPool, random);
      const toppedUp = chooseWithoutReplacement(again, quota.topUp, random);
      return { areaId: area.areaId, occupied: area.occupied.length, notConsulted: pool.length, quota, chosen: [...fresh, ...toppedUp].sort(), toppedUp };
    });
}

/**
 * S1: when a month's answers are counted against its 10 % — at the end of the month (property-local),
 * or, for a run started so late that its invitations are still open then (a month run late, a run
 * day near the month's end), when the last of them closes: `lastInvitedAt` + the survey window.
 */
export function monthCloseAt(input: { month: string; timeZone: string; lastInvitedAt: Date; windowMs: number }): Date {
  const [year, m] = input.month.split('-').map(Number);
  const lastDay = new Date(Date.UTC(year, m, 0)).toISOString().slice(0, 10);
  const monthEnd = endOfLocalDate(lastDay, input.timeZone);
  return new Date(Math.max(monthEnd.getTime(), input.lastInvitedAt.getTime() + input.windowMs));
}

export interface AreaAnswers {
  areaId: string;
  occupied: number;
  /** S1: 10 % of the occupied households, as the month's run fixed it. */
  minimum: number;
  answered: number;
}

/** S1: the areas whose answers fall short of their 10 % at the month's close, with how many are missing. */
export function shortAreas(areas: readonly AreaAnswers[]): (AreaAnswers & { missing: number })[] {
  return areas.filter((a) => a.answered < a.minimum).map((a) => ({ ...a, missing: a.minimum - a.answered }));
}

/** A household counts as occupied on `date` from its move-in date until its move-out date. */
export function occupiedOn(household: { moveInDate?: string | null; moveOutDate?: string | null }, date: string): boolean {
  return !!household.moveInDate && household.moveInDate <= date && (!household.moveOutDate || household.moveOutDate > date);
}

/**
 * The part of the property's policy a household's survey runs on: its window, its reminder and the
 * S6 threshold. The month's run hands it to each survey it starts (see `surveyTermsOf`).
 */
export type SurveyTerms = Pick<ServicePolicy['survey'], 'windowMs' | 'reminderBeforeMs' | 'lowScoreAtMost'>;

/** A survey's terms out of the property's whole policy. */
export function surveyTermsOf(policy: Pick<ServicePolicy, 'survey'>): SurveyTerms {
  const { windowMs, reminderBeforeMs, lowScoreAtMost } = policy.survey;
  return { windowMs, reminderBeforeMs, lowScoreAtMost };
}

/** S6: a low score or a complaint in an answer opens a follow-up. */
export function needsFollowUp(policy: { survey: SurveyTerms }, answer: SurveyAnswer): { reason: string } | undefined {
  if (answer.complaint) return { reason: `S6: complaint in a survey answer (score ${answer.score}/${SCORE_MAX})` };
  if (answer.score <= policy.survey.lowScoreAtMost) return { reason: `S6: low survey score ${answer.score}/${SCORE_MAX}` };
  return undefined;
}

/** When a household's invitation stops working and when it is reminded. */
export function surveyWindow(policy: { survey: SurveyTerms }, invitedAt: Date): { closesAt: Date; remindAt: Date } {
  const closesAt = new Date(invitedAt.getTime() + policy.survey.windowMs);
  const remindAt = new Date(Math.max(invitedAt.getTime(), closesAt.getTime() - policy.survey.reminderBeforeMs));
  return { closesAt, remindAt };
}

// ---- S4/S5: the half-yearly questionnaire (管理工作征询意见表) ----

/** Whole years from the property's first occupancy to `date` (both 'YYYY-MM-DD'). */
export function occupancyYears(firstOccupiedOn: string, date: string): number {
  const [y0, m0, d0] = firstOccupiedOn.split('-').map(Number);
  const [y1, m1, d1] = date.split('-').map(Number);
  return y1 - y0 - (m1 < m0 || (m1 === m0 && d1 < d0) ? 1 : 0);
}

/** S5: the share of households to distribute to — 20 % under 3 years of occupancy, 15 % from 3 years on. */
export function distributionRate(policy: ServicePolicy, years: number): number {
  const c = policy.survey.campaign;
  return years < c.matureAfterYears ? c.distributionRateYoung : c.distributionRateMature;
}

/** S5: the number of questionnaires to distribute for `occupied` households. */
export function distributionQuota(policy: ServicePolicy, occupied: number, years: number): number {
  return Math.ceil(occupied * distributionRate(policy, years) - 1e-9);
}

/** S5: recovery (回收率) = collected / distributed; behind when under the target (90 %). */
export function recovery(policy: ServicePolicy, distributed: number, collected: number): { rate: number; behind: boolean } {
  const rate = distributed === 0 ? 0 : collected / distributed;
  return { rate, behind: rate < policy.survey.campaign.recoveryTarget };
}

/** A month's sampling run of a property, e.g. `P001-2026-11` (its workflow: workflowIds.surveyRun). */
export const surveyRunId = (propertyId: string, month: string) => `${propertyId}-${month}`;
