/** Survey mails (docs/rules.md §5): zh-CN first, an English line after, readable on a phone. */
import { DEFAULT_TIME_ZONE, displayTime } from '../domain/calendar';
import { SURVEY_TOPICS, type SurveyTopic } from '../domain/survey';
import type { MailContent } from './templates';

export interface SurveyMailData {
  room: string;
  topic: SurveyTopic;
  month: string;
  /** The personal link `${PUBLIC_BASE_URL}/s/<token>`. */
  surveyUrl: string;
  closesAt: string;
}

export interface CampaignAlertMailData {
  campaignId: string;
  halfYear: string;
  kind: 'distribution-late' | 'recovery-behind';
  quota: number;
  distributed: number;
  collected: number;
  dueAt: string;
  recoveryPercent?: number;
  targetPercent?: number;
}

/** S1: the areas whose answers fell short of their 10 % at the month's close. */
export interface SurveyShortfallMailData {
  runId: string;
  month: string;
  topic: SurveyTopic;
  closedAt: string;
  areas: { areaId: string; occupied: number; minimum: number; answered: number; missing: number }[];
}

const localTime = (iso: string) => displayTime(iso, DEFAULT_TIME_ZONE);

export const SURVEY_TEMPLATES = {
  /** S1/S2: the household's invitation with its personal link. */
  surveyInvitation: (d: SurveyMailData): MailContent => ({
    subject: `【满意度调查】${d.month} ${SURVEY_TOPICS[d.topic].zh} · ${d.room}`,
    text: [
      `尊敬的业主（${d.room}）：`,
      `本月我们想听听您对「${SURVEY_TOPICS[d.topic].zh}」的意见，只需一分钟。`,
      `请打开您的专属链接作答：${d.surveyUrl}`,
      `链接仅供本户使用一次，${localTime(d.closesAt)} 前有效。`,
      '',
      `Dear resident of ${d.room}: please tell us what you think of our ${SURVEY_TOPICS[d.topic].en} this month: ${d.surveyUrl} (personal link, valid until ${d.closesAt}).`,
    ].join('\n'),
  }),
  /** The reminder before the window closes, with a fresh link. */
  surveyReminder: (d: SurveyMailData): MailContent => ({
    subject: `【满意度调查提醒】${d.month} ${SURVEY_TOPICS[d.topic].zh} · ${d.room}`,
    text: [
      `尊敬的业主（${d.room}）：`,
      `本月「${SURVEY_TOPICS[d.topic].zh}」满意度调查将于 ${localTime(d.closesAt)} 截止，期待您的意见。`,
      `作答链接：${d.surveyUrl}`,
      '',
      `Reminder: our ${SURVEY_TOPICS[d.topic].en} survey closes ${d.closesAt}: ${d.surveyUrl}`,
    ].join('\n'),
  }),
  /** S4/S5: the half-yearly questionnaire is late or its recovery is behind. */
  surveyCampaignAlert: (d: CampaignAlertMailData): MailContent =>
    d.kind === 'distribution-late'
      ? {
          subject: `【问卷发放逾期】${d.halfYear} 管理工作征询意见表 · 已发 ${d.distributed}/${d.quota}`,
          text: [
            `半年度征询意见表 ${d.campaignId} 未在 ${localTime(d.dueAt)} 前发放到应发数量（S4/S5）：已发放 ${d.distributed} 份，应发放 ${d.quota} 份。`,
            '',
            `Half-yearly questionnaire ${d.campaignId}: ${d.distributed} of ${d.quota} distributed by the deadline ${d.dueAt}.`,
          ].join('\n'),
        }
      : {
          subject: `【问卷回收预警】${d.halfYear} 回收率 ${d.recoveryPercent}%（目标 ${d.targetPercent}%）`,
          text: [
            `半年度征询意见表 ${d.campaignId} 回收截止 ${localTime(d.dueAt)}，目前已回收 ${d.collected}/${d.distributed} 份（${d.recoveryPercent}%），低于 ${d.targetPercent}% 的要求（S5），请督促回收。`,
            '',
            `Questionnaire ${d.campaignId}: ${d.collected} of ${d.distributed} collected (${d.recoveryPercent}%, target ${d.targetPercent}%) before the deadline ${d.dueAt}.`,
          ].join('\n'),
        },
  /** S1: to the supervisor — areas short of their 10 % of answers when the month closed. */
  surveyShortfall: (d: SurveyShortfallMailData): MailContent => ({
    subject: `【意见征询未达标】${d.month} · ${d.areas.length} 个片区答复不足 10%`,
    text: [
      `${d.month}（${SURVEY_TOPICS[d.topic].zh}）月度意见征询于 ${localTime(d.closedAt)} 截止统计，以下片区的答复户数未达到入住户数的 10%（S1）：`,
      ...d.areas.map((a) => `- 片区 ${a.areaId}：已答复 ${a.answered} 户，应至少 ${a.minimum} 户（入住 ${a.occupied} 户），差 ${a.missing} 户`),
      '未答复的住户仍在本半年的征询范围内，请安排补充征询。',
      '',
      `Survey run ${d.runId}: ${d.areas.map((a) => `area ${a.areaId} ${a.answered}/${a.minimum}`).join(', ')} answered at the month's close — short of 10 % of the occupied households.`,
    ].join('\n'),
  }),
} satisfies Record<string, (d: never) => MailContent>;
