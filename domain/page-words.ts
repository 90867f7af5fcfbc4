/**
 * The words of the residents' pages — the survey page `/s/:token` (api/survey-page.ts) and the case
 * page `/c/:token` (api/case-page.ts) — in each language a page is written in (docs/messages.md).
 * They are texts, like the mails, not the words for a code, so they sit beside `words.ts` rather
 * than in it; one test checks them with the mails' language rules. Pure data.
 */
import type { RepairStatus } from './repair';
import type { Locale, Words } from './words';

const w = (zh: string, en: string): Words => ({ 'zh-CN': zh, en });

/** Each language's name in itself: a page's link to read it in the other one. */
export const LANGUAGE_NAMES: Record<Locale, string> = { 'zh-CN': '中文', en: 'English' };

/** The language a page links to. */
export const otherLocale = (locale: Locale): Locale => (locale === 'en' ? 'zh-CN' : 'en');

export interface SurveyPageText {
  title: string;
  intro: (topic: string, room: string, month: string) => string;
  scoreLegend: (topic: string) => string;
  /** From the lowest score to the highest. */
  scores: readonly string[];
  comment: string;
  complaint: string;
  submit: string;
  closes: (when: string) => string;
  thanks: string;
  thanksBody: string;
  notFound: string;
  notFoundBody: string;
  expired: string;
  expiredBody: string;
  used: string;
  usedBody: string;
  tooMany: string;
  tooManyBody: string;
  failed: string;
  failedBody: string;
  invalid: string;
  tooLong: string;
}

/** S2: the resident's satisfaction survey. */
export const SURVEY_PAGE_WORDS: Record<Locale, SurveyPageText> = {
  'zh-CN': {
    title: '满意度调查',
    intro: (topic, room, month) => `您好！这是 ${room} 住户 ${month} 的满意度调查，本月主题：「${topic}」。感谢您花一分钟告诉我们您的感受。`,
    scoreLegend: (topic) => `您对本月「${topic}」服务的总体满意度`,
    scores: ['很不满意', '不满意', '一般', '满意', '很满意'],
    comment: '意见和建议（选填）',
    complaint: '如需投诉，请写下具体问题（选填，我们会立即跟进）',
    submit: '提交',
    closes: (when) => `本链接在 ${when}（北京时间）前有效，仅可提交一次。`,
    thanks: '感谢您的反馈！',
    thanksBody: '您的意见已收到。如您填写了投诉或给出较低评分，客服人员会尽快与您联系。',
    notFound: '链接无效',
    notFoundBody: '这个链接无法识别。请检查邮件中的链接是否完整，或联系物业客服中心。',
    expired: '调查已结束',
    expiredBody: '这个链接已过期，本次调查已经结束。感谢您的关注！',
    used: '您已提交过',
    usedBody: '这次调查已经收到了您家的答复，感谢参与！',
    tooMany: '请稍后再试',
    tooManyBody: '请求过于频繁，请稍等片刻再试。',
    failed: '暂时无法提交',
    failedBody: '系统暂时繁忙，您的答复尚未保存，请稍后再试。',
    invalid: '请选择满意度评分（1–5）。',
    tooLong: '内容太长或含有无法识别的字符，请控制在 1000 字以内。',
  },
  en: {
    title: 'Satisfaction survey',
    intro: (topic, room, month) => `Hello! This is the ${month} satisfaction survey for ${room}; this month's topic is ${topic}. Thank you for taking a minute to tell us how we are doing.`,
    scoreLegend: (topic) => `Overall, how satisfied are you with our ${topic} this month?`,
    scores: ['Very unhappy', 'Unhappy', 'Neutral', 'Happy', 'Very happy'],
    comment: 'Comments and suggestions (optional)',
    complaint: 'A complaint — tell us what is wrong (optional; we follow it up at once)',
    submit: 'Submit',
    closes: (when) => `This link works until ${when} (China time) and can be used once.`,
    thanks: 'Thank you for your feedback!',
    thanksBody: 'We have received your answer. If you raised a complaint or gave a low score, our service centre will contact you soon.',
    notFound: 'Link not recognised',
    notFoundBody: 'We could not recognise this link. Please check it is complete, or contact the service centre.',
    expired: 'This survey has closed',
    expiredBody: 'This link has expired and the survey is over. Thank you for your interest!',
    used: 'Already answered',
    usedBody: 'We already have your household’s answer to this survey. Thank you!',
    tooMany: 'Please try again shortly',
    tooManyBody: 'Too many requests; please wait a moment and try again.',
    failed: 'Could not submit just now',
    failedBody: 'The system is busy and your answer was not saved yet; please try again later.',
    invalid: 'Please choose a score from 1 to 5.',
    tooLong: 'Please keep it under 1000 characters, in plain text.',
  },
};

