import { ACCESS } from '../../domain/access';
import { z } from 'zod';
import { Staff } from '../../db/entities';
import { createStaff, issueKey, newStaffSchema, refusedGrant, revokeKey, staffIdSchema, summarise, type StaffAdministrator } from '../../db/staff-admin';
import { ROLES, SELF_GRANTED_ROLES, type Role } from '../../domain/people';
import type { StaffPrincipal } from '../auth';
import { operation, type Operation } from '../contract';
import { idempotencyKeyOf, withIdempotency } from '../idempotency';
import { HttpProblem } from '../problem';
import type { RouteDeps } from './repairs';
import type { Transporter } from 'nodemailer';
import { mailPasswordLink } from './session';


const staffSummarySchema = z.object({
  id: z.string(),
  name: z.string(),
  email: z.string(),
  roles: z.array(z.string()),
  areaIds: z.array(z.string()),
  active: z.boolean(),
  apiKey: z.object({ state: z.enum(['active', 'revoked', 'none']), lastUsedAt: z.string().nullable() }),
  createdAt: z.string(),
});

const staffParams = z.object({ staffId: staffIdSchema });

const listQuery = z
  .object({
    role: z.enum(ROLES).optional(),
    limit: z.coerce.number().int().min(1).max(100).default(50),
    cursor: staffIdSchema.optional().describe('opaque; from the previous page'),
  })
  .strict();

const noSuchStaff = (id: string) => new HttpProblem(404, 'Not found', `no staff member ${id} in this property`);

const administrator = (staff: StaffPrincipal): StaffAdministrator => ({ kind: 'staff', staffId: staff.id, roles: staff.roles });

/** A grant the caller may not make: 403, and the attempt is already in the audit log. */
const mayNotGrant = (refused: Role[], what: string) =>
  new HttpProblem(403, 'Forbidden', `${what}: only a holder of ${refused.join(' and ')} may grant ${refused.length > 1 ? 'them' : 'it'} (or \`npm run staff\` on the server); this attempt has been recorded`, {
    refusedRoles: refused,
  });

const SELF_GRANTED_NOTE = `Roles ${SELF_GRANTED_ROLES.join(' and ')} can be granted only by a holder of that role (or \`npm run staff\`): anyone else gets 403, and the attempt is audited.`;

