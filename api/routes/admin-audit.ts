/**
 * The administrative audit log, for the managers who administer and for audit who checks them:
 * every staff member added, key issued or revoked, every refused attempt to grant hr or audit, and
 * every calendar change — who, when, what. Never a key or its hash.
 */
import { ACCESS } from '../../domain/access';
import { z } from 'zod';
import { adminAuditPage } from '../../db/admin-audit';
import { operation, type Operation } from '../contract';
import type { RouteDeps } from './repairs';


const listQuery = z
  .object({
    action: z
      .string()
      .regex(/^[a-z][a-z0-9.-]{0,63}$/, 'an action or the start of one, e.g. staff. or staff.key.issue')
      .optional()
      .describe('only the actions that start with this, e.g. `staff.` (staff and keys) or `calendar.`'),
    limit: z.coerce.number().int().min(1).max(100).default(50),
    cursor: z.string().regex(/^\d{1,18}$/, 'a cursor this API gave out').optional().describe('opaque; from the previous page'),
  })
  .strict();

const recordSchema = z.object({
  id: z.string(),
  at: z.string(),
  propertyId: z.string().nullable().describe('null for what every property shares (the national calendar)'),
  actorId: z.string().describe('the staff member, or `cli` for `npm run staff` on the server'),
  action: z.string().describe('e.g. staff.create, staff.key.issue, staff.key.revoke, staff.create.denied, staff.key.issue.denied, calendar.override.set'),
  subject: z.string().describe('what it concerns: a staff id, a year, a date'),
  detail: z.record(z.string(), z.unknown()),
});

export function adminAuditOperations({ orm }: RouteDeps): Operation[] {
  return [
    operation({
      method: 'get',
      path: '/admin-audit',
      operationId: 'listAdminAudit',
      summary: 'The administrative audit log of the caller’s property: staff, roles, keys and calendar changes, and refused grants — newest first',
      tags: ['staff'],
      roles: ACCESS.adminAudit.read,
      query: listQuery,
      responses: { 200: { description: 'One page, newest first', schema: z.object({ items: z.array(recordSchema), nextCursor: z.string().nullable() }) } },
      handler: async ({ query, staff }) => ({
        status: 200,
        body: await adminAuditPage(orm.em.fork(), { propertyId: staff.propertyId, actionPrefix: query.action, limit: query.limit, before: query.cursor }),
      }),
    }),
  ];
}
