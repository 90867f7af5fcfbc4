import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

/**
 * A monthly sampling run (月度意见征询) of a property: one row per property and month, whoever
 * started it (the schedule or a supervisor). The seed recomputes the month's choice (S1 audit).
 */
export const SurveyRun = defineEntity({
  name: 'SurveyRun',
  tableName: 'survey_run',
  uniques: [{ properties: ['propertyId', 'month'] }],
  properties: {
    /** e.g. P001-2026-11 */
    id: p.string().primary().length(48),
    propertyId: p.string().length(32),
    month: p.string().length(7),
    halfYear: p.string().length(7),
    topic: p.string().length(32),
    seed: p.bigint('number'),
    /** planned → started (every survey workflow started). */
    status: p.string().length(16),
    requestedBy: p.string().length(32).nullable(),
    workflowId: p.string().length(128),
    chosen: p.integer(),
    plannedAt: p.datetime(),
    startedAt: p.datetime().nullable(),
    /** S1: when the month's answers were counted against each area's 10 % (the short areas reported). */
    closedAt: p.datetime().nullable(),
  },
});

/** S1: the topic the centre chose for a month (可视实际情况选择主题); without one the month's rotates. */
export const SurveyTopicChoice = defineEntity({
  name: 'SurveyTopicChoice',
  tableName: 'survey_topic_choice',
  primaryKeys: ['propertyId', 'month'],
  properties: {
    propertyId: p.string().length(32).primary(),
    month: p.string().length(7).primary(),
    topic: p.string().length(32),
    chosenBy: p.string().length(32),
    chosenAt: p.datetime(),
  },
});
export type ISurveyTopicChoice = InferEntity<typeof SurveyTopicChoice>;
export type ISurveyRun = InferEntity<typeof SurveyRun>;

/** S1/S3: per area of a run — how many were occupied, due, chosen and have answered. */
export const SurveyRunArea = defineEntity({
  name: 'SurveyRunArea',
  tableName: 'survey_run_area',
  properties: {
    runId: p.string().primary().length(48),
    areaId: p.string().primary().length(32),
    occupied: p.integer(),
    /** Occupied households not yet consulted this half-year, before this month's choice. */
    notConsulted: p.integer(),
    /** S1: at least this many (10 %). */
    minimum: p.integer(),
    chosen: p.integer(),
    /** Chosen again this half-year only to keep 10 % once everyone was consulted. */
    toppedUp: p.integer(),
    answered: p.integer().default(0),
  },
});
export type ISurveyRunArea = InferEntity<typeof SurveyRunArea>;

/** One household's survey of one month (survey assignment); its workflow is `survey-<id>`. */
export const SurveyInvitation = defineEntity({
  name: 'SurveyInvitation',
  tableName: 'survey_invitation',
  indexes: [{ properties: ['propertyId', 'halfYear', 'householdId'] }, { properties: ['runId', 'id'] }, { properties: ['propertyId', 'month', 'areaId'] }],
  properties: {
    /** e.g. 2026-11-P001-1-1-301 (month + household). */
    id: p.string().primary().length(96),
    runId: p.string().length(48),
    propertyId: p.string().length(32),
    areaId: p.string().length(32),
    householdId: p.string().length(64),
    room: p.string().length(32),
    month: p.string().length(7),
    halfYear: p.string().length(7),
    topic: p.string().length(32),
    workflowId: p.string().length(128),
    /** chosen → invited → answered | expired */
    status: p.string().length(16),
    invitedAt: p.datetime().nullable(),
    closesAt: p.datetime().nullable(),
    answeredAt: p.datetime().nullable(),
    /** S6: the complaint opened from the answer. */
    followUpCaseId: p.string().length(32).nullable(),
  },
});
export type ISurveyInvitation = InferEntity<typeof SurveyInvitation>;

/**
 * A personal link's token, stored only as its SHA-256: bound to one survey (so one household),
 * working until `expiresAt` and only while the survey has no answer.
 */
export const SurveyToken = defineEntity({
  name: 'SurveyToken',
  tableName: 'survey_token',
  properties: {
    tokenHash: p.string().primary().length(64),
    surveyId: p.string().length(96).index(),
    /** invitation | reminder: which mail carried it. */
    purpose: p.string().length(16),
    issuedAt: p.datetime(),
    expiresAt: p.datetime(),
    usedAt: p.datetime().nullable(),
  },
});
export type ISurveyToken = InferEntity<typeof SurveyToken>;

/** The answer of a survey (S2/S3), from the resident's page or recorded by staff. */
export const SurveyResponse = defineEntity({
  name: 'SurveyResponse',
  tableName: 'survey_response',
  indexes: [{ properties: ['propertyId', 'month', 'areaId'] }],
  properties: {
    surveyId: p.string().primary().length(96),
    propertyId: p.string().length(32),
    areaId: p.string().length(32),
    month: p.string().length(7),
    topic: p.string().length(32),
    method: p.string().length(16),
    score: p.integer(),
    comment: p.text().nullable(),
    complaint: p.text().nullable(),
    recordedBy: p.string().length(32),
    answeredAt: p.datetime(),
  },
});
export type ISurveyResponse = InferEntity<typeof SurveyResponse>;

/** S4/S5: a half-yearly questionnaire campaign (管理工作征询意见表) of a property. */
export const SurveyCampaign = defineEntity({
  name: 'SurveyCampaign',
  tableName: 'survey_campaign',
  properties: {
    /** e.g. P001-2026-H2 */
    id: p.string().primary().length(48),
    propertyId: p.string().length(32),
    halfYear: p.string().length(7),
    workflowId: p.string().length(128),
    releasedAt: p.datetime(),
    distributeBy: p.datetime(),
    distributedAt: p.datetime().nullable(),
    collectBy: p.datetime().nullable(),
    occupied: p.integer(),
    occupancyYears: p.integer(),
    rate: p.double(),
    quota: p.integer(),
    distributed: p.integer().default(0),
    collected: p.integer().default(0),
    /** releasing → distributing → collecting → closed */
    status: p.string().length(16),
    alerts: p.json<{ kind: string; at: string }[]>().default([] as never),
    /** How it counts working days, e.g. a year assumed Mon–Fri for want of a national arrangement. */
    notes: p.json<string[]>().default([] as never),
    closedAt: p.datetime().nullable(),
  },
});
export type ISurveyCampaign = InferEntity<typeof SurveyCampaign>;
