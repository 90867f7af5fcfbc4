/**
 * Signing in to the console (docs/console.md): the session, the password set from a one-time
 * link, and the links themselves. Each is a contract operation, so the console's client is typed
 * from /openapi.json like every other call. The public ones check the CSRF token of the short
 * pre-session `GET /session` opens, and are limited per client address.
 */
import { ACCESS } from '../../domain/access';
import type { Request } from 'express';
import type { Transporter } from 'nodemailer';
import { z } from 'zod';
import type { Config } from '../../config';
import { appendAdminAudit } from '../../db/admin-audit';
import { issuePasswordToken, passwordSchema, setPassword, signIn } from '../../db/credentials';
import type { Orm } from '../../db/orm';
import { staffIdSchema } from '../../db/staff-admin';
import { ROLES } from '../../domain/people';
import type { Locale } from '../../domain/words';
// The one exception to api/'s layer rule: a password link is mailed from the request itself, through
// the exactly-once outbox and the templates every other mail uses.
// eslint-disable-next-line no-restricted-imports
import { deliverOnce } from '../../activities/notify';
// eslint-disable-next-line no-restricted-imports
import { render } from '../../activities/templates';
import { operation, type Operation } from '../contract';
import { HttpProblem } from '../problem';
import { TokenBuckets } from '../rate-limit';
import { destroySession, regenerate, saveSession, type Sessions } from '../session';

export interface SessionRouteDeps {
  orm: Orm;
  config: Config;
  mailer?: Transporter;
  sessions: Sessions;
}

const meSchema = z.object({
  id: z.string(),
  name: z.string(),
  propertyId: z.string(),
  roles: z.array(z.enum(ROLES)),
  areaIds: z.array(z.string()),
});

const sessionSchema = z.object({
  staff: meSchema.nullable().describe('the signed-in staff member; null before sign-in'),
  csrfToken: z.string().describe('send it back as the x-csrf-token header on every request that changes something'),
  temporalUiUrl: z.string().nullable().describe("where a case's workflow is shown in the Temporal UI, when it is reachable"),
  temporalNamespace: z.string(),
});

const signInSchema = z.object({ staffId: staffIdSchema, password: z.string().min(1).max(200) }).strict();
const setPasswordSchema = z.object({ token: z.string().regex(/^[A-Za-z0-9_-]{32,64}$/, 'the token from the link'), password: passwordSchema() }).strict();
const resetSchema = z.object({ staffId: staffIdSchema }).strict();

const consoleBase = (config: Config) => `${(config.PUBLIC_BASE_URL ?? `http://localhost:${config.PORT}`).replace(/\/$/, '')}/console`;

/**
 * Mails a staff member a one-time link to set their password; the link's token is in the URL's
 * fragment, so it reaches no server log. Sent once per link (deliverOnce, keyed by the link).
 */
export async function mailPasswordLink(
  deps: { orm: Orm; config: Config; mailer?: Transporter },
  staffId: string,
  purpose: 'created' | 'reset',
  actorId: string,
): Promise<string | undefined> {
  const em = deps.orm.em.fork();
  const [staff] = await em
    .getConnection()
    .execute<{ id: string; property_id: string; name: string; email: string; active: boolean; language: Locale }[]>(
      'select s.id, s.property_id, s.name, s.email, s.active, p.language from staff s join property p on p.id = s.property_id where s.id = ?',
      [staffId],
    );
  if (!staff || !staff.active) return undefined;
  if (!deps.mailer) throw new HttpProblem(503, 'Mail unavailable', 'this API process has no mail server configured (SMTP_URL)');
  const { token, expiresAt } = await issuePasswordToken(em, { id: staff.id, propertyId: staff.property_id }, purpose, actorId);
  const url = `${consoleBase(deps.config)}/set-password#${token}`;
  const mail = render('passwordLink', { name: staff.name, staffId: staff.id, url, expiresAt: expiresAt.toISOString(), purpose }, staff.language);
  await deliverOnce(
    { orm: deps.orm, mailer: deps.mailer, config: deps.config },
    { key: `password-link:${staff.id}:${expiresAt.getTime()}`, recipient: { id: staff.id, email: staff.email }, template: 'passwordLink', mail, claimer: 'api' },
  );
  return url;
}

