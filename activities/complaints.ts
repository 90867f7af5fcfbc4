import type { ActivityDeps } from './deps';

export function createComplaintActivities({ orm }: ActivityDeps) {
  return {
    /**
     * C4: distinct complainants (household, else phone, else the case itself) of the complaints
     * linked to `issueKey` and received since `since`, and the workflows of those still open.
     */
    async issueComplainants(input: { propertyId: string; issueKey: string; since: string }): Promise<{ complainants: number; openWorkflowIds: string[] }> {
      const rows = await orm.em
        .fork()
        .getConnection()
        .execute<{ complainant: string; workflow_id: string; closed_at: Date | null }[]>(
          `select coalesce(household_id, contact_phone, id) as complainant, workflow_id, closed_at from service_case
           where kind = 'complaint' and property_id = ? and issue_key = ? and received_at >= ? and status <> 'invalid'`,
          [input.propertyId, input.issueKey, new Date(input.since)],
        );
      return {
        complainants: new Set(rows.map((r) => r.complainant)).size,
        openWorkflowIds: rows.filter((r) => !r.closed_at).map((r) => r.workflow_id).sort(),
      };
    },
  };
}
