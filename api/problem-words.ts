/**
 * The API's error catalogue (docs/messages.md): every kind of problem the API answers, by its
 * English title (which also names its `type`), with its title and a detail in zh-CN. An English
 * answer keeps the detail the route wrote; a Chinese one takes the detail written for it at the throw
 * (a {@link Words} detail) or else the kind's detail here. Validation reasons come from zod's zh-CN
 * locale, with the type names it leaves in English put into words.
 */
import { z } from 'zod';
import type { Role } from '../domain/people';
import { ROLE_WORDS, type Locale, type Words } from '../domain/words';
import { COMPLAINT_ACTIONS, REPAIR_ACTIONS, RETURN_VISIT_ACTIONS } from '../workflows/messages';
import { REQUEST_ACTIONS, SPECIAL_SERVICE_ACTIONS, PATROL_ACTIONS } from '../workflows/request-messages';

const w = (zh: string, en: string): Words => ({ 'zh-CN': zh, en });

/** Each problem kind: its title in each language and the Chinese detail used when the throw wrote none. */
export const PROBLEM_WORDS: Record<string, { title: Words; detail: string }> = {
  'Invalid request': { title: w('请求无效', 'Invalid request'), detail: '请求中有无效的字段，请按字段说明修改后重试。' },
  'Invalid calendar file': { title: w('日历文件无效', 'Invalid calendar file'), detail: '上传的日历文件无法读取，请上传有效的 iCalendar 文件。' },
  'Malformed JSON': { title: w('JSON 格式错误', 'Malformed JSON'), detail: '请求体不是有效的 JSON。' },
  Unauthorized: { title: w('未登录或密钥无效', 'Unauthorized'), detail: '请提供有效的密钥或先登录。' },
  'CSRF token missing or invalid': { title: w('缺少或无效的防伪令牌', 'CSRF token missing or invalid'), detail: '页面已过期，请刷新后重试。' },
  Forbidden: { title: w('无权操作', 'Forbidden'), detail: '您的角色不能执行此操作。' },
  'Not found': { title: w('未找到', 'Not found'), detail: '没有找到所请求的内容，或您无权查看。' },
  'Action not allowed': { title: w('当前不能执行此操作', 'Action not allowed'), detail: '案件当前的状态不允许此操作，案件未作任何改变。' },
  'Case closed': { title: w('案件已结束', 'Case closed'), detail: '案件已办结，不再接受操作。' },
  Closed: { title: w('已结束', 'Closed'), detail: '此项已结束，不再接受操作。' },
  Conflict: { title: w('冲突', 'Conflict'), detail: '与现有数据冲突，未作任何改变。' },
  'Import changed': { title: w('导入内容已变化', 'Import changed'), detail: '导入文件与预览时不同，请重新预览后再确认。' },
  'Move refused': { title: w('迁入迁出被拒绝', 'Move refused'), detail: '住户的入住状态不允许此次迁入或迁出。' },
  'Policy changed meanwhile': { title: w('服务标准已被他人修改', 'Policy changed meanwhile'), detail: '服务标准在您读取后已被修改，请重新读取后再改。' },
  'Room already archived': { title: w('房号已建档', 'Room already archived'), detail: '该房号已有住户档案。' },
  'Topic already fixed': { title: w('主题已确定', 'Topic already fixed'), detail: '该月的征询主题已确定，不能再改。' },
  'Link not valid': { title: w('链接无效', 'Link not valid'), detail: '链接无效或已过期，请重新申请。' },
  'Payload too large': { title: w('请求过大', 'Payload too large'), detail: '请求体超过了大小限制。' },
  'Unsupported encoding': { title: w('不支持的编码', 'Unsupported encoding'), detail: '请求体的编码或字符集不受支持，请使用 UTF-8。' },
  'Unsupported media type': { title: w('不支持的内容类型', 'Unsupported media type'), detail: '请求体的内容类型不受支持。' },
  'Idempotency-Key reused': { title: w('幂等键重复使用', 'Idempotency-Key reused'), detail: '同一个幂等键已用于内容不同的请求，请换一个新的键。' },
  'Impossible appointment': { title: w('预约时间不可能', 'Impossible appointment'), detail: '预约时间必须在将来。' },
  'Impossible receipt time': { title: w('受理时间不可能', 'Impossible receipt time'), detail: '受理时间不能在将来，也不能早于允许补录的期限。' },
  'Impossible time': { title: w('时间不可能', 'Impossible time'), detail: '所填时间必须在将来。' },
  'Invalid calendar': { title: w('日历无效', 'Invalid calendar'), detail: '日历数据有误，请按字段说明修改。' },
  'Invalid period': { title: w('期间无效', 'Invalid period'), detail: '所选期间无效。' },
  'Invalid place': { title: w('地点无效', 'Invalid place'), detail: '片区、楼栋或单元的数据有误。' },
  'Invalid policy': { title: w('服务标准无效', 'Invalid policy'), detail: '服务标准的修改有误，请按字段说明修改。' },
  'Month not begun': { title: w('月份未开始', 'Month not begun'), detail: '该月还没有开始。' },
  'Not an image': { title: w('不是图片', 'Not an image'), detail: '上传的文件不是可识别的图片。' },
  'Not appraised': { title: w('未考核', 'Not appraised'), detail: '该员工在此期间没有考核记录。' },
  'Period not ended': { title: w('期间未结束', 'Period not ended'), detail: '该期间尚未结束，不能录入。' },
  'Period no longer kept': { title: w('期间已超出保存期限', 'Period no longer kept'), detail: '该期间的考核记录已超过保存期限。' },
  'Rain in the future': { title: w('降雨日期在将来', 'Rain in the future'), detail: '降雨日期不能在将来。' },
  'Unknown area': { title: w('片区不存在', 'Unknown area'), detail: '本项目没有这个片区。' },
  'Unknown building': { title: w('楼栋不存在', 'Unknown building'), detail: '本项目没有这个楼栋。' },
  'Unknown room': { title: w('房号不存在', 'Unknown room'), detail: '本项目没有这个房号。' },
  'Unknown unit': { title: w('单元不存在', 'Unknown unit'), detail: '该楼栋没有这个单元。' },
  'Unreadable import': { title: w('导入文件无法读取', 'Unreadable import'), detail: '导入文件无法读取，请上传 CSV 或 XLSX 文件。' },
  'Wrong kind': { title: w('类型不符', 'Wrong kind'), detail: '该案件的类型不支持此操作。' },
  'No console session': { title: w('没有控制台会话', 'No console session'), detail: '使用接口密钥的请求没有控制台会话。' },
  Locked: { title: w('账号已锁定', 'Locked'), detail: '登录失败次数过多，账号暂时锁定，请稍后再试。' },
  'Too many requests': { title: w('请求过于频繁', 'Too many requests'), detail: '请求过于频繁，请稍后再试。' },
  'Internal error': { title: w('内部错误', 'Internal error'), detail: '请求失败，已连同请求编号记录在日志中。' },
  'Case not opened': { title: w('案件未能开立', 'Case not opened'), detail: '案件未能开立，请稍后重试。' },
  'Mail unavailable': { title: w('邮件服务不可用', 'Mail unavailable'), detail: '此服务未配置邮件服务器，无法发送邮件。' },
  Overloaded: { title: w('系统繁忙', 'Overloaded'), detail: '系统正忙，请稍后重试。' },
  'Too many cases being opened': { title: w('受理排队已满', 'Too many cases being opened'), detail: '正在受理的新工单过多，本次未登记任何内容，请稍后用同一幂等键重试。' },
  'Service unavailable': { title: w('服务暂不可用', 'Service unavailable'), detail: '数据库或工作流服务暂时无法连接，请稍后重试。' },
};

