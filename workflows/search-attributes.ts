import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/**
 * Typed search attributes a supervisor filters on in the Temporal Web UI (docs/architecture.md §3).
 * Values are codes, room numbers and case numbers only — never names or phones.
 */
export const CaseType = defineSearchAttributeKey('CaseType', SearchAttributeType.KEYWORD);
export const CaseStatus = defineSearchAttributeKey('CaseStatus', SearchAttributeType.KEYWORD);
export const Severity = defineSearchAttributeKey('Severity', SearchAttributeType.KEYWORD);
export const AreaId = defineSearchAttributeKey('AreaId', SearchAttributeType.KEYWORD);
export const AssigneeId = defineSearchAttributeKey('AssigneeId', SearchAttributeType.KEYWORD);
/** ok | warning | breached */
export const SlaState = defineSearchAttributeKey('SlaState', SearchAttributeType.KEYWORD);
export const Escalated = defineSearchAttributeKey('Escalated', SearchAttributeType.BOOL);
export const DueAt = defineSearchAttributeKey('DueAt', SearchAttributeType.DATETIME);

export const ALL_SEARCH_ATTRIBUTES = [CaseType, CaseStatus, Severity, AreaId, AssigneeId, SlaState, Escalated, DueAt];

/** The CLI's spelling of each type, for `temporal server start-dev --search-attribute` and `operator search-attribute create`. */
const CLI_TYPE_NAMES: Record<string, string> = {
  [SearchAttributeType.KEYWORD]: 'Keyword',
  [SearchAttributeType.BOOL]: 'Bool',
  [SearchAttributeType.DATETIME]: 'Datetime',
  [SearchAttributeType.TEXT]: 'Text',
  [SearchAttributeType.INT]: 'Int',
  [SearchAttributeType.DOUBLE]: 'Double',
  [SearchAttributeType.KEYWORD_LIST]: 'KeywordList',
};

export function searchAttributeCliSpecs(): { name: string; type: string }[] {
  return ALL_SEARCH_ATTRIBUTES.map((key) => ({ name: key.name, type: CLI_TYPE_NAMES[key.type] }));
}
