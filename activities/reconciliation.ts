import { openRequestLists } from '../db/reconciliation';
import type { OpenRequestLists } from '../domain/reconciliation';
import type { ActivityDeps } from './deps';

export function createReconciliationActivities({ orm }: ActivityDeps) {
  return {
    /** R12: every butler's list of open repairs, with whether a reason was recorded today (db/reconciliation.ts). */
    async buildOpenRequestLists(input: { propertyId: string; asOf: string }): Promise<OpenRequestLists> {
      return openRequestLists(orm, input);
    },
  };
}
