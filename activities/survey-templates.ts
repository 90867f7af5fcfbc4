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
} satisfies Record<string, (d: never) => MailContent>;
