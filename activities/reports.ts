/**
 * The P1 report's schedule work: generated from the read model (db/reports.ts, shared with the API's
 * report routes), stored, and mailed.
 */
import { ApplicationFailure } from '@temporalio/common';
import { Staff, StoredReport } from '../db/entities';
import { loadComplaintAnalysis, propertyTimeZone } from '../db/reports';
import { deliverOnce, propertyLocale } from './notify';
import { complaintAnalysisCsv, previousMonth, type ComplaintAnalysis, type Month } from '../domain/reports';
import type { ActivityDeps } from './deps';
import { complaintReportMail } from './report-mail';

export function createReportActivities({ orm, mailer, config }: ActivityDeps) {
  return {
    /**
     * P1: analyses the month before `asOf` (property-local; or `month` when given) and stores it.
     * Generating the same month again replaces the stored copy: a re-run sees late corrections.
     */
    async buildComplaintReport(input: { propertyId: string; asOf: string; month?: Month; workflowId: string }): Promise<{ month: Month; total: number; resolved: number }> {
      const timeZone = await propertyTimeZone(orm, input.propertyId);
      const month = input.month ?? previousMonth(new Date(input.asOf), timeZone);
      const analysis = await loadComplaintAnalysis(orm, input.propertyId, month);
      await orm.em.fork().upsert(StoredReport, {
        kind: 'P1',
        propertyId: input.propertyId,
        period: month,
        generatedAt: new Date(),
        workflowId: input.workflowId,
        data: analysis as unknown as Record<string, unknown>,
        csv: complaintAnalysisCsv(analysis),
      });
      return { month, total: analysis.total.complaints, resolved: analysis.total.resolved };
    },

    /**
     * P1 to every manager of the property: HTML with the CSV attached, one mail per manager, delivered once.
     */
    async mailComplaintReport(input: { idempotencyKey: string; propertyId: string; month: Month }): Promise<{ sent: number; skipped: number }> {
      const em = orm.em.fork();
      const stored = await em.findOne(StoredReport, { kind: 'P1', propertyId: input.propertyId, period: input.month });
      if (!stored) throw ApplicationFailure.create({ type: 'ReportMissing', message: `no P1 report for ${input.month}`, nonRetryable: true });
      const managers = (await em.find(Staff, { propertyId: input.propertyId, active: true }, { orderBy: { id: 'asc' } })).filter((s) => s.roles.includes('manager'));
      const content = complaintReportMail(stored.data as unknown as ComplaintAnalysis, await propertyLocale(orm, input.propertyId));
      let sent = 0;
      let skipped = 0;
      for (const manager of managers) {
        const outcome = await deliverOnce(
          { orm, mailer, config },
          {
            key: `${input.idempotencyKey}:${manager.id}`,
            recipient: manager,
            template: 'complaintReport',
            mail: {
              subject: content.subject,
              text: content.text,
              html: content.html,
              attachments: [{ filename: `complaints-${input.propertyId}-${input.month}.csv`, content: stored.csv, contentType: 'text/csv; charset=utf-8' }],
            },
          },
        );
        if (outcome === 'sent') sent++;
        else skipped++;
      }
      return { sent, skipped };
    },
  };
}