/** A manager's administration of staff and their API keys (the bootstrap is `npm run staff`). */
export function staffOperations(deps: RouteDeps & { mailer?: Transporter }): Operation[] {
  const { orm, config } = deps;
  return [
    operation({
      method: 'post',
      path: '/staff',
      operationId: 'createStaff',
      summary: "Add a staff member to the manager's property (without a key: issue one next)",
      description: `${SELF_GRANTED_NOTE} Every staff member added is in the administrative audit log (GET /api/v1/admin-audit).`,
      tags: ['staff'],
      roles: ACCESS.staff.administer,
      body: newStaffSchema,
      bodyExample: { id: 'S-BT3', name: '管家 何芸', email: 's-bt3@demo.wuye.local', roles: ['butler'], areaIds: ['A1'] },
      idempotent: true,
      responses: {
        201: { description: 'Created', schema: staffSummarySchema },
        403: { description: `Not a manager, or a role the caller may not grant (${SELF_GRANTED_ROLES.join(', ')}); the attempt is audited` },
        409: { description: 'That staff number is taken' },
        422: { description: 'An area that is not in this property, or an Idempotency-Key reused with another body' },
      },
      handler: async ({ body, staff, req }) => {
        const em = orm.em.fork();
        const key = idempotencyKeyOf(req.get('idempotency-key'));
        // Before the Idempotency-Key is claimed: a refused grant leaves nothing behind but its audit record.
        const refused = await refusedGrant(em, staff.propertyId, administrator(staff), 'staff.create', body.id, body.roles);
        if (refused.length) throw mayNotGrant(refused, `${body.id} would hold ${refused.join(', ')}`);
        return withIdempotency(
          em,
          { staffId: staff.id, key, body, ttlDays: config.IDEMPOTENCY_TTL_DAYS },
          async () => body.id,
          async () => {
            const result = await createStaff(em.fork(), staff.propertyId, body, administrator(staff));
            if ('forbidden' in result) throw mayNotGrant(result.forbidden, `${body.id} would hold ${result.forbidden.join(', ')}`);
            if ('conflict' in result) throw new HttpProblem(409, 'Conflict', `staff number ${result.conflict} is taken`);
            if ('unknownAreas' in result) {
              throw new HttpProblem(422, 'Unknown area', `no area ${result.unknownAreas.join(', ')} in this property`, {
                'invalid-params': [{ name: 'areaIds', in: 'body', reason: `unknown: ${result.unknownAreas.join(', ')}` }],
              });
            }
            // The new member sets a console password from a one-time link (docs/console.md).
            // A mail server that is down does not undo the account: the manager sends the link again.
            if (deps.mailer) await mailPasswordLink(deps, body.id, 'created', staff.id).catch((error: unknown) => req.log?.warn({ err: (error as Error).message }, 'password link not sent'));
            return { status: 201, body: result.created, headers: { Location: `/api/v1/staff/${body.id}` } };
          },
        );
      },
    }),

    operation({
      method: 'get',
      path: '/staff',
      operationId: 'listStaff',
      summary: "The property's staff with their roles, areas and key state (never a key or its hash)",
      tags: ['staff'],
      roles: ACCESS.staff.list,
      query: listQuery,
      responses: { 200: { description: 'One page, by staff number', schema: z.object({ items: z.array(staffSummarySchema), nextCursor: z.string().nullable() }) } },
      handler: async ({ query, staff }) => {
        const rows = await orm.em.fork().find(
          Staff,
          { propertyId: staff.propertyId, ...(query.cursor ? { id: { $gt: query.cursor } } : {}) },
          { orderBy: { id: 'asc' }, limit: 1000 },
        );
        // Roles are a JSON list; a property has tens of staff, so the role filter runs here.
        const matching = query.role ? rows.filter((s) => s.roles.includes(query.role!)) : rows;
        const page = matching.slice(0, query.limit);
        return {
          status: 200,
          body: { items: page.map(summarise), nextCursor: matching.length > query.limit ? page[page.length - 1].id : null },
        };
      },
    }),

    operation({
      method: 'post',
      path: '/staff/:staffId/keys',
      operationId: 'issueStaffKey',
      summary: 'Issue a new API key, shown only in this answer; the previous key stops working',
      description:
        'Not idempotent by design: a repeat issues another key and invalidates the one before, and no key is ever stored to be replayed. ' +
        `A key carries its holder's roles: ${SELF_GRANTED_NOTE} Every key issued is audited (never the key).`,
      tags: ['staff'],
      roles: ACCESS.staff.administer,
      params: staffParams,
      responses: {
        201: { description: 'The key; store it now', schema: z.object({ staffId: z.string(), apiKey: z.string() }) },
        403: { description: `Not a manager, or the staff member holds a role the caller may not grant (${SELF_GRANTED_ROLES.join(', ')}); the attempt is audited` },
        404: { description: 'No such staff member in this property' },
      },
      handler: async ({ params, staff }) => {
        const result = await issueKey(orm.em.fork(), staff.propertyId, params.staffId, administrator(staff));
        if ('notFound' in result) throw noSuchStaff(params.staffId);
        if ('forbidden' in result) throw mayNotGrant(result.forbidden, `${params.staffId} holds ${result.forbidden.join(', ')}`);
        return { status: 201, body: { staffId: params.staffId, apiKey: result.apiKey }, headers: { 'Cache-Control': 'no-store' } };
      },
    }),

    operation({
      method: 'delete',
      path: '/staff/:staffId/keys',
      operationId: 'revokeStaffKey',
      summary: "Revoke the staff member's API key at once",
      description: 'Any key of the property, an hr or audit holder’s too: revoking takes access away and never gives it. Audited.',
      tags: ['staff'],
      roles: ACCESS.staff.administer,
      params: staffParams,
      responses: { 204: { description: 'Revoked' }, 404: { description: 'No such staff member in this property' } },
      handler: async ({ params, staff }) => {
        if (!(await revokeKey(orm.em.fork(), staff.propertyId, params.staffId, administrator(staff)))) throw noSuchStaff(params.staffId);
        return { status: 204 };
      },
    }),
  ];
}
