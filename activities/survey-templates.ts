/** Survey mails (docs/rules.md §5), one language at a time (docs/messages.md), readable on a phone. */
import { DEFAULT_TIME_ZONE, displayTime } from '../domain/calendar';
import { SURVEY_TOPICS, type SurveyTopic } from '../domain/survey';
import { monthWords } from '../domain/words';
import { mail } from './catalogue';

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
const halfYearWords = (halfYear: string, zh: boolean) => {
  const m = /^(\d{4})-H([12])$/.exec(halfYear);
  if (!m) return halfYear;
  return zh ? `${m[1]}年${m[2] === '1' ? '上' : '下'}半年` : `${m[2] === '1' ? 'first' : 'second'} half of ${m[1]}`;
};

export const SURVEY_TEMPLATES = {
  /** S1/S2: the household's invitation with its personal link. It names its month: a run started late is not about this month. */
  surveyInvitation: mail<SurveyMailData>(
    (d) => ({
      subject: `【满意度调查】${d.month} ${SURVEY_TOPICS[d.topic].zh} · ${d.room}`,
      text: [
        `尊敬的业主（${d.room}）：`,
        `${monthWords(d.month, 'zh-CN')}，我们想听听您对「${SURVEY_TOPICS[d.topic].zh}」的意见，只需一分钟。`,
        `请打开您的专属链接作答：${d.surveyUrl}`,
        `链接仅供本户使用一次，${localTime(d.closesAt)} 前有效。`,
      ].join('\n'),
    }),
    (d) => ({
      subject: `[Satisfaction survey] ${d.month} ${SURVEY_TOPICS[d.topic].en} · ${d.room}`,
      text: [
        `Dear resident of ${d.room},`,
        `for ${monthWords(d.month, 'en')} we would like to hear what you think of our ${SURVEY_TOPICS[d.topic].en}; it takes a minute.`,
        `Please answer through your personal link: ${d.surveyUrl}`,
        `The link is for your household only, once, and valid until ${localTime(d.closesAt)}.`,
      ].join('\n'),
    }),
  ),
  /** The reminder before the window closes, with a fresh link. */
  surveyReminder: mail<SurveyMailData>(
    (d) => ({
      subject: `【满意度调查提醒】${d.month} ${SURVEY_TOPICS[d.topic].zh} · ${d.room}`,
      text: [
        `尊敬的业主（${d.room}）：`,
        `${monthWords(d.month, 'zh-CN')}「${SURVEY_TOPICS[d.topic].zh}」满意度调查将于 ${localTime(d.closesAt)} 截止，期待您的意见。`,
        `作答链接：${d.surveyUrl}`,
      ].join('\n'),
    }),
    (d) => ({
      subject: `[Satisfaction survey reminder] ${d.month} ${SURVEY_TOPICS[d.topic].en} · ${d.room}`,
      text: [
        `Dear resident of ${d.room},`,
        `our ${monthWords(d.month, 'en')} survey of ${SURVEY_TOPICS[d.topic].en} closes at ${localTime(d.closesAt)}; we look forward to your opinion.`,
        `Your link: ${d.surveyUrl}`,
      ].join('\n'),
    }),
  ),
  /** S4/S5: the half-yearly questionnaire is late or its recovery is behind. */
  surveyCampaignAlert: mail<CampaignAlertMailData>(
    (d) =>
      d.kind === 'distribution-late'
        ? {
            subject: `【问卷发放逾期】${d.halfYear} 管理工作征询意见表 · 已发 ${d.distributed}/${d.quota}`,
            text: `${halfYearWords(d.halfYear, true)}征询意见表 ${d.campaignId} 未在 ${localTime(d.dueAt)} 前发放到应发数量（S4/S5）：已发放 ${d.distributed} 份，应发放 ${d.quota} 份。`,
          }
        : {
            subject: `【问卷回收预警】${d.halfYear} 回收率 ${d.recoveryPercent}%（目标 ${d.targetPercent}%）`,
            text: `${halfYearWords(d.halfYear, true)}征询意见表 ${d.campaignId} 回收截止 ${localTime(d.dueAt)}，目前已回收 ${d.collected}/${d.distributed} 份（${d.recoveryPercent}%），低于 ${d.targetPercent}% 的要求（S5），请督促回收。`,
          },
    (d) =>
      d.kind === 'distribution-late'
        ? {
            subject: `[Questionnaire late] ${d.halfYear} management questionnaire · ${d.distributed}/${d.quota} distributed`,
            text: `Half-yearly questionnaire ${d.campaignId} (${halfYearWords(d.halfYear, false)}) did not reach its quota by ${localTime(d.dueAt)} (S4/S5): ${d.distributed} distributed of ${d.quota}.`,
          }
        : {
            subject: `[Questionnaire recovery] ${d.halfYear} ${d.recoveryPercent}% collected (target ${d.targetPercent}%)`,
            text: `Half-yearly questionnaire ${d.campaignId} (${halfYearWords(d.halfYear, false)}) closes its collection at ${localTime(d.dueAt)}: ${d.collected} of ${d.distributed} collected (${d.recoveryPercent}%), below the ${d.targetPercent}% required (S5). Please push for the rest.`,
          },
  ),
  /** S1: to the supervisor — areas short of their 10 % of answers when the month closed. */
  surveyShortfall: mail<SurveyShortfallMailData>(
    (d) => ({
      subject: `【意见征询未达标】${d.month} · ${d.areas.length} 个片区答复不足 10%`,
      text: [
        `${d.month}（${SURVEY_TOPICS[d.topic].zh}）月度意见征询于 ${localTime(d.closedAt)} 截止统计，以下片区的答复户数未达到入住户数的 10%（S1）：`,
        ...d.areas.map((a) => `- 片区 ${a.areaId}：已答复 ${a.answered} 户，应至少 ${a.minimum} 户（入住 ${a.occupied} 户），差 ${a.missing} 户`),
        '未答复的住户仍在本半年的征询范围内，请安排补充征询。',
      ].join('\n'),
    }),
    (d) => ({
      subject: `[Survey short of 10 %] ${d.month} · ${d.areas.length} area(s)`,
      text: [
        `The monthly survey of ${monthWords(d.month, 'en')} (${SURVEY_TOPICS[d.topic].en}) was counted at ${localTime(d.closedAt)}; these areas had answers from fewer than 10 % of their occupied households (S1):`,
        ...d.areas.map((a) => `- area ${a.areaId}: ${a.answered} answered, at least ${a.minimum} needed (${a.occupied} occupied), ${a.missing} short`),
        'The households that did not answer stay in this half-year\'s pool; please consult them again.',
      ].join('\n'),
    }),
  ),
};
