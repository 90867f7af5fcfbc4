import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

/**
 * A report as it was generated and sent (P1 monthly complaint analysis): the JSON and the CSV are
 * kept so what managers received can be read again through the API, unchanged by later edits.
 */
export const StoredReport = defineEntity({
  name: 'StoredReport',
  tableName: 'stored_report',
  primaryKeys: ['kind', 'propertyId', 'period'],
  properties: {
    /** P1 */
    kind: p.string().length(16).primary(),
    propertyId: p.string().length(32).primary(),
    /** 'YYYY-MM' for a monthly report. */
    period: p.string().length(16).primary(),
    generatedAt: p.datetime(),
    /** The run that generated it (a scheduled run's ID carries its scheduled time). */
    workflowId: p.string().length(200),
    data: p.json<Record<string, unknown>>(),
    csv: p.text(),
  },
});
export type IStoredReport = InferEntity<typeof StoredReport>;