export interface CasePageText {
  title: (caseId: string) => string;
  room: string;
  status: string;
  promises: string;
  arriveBy: string;
  appointment: string;
  repairBy: string;
  arrived: string;
  steps: string;
  none: string;
  /** After the sign-off step: how it went. */
  signOffAccepted: string;
  signOffRejected: string;
  question: string;
  yes: string;
  no: string;
  comment: string;
  submit: string;
  thanks: string;
  answered: (satisfied: boolean) => string;
  notFound: string;
  notFoundBody: string;
  expired: string;
  expiredBody: string;
  tooMany: string;
  tooManyBody: string;
  failed: string;
  failedBody: string;
  note: string;
}

/** R2/V1: the resident's view of their repair. */
export const CASE_PAGE_WORDS: Record<Locale, CasePageText> = {
  'zh-CN': {
    title: (id) => `报修进度 ${id}`,
    room: '房号',
    status: '当前状态',
    promises: '承诺时间',
    arriveBy: '承诺上门',
    appointment: '预约上门',
    repairBy: '承诺修复',
    arrived: '维修人员到场时间',
    steps: '处理过程',
    none: '暂无',
    signOffAccepted: '：通过',
    signOffRejected: '：未通过',
    question: '您对这次维修满意吗？',
    yes: '满意',
    no: '不满意',
    comment: '想对我们说的话（选填）',
    submit: '提交评价',
    thanks: '感谢您的评价！',
    answered: (yes) => `您的评价：${yes ? '满意' : '不满意'}。感谢您的反馈。`,
    notFound: '链接无效',
    notFoundBody: '这个链接无法识别。请检查邮件中的链接是否完整，或致电物业客服中心查询。',
    expired: '链接已过期',
    expiredBody: '这个链接已经过期。如需查询报修进度，请致电物业客服中心。',
    tooMany: '请稍后再试',
    tooManyBody: '请求过于频繁，请稍等片刻再试。',
    failed: '暂时无法显示',
    failedBody: '系统暂时繁忙，请稍后再试。',
    note: '此页面仅显示您的这一次报修，请勿转发链接。',
  },
  en: {
    title: (id) => `Repair ${id}`,
    room: 'Room',
    status: 'Status',
    promises: 'Promised times',
    arriveBy: 'On site by',
    appointment: 'Appointment',
    repairBy: 'Fixed by',
    arrived: 'Engineer arrived',
    steps: 'Steps so far',
    none: 'none yet',
    signOffAccepted: ': accepted',
    signOffRejected: ': not accepted',
    question: 'Are you satisfied with this repair?',
    yes: 'Satisfied',
    no: 'Not satisfied',
    comment: 'Anything you would like to tell us (optional)',
    submit: 'Send',
    thanks: 'Thank you for your answer!',
    answered: (yes) => `Your answer: ${yes ? 'satisfied' : 'not satisfied'}. Thank you.`,
    notFound: 'Link not recognised',
    notFoundBody: 'We could not recognise this link. Please check it is complete, or call the service centre.',
    expired: 'This link has expired',
    expiredBody: 'This link has expired. Please call the service centre to ask about your repair.',
    tooMany: 'Please try again shortly',
    tooManyBody: 'Too many requests; please wait a moment and try again.',
    failed: 'Cannot show this just now',
    failedBody: 'The system is busy; please try again later.',
    note: 'This page shows only this repair of yours; please do not forward the link.',
  },
};

/**
 * A repair's status as the resident reads it: what happens next for them, not the staff's term
 * (`REPAIR_STATUS_WORDS`).
 */
export const CASE_PAGE_STATUS_WORDS: Record<RepairStatus, Words> = {
  received: w('已受理', 'Received'),
  dispatched: w('已派工，等待维修人员接单', 'Sent to an engineer'),
  accepted: w('维修人员已接单', 'Accepted by an engineer'),
  awaiting_reschedule: w('上门时您不在家，管家将与您约定新的时间', 'You were not home; your butler will agree a new time'),
  on_site: w('维修人员已到场，正在维修', 'The engineer is on site'),
  completed: w('维修已完成，请您验收', 'Done — please check the work'),
  signed_off: w('您已验收', 'Signed off'),
  rejected: w('验收未通过，将重新安排维修', 'Not accepted — the repair will be done again'),
  awaiting_return_visit: w('已完成，等待回访', 'Done; we will call to check'),
  closed: w('已办结', 'Closed'),
  invalid: w('经核实不属于报修范围，已关闭', 'Closed: not a repair we can take'),
};

/** The steps of a repair a resident sees, by the audit entry's action; any other entry is not shown. */
export const CASE_PAGE_STEP_WORDS: Record<string, Words> = {
  received: w('报修已受理', 'Your report was received'),
  dispatched: w('已派工', 'Sent to an engineer'),
  accept: w('维修人员接单', 'An engineer accepted the order'),
  arrive: w('维修人员到场', 'The engineer arrived'),
  customerNotHome: w('上门时家中无人', 'Nobody was home at the visit'),
  reschedule: w('约定新的上门时间', 'A new visit time was agreed'),
  recordMeasures: w('已采取临时措施，承诺新的修复时间', 'Measures taken; a new time promised'),
  complete: w('维修完成', 'The work was done'),
  signOff: w('验收', 'Sign-off'),
  closed: w('办结', 'Closed'),
};
