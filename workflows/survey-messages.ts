/**
 * The messages of the survey workflows, defined once: the API (resident page and staff routes)
 * imports these, the workflows register handlers for them.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import { z } from 'zod';
import type { Role } from '../domain/people';
import { STAFF_SURVEY_METHODS, surveyAnswerSchema, type SurveyAnswer, type SurveyMethod, type SurveyTopic } from '../domain/survey';

/** Who gave or took the answer: the resident through their link, or a staff member (S2). */
export type SurveyRespondent = { kind: 'resident' } | { kind: 'staff'; staffId: string; role: Role };

export interface SurveyAnswerCall {
  method: SurveyMethod;
  answer: SurveyAnswer;
  by: SurveyRespondent;
}

export const staffSurveyAnswerSchema = () =>
  surveyAnswerSchema().extend({ method: z.enum(STAFF_SURVEY_METHODS).describe('S2: how the answer was taken') }).strict();

export type SurveyStatus = 'chosen' | 'invited' | 'reminded' | 'answered' | 'expired';

export interface SurveyView {
  surveyId: string;
  householdId: string;
  areaId: string;
  room: string;
  month: string;
  topic: SurveyTopic;
  status: SurveyStatus;
  closesAt?: string;
  answer?: SurveyAnswer & { method: SurveyMethod; recordedBy: string; answeredAt: string };
  followUpCaseId?: string;
}

/** The answer, once: the validator refuses a second one or one after the window closed. */
export const surveyAnswerUpdate = defineUpdate<SurveyView, [SurveyAnswerCall]>('answer');
/** The same answer as a signal, for batch imports (a refused one is logged). */
export const surveyAnswerSignal = defineSignal<[SurveyAnswerCall]>('answer');
export const surveyViewQuery = defineQuery<SurveyView>('surveyView');

// ---- S4/S5: the half-yearly questionnaire campaign ----

/** Running totals (not increments), so a repeated report changes nothing. */
export const campaignCountsSchema = () =>
  z
    .object({
      distributed: z.number().int().min(0).max(1_000_000).optional().describe('S4: questionnaires distributed so far'),
      collected: z.number().int().min(0).max(1_000_000).optional().describe('S4/S5: questionnaires collected so far'),
    })
    .strict()
    .refine((v) => v.distributed !== undefined || v.collected !== undefined, { message: 'report distributed and/or collected', path: ['distributed'] });
export type CampaignCounts = z.infer<ReturnType<typeof campaignCountsSchema>>;

export type CampaignStatus = 'distributing' | 'collecting' | 'closed';

export interface CampaignView {
  campaignId: string;
  halfYear: string;
  status: CampaignStatus;
  occupied: number;
  occupancyYears: number;
  rate: number;
  quota: number;
  distributed: number;
  collected: number;
  recoveryRate: number;
  releasedAt: string;
  distributeBy: string;
  distributedAt?: string;
  collectBy?: string;
  alerts: { kind: string; at: string }[];
  /** e.g. "working days assumed Mon–Fri: national calendar for 2027 not loaded". */
  notes?: string[];
}

export const campaignCountsUpdate = defineUpdate<CampaignView, [{ staffId: string; counts: CampaignCounts }]>('reportCounts');
export const campaignViewQuery = defineQuery<CampaignView>('campaignView');