const UNKNOWN_KIND = { title: w('请求失败', 'Request failed'), detail: '请求未能完成。' };

export const problemWords = (title: string) => PROBLEM_WORDS[title] ?? UNKNOWN_KIND;

/** Where a bad value is, in words. */
export const WHERE_WORDS: Record<'body' | 'query' | 'path' | 'header', Words> = {
  body: w('请求体', 'body'),
  query: w('查询参数', 'query'),
  path: w('路径', 'path'),
  header: w('请求头', 'header'),
};

const ACTION_TABLES = [REPAIR_ACTIONS, COMPLAINT_ACTIONS, RETURN_VISIT_ACTIONS, REQUEST_ACTIONS, SPECIAL_SERVICE_ACTIONS, PATROL_ACTIONS] as Record<string, { summary: string }>[];

/**
 * A staff action in words: in Chinese the product's term its summary ends with (`…(接单)`), in
 * English its name spelled out. The action tables stay the one place an action is described.
 */
export function actionWords(action: string, locale: Locale): string {
  if (locale === 'en') return action.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
  const summary = ACTION_TABLES.find((t) => t[action])?.[action].summary ?? '';
  return /[(（]([^()（）]*[\u4e00-\u9fff][^()（）]*)[)）]\s*$/.exec(summary)?.[1] ?? '该操作';
}

/** An operation or action kept to some roles, in words. */
export function rolesOnly(roles: readonly Role[], what: Words): Words {
  return {
    'zh-CN': `${what['zh-CN']}仅限${roles.map((r) => ROLE_WORDS[r]['zh-CN']).join('、')}。`,
    en: `${what.en} is for ${roles.join(', ')}`,
  };
}

const zhLocale = z.locales.zhCN().localeError as (issue: unknown) => string | { message: string } | undefined;

/** The type names zod's zh-CN locale leaves in English. */
const TYPE_WORDS: Record<string, string> = {
  string: '字符串',
  undefined: '空值',
  boolean: '布尔值',
  object: '对象',
  number: '数字',
  bigint: '大整数',
  date: '日期',
  symbol: '符号',
  function: '函数',
  array: '数组',
  int: '整数',
  file: '文件',
  set: '集合',
  map: '映射',
  instanceof: '类型',
};

/** A zod issue's reason in Chinese: zod's zh-CN words, with its leftover type names and no schema message in English. */
export function zhIssueReason(issue: z.core.$ZodIssue): string {
  // Without the input (a schema parsed elsewhere), zod would say it received nothing.
  if (issue.code === 'invalid_type' && !('input' in issue)) return `无效输入：期望 ${TYPE_WORDS[issue.expected] ?? issue.expected}`;
  const raw = zhLocale(issue);
  const text = typeof raw === 'string' ? raw : (raw?.message ?? '无效输入');
  return text
    .replace(/\b(string|undefined|boolean|object|number|bigint|date|symbol|function|array|int|file|set|map|instanceof)\b/g, (m) => TYPE_WORDS[m])
    .replace(/ISO(日期时间|日期|时间|时长)/g, '$1（标准格式）');
}