export function sessionOperations(deps: SessionRouteDeps): Operation[] {
  const { orm, config, sessions } = deps;
  // Per client address: sign-ins, password sets and reset requests (no key to limit them by).
  const buckets = new TokenBuckets({ perSecond: 0.5, burst: 20 });
  const limited = (req: Request) => {
    const taken = buckets.take(`ip:${req.ip ?? 'unknown'}`);
    if (!taken.allowed) throw new HttpProblem(429, 'Too many requests', `too many attempts from this address; retry in ${taken.retryAfterSeconds} s`, {}, { 'Retry-After': String(taken.retryAfterSeconds) });
  };
  const me = async (staffId: string) => {
    const [s] = await orm.em.getConnection().execute<{ id: string; name: string; property_id: string; roles: (typeof ROLES)[number][]; area_ids: string[] }[]>(
      'select id, name, property_id, roles, area_ids from staff where id = ? and active = true',
      [staffId],
    );
    return s ? { id: s.id, name: s.name, propertyId: s.property_id, roles: s.roles, areaIds: s.area_ids } : null;
  };
  const sessionBody = async (req: Request, res: Parameters<Sessions['csrfToken']>[1]) => ({
    staff: req.session?.staffId ? await me(req.session.staffId) : null,
    csrfToken: sessions.csrfToken(req, res),
    temporalUiUrl: config.TEMPORAL_UI_URL ?? null,
    temporalNamespace: config.TEMPORAL_NAMESPACE,
  });

  return [
    operation({
      method: 'get',
      path: '/session',
      operationId: 'getSession',
      summary: 'Who is signed in to the console (or nobody yet), and the CSRF token for this session',
      description: 'Before sign-in it opens a short pre-session, so that the sign-in form carries a CSRF token too.',
      tags: ['session'],
      roles: 'public',
      responses: {
        200: { description: 'The session', schema: sessionSchema },
        400: { description: 'Asked with an API key and no console cookie: a key needs no session' },
      },
      handler: async ({ req, res }) => {
        // A key's requests skip the session store (api/session.ts): there is no session to show.
        if (!req.session) {
          throw new HttpProblem(400, 'No console session', {
            'zh-CN': '使用接口密钥的请求没有控制台会话；控制台会话只供浏览器使用。',
            en: 'a request with an API key has no console session; sessions are for the browser console',
          });
        }
        sessions.begin(req);
        const body = await sessionBody(req, res);
        await saveSession(req);
        return { status: 200, body, headers: { 'Cache-Control': 'no-store' } };
      },
    }),

    operation({
      method: 'post',
      path: '/session',
      operationId: 'signIn',
      summary: 'Sign in with a staff number and password; repeated failures lock the account for a while',
      description: 'Every attempt is in the administrative audit log. The session cookie is httpOnly and SameSite=Strict; the answer carries a new CSRF token.',
      tags: ['session'],
      roles: 'public',
      body: signInSchema,
      responses: {
        200: { description: 'Signed in', schema: sessionSchema },
        401: { description: 'Unknown staff number or wrong password' },
        403: { description: 'No CSRF token from GET /session' },
        423: { description: 'Locked after repeated failures; try again later' },
      },
      handler: async ({ body, req, res }) => {
        limited(req);
        sessions.checkCsrf(req);
        const outcome = await signIn(orm.em.fork(), body.staffId, body.password, { ip: req.ip });
        if (!outcome.ok) {
          if (outcome.reason === 'locked') {
            const minutes = Math.max(1, Math.ceil(((outcome.lockedUntil?.getTime() ?? Date.now()) - Date.now()) / 60_000));
            throw new HttpProblem(
              423,
              'Locked',
              { 'zh-CN': `登录失败次数过多：请 ${minutes} 分钟后再试，或申请新的密码链接。`, en: `too many failed sign-ins: try again in ${minutes} min, or ask for a new password link` },
              { lockedUntil: outcome.lockedUntil?.toISOString() },
            );
          }
          throw new HttpProblem(401, 'Unauthorized', 'the staff number or the password is wrong');
        }
        // A new session id at sign-in: one fixed before it (session fixation) is worth nothing after.
        await regenerate(req);
        req.session.staffId = outcome.staffId;
        req.session.signedInAt = new Date().toISOString();
        req.session.cookie.maxAge = config.SESSION_IDLE_HOURS * 3_600_000;
        const fresh = { ...(await sessionBody(req, res)), csrfToken: '' };
        await saveSession(req);
        fresh.csrfToken = sessions.csrfToken(req, res);
        return { status: 200, body: fresh, headers: { 'Cache-Control': 'no-store' } };
      },
    }),

    operation({
      method: 'delete',
      path: '/session',
      operationId: 'signOut',
      summary: 'Sign out of the console',
      tags: ['session'],
      roles: ROLES,
      responses: { 204: { description: 'Signed out (a request with an API key has no session to end)' } },
      handler: async ({ req, staff }) => {
        if (req.session?.staffId) {
          await destroySession(req);
          await appendAdminAudit(orm.em.fork(), { propertyId: staff.propertyId, actorId: staff.id, action: 'session.sign-out', subject: staff.id, detail: {} });
        }
        return { status: 204 };
      },
    }),

    operation({
      method: 'post',
      path: '/session/password',
      operationId: 'setPassword',
      summary: 'Set a console password with the one-time link mailed when the account was created or reset',
      description: 'The link works once; setting the password ends every other session of that staff member. Audited.',
      tags: ['session'],
      roles: 'public',
      body: setPasswordSchema,
      responses: {
        204: { description: 'The password is set; sign in with it' },
        403: { description: 'No CSRF token from GET /session' },
        410: { description: 'The link is unknown, used or expired: ask for a new one' },
      },
      handler: async ({ body, req }) => {
        limited(req);
        sessions.checkCsrf(req);
        const result = await setPassword(orm.em.fork(), body.token, body.password);
        if ('invalid' in result) throw new HttpProblem(410, 'Link not valid', { unknown: 'this link is not known', used: 'this link was already used', expired: 'this link has expired' }[result.invalid], { reason: result.invalid });
        return { status: 204 };
      },
    }),

    operation({
      method: 'post',
      path: '/session/password-reset',
      operationId: 'requestPasswordReset',
      summary: 'Mail a staff member a new one-time link to set their password',
      description: 'Answers 202 whether or not the staff number exists, so that it tells nobody which do.',
      tags: ['session'],
      roles: 'public',
      body: resetSchema,
      responses: { 202: { description: 'If the staff number is known and active, a link is on its way' }, 403: { description: 'No CSRF token from GET /session' } },
      handler: async ({ body, req }) => {
        limited(req);
        sessions.checkCsrf(req);
        await mailPasswordLink(deps, body.staffId, 'reset', 'anonymous');
        return { status: 202 };
      },
    }),
  ];
}

/** A manager sends a staff member a new password link (the account was locked, or the password forgotten). */
export function passwordLinkOperation(deps: { orm: Orm; config: Config; mailer?: Transporter }): Operation {
  return operation({
    method: 'post',
    path: '/staff/:staffId/password-link',
    operationId: 'sendPasswordLink',
    summary: 'Mail the staff member a one-time link to set their console password',
    description: 'Earlier unused links stop working. Audited (never the link).',
    tags: ['staff'],
    roles: ACCESS.staff.passwordLink,
    params: z.object({ staffId: staffIdSchema }),
    responses: { 202: { description: 'The link is on its way' }, 404: { description: 'No such active staff member in this property' } },
    handler: async ({ params, staff }) => {
      const [found] = await deps.orm.em.getConnection().execute<{ id: string }[]>('select id from staff where id = ? and property_id = ? and active', [params.staffId, staff.propertyId]);
      if (!found) throw new HttpProblem(404, 'Not found', `no active staff member ${params.staffId} in this property`);
      await mailPasswordLink(deps, params.staffId, 'reset', staff.id);
      return { status: 202 };
    },
  });
}
