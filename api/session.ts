/**
 * Console sessions (docs/console.md): people sign in with their staff number and password; the
 * session lives in Postgres (express-session with connect-pg-simple's store), its cookie is
 * httpOnly and SameSite=Strict, and every unsafe request made with it carries a CSRF token
 * (csrf-csrf, double submit bound to the session). API keys stay for integrations: a request with
 * `Authorization: Bearer` never reads a session and needs no CSRF token (no ambient credential).
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import connectPgSimple from 'connect-pg-simple';
import cookieParser from 'cookie-parser';
import { doubleCsrf } from 'csrf-csrf';
import session from 'express-session';
import type { Request, RequestHandler } from 'express';
import type { Config } from '../config';
import type { Orm } from '../db/orm';
import { HttpProblem } from './problem';

declare module 'express-session' {
  interface SessionData {
    /** The signed-in staff member; absent on the short pre-session that binds the sign-in form's CSRF token. */
    staffId?: string;
    signedInAt?: string;
  }
}

export const SESSION_COOKIE = 'wy.sid';
/** A visitor who has not signed in yet keeps a session only long enough to fill in the sign-in form. */
const PRE_SESSION_MS = 30 * 60_000;

/**
 * connect-pg-simple speaks to a pg Pool with `$n` placeholders; this hands its few statements to the
 * ORM's own pool (knex, `?` placeholders), so the API keeps one pool per process.
 */
function ormPool(orm: Orm) {
  return {
    async query(text: string, params: unknown[] = []) {
      const bindings: unknown[] = [];
      const sql = text.replace(/\$(\d+)/g, (_m, n: string) => {
        const value = params[Number(n) - 1];
        bindings.push(value !== null && typeof value === 'object' && !(value instanceof Date) ? JSON.stringify(value) : value);
        return '?';
      });
      const result = (await orm.em.getKnex().raw(sql, bindings as never[])) as { rows?: unknown[] };
      return { rows: result.rows ?? [] };
    },
  };
}

export interface Sessions {
  /** Parses the cookies and loads the session (only when the request has a session cookie). */
  middleware: RequestHandler[];
  /** A CSRF token for this session, set with its cookie; the console sends it back as `x-csrf-token`. */
  csrfToken(req: Request, res: Parameters<RequestHandler>[1]): string;
  /** Throws 403 unless an unsafe request carries this session's CSRF token. */
  checkCsrf(req: Request): void;
  /** Makes the session a short pre-session (sign-in form), saved so its CSRF token holds. */
  begin(req: Request): void;
}

export function createSessions(orm: Orm, config: Config, logger?: Pick<Logger, 'warn'>): Sessions {
  // Without a configured secret each process draws its own: sessions then end with the process.
  const secret = config.SESSION_SECRET ?? randomBytes(32).toString('base64url');
  const secure = (config.PUBLIC_BASE_URL ?? '').startsWith('https:');
  const PgStore = connectPgSimple(session);
  // Its pruning runs on a timer of its own: a failure there (Postgres away, or closed under a test)
  // is the app's log line, not console.error.
  const store = new PgStore({
    pool: ormPool(orm) as never,
    tableName: 'http_session',
    pruneSessionInterval: 15 * 60,
    errorLog: (...args: unknown[]) => logger?.warn({ err: args.map(String).join(' ') }, 'could not prune expired sessions'),
  });
  const sessionMiddleware = session({
    name: SESSION_COOKIE,
    secret,
    store,
    resave: false,
    saveUninitialized: false,
    rolling: true,
    unset: 'destroy',
    cookie: { httpOnly: true, sameSite: 'strict', secure, path: '/', maxAge: config.SESSION_IDLE_HOURS * 3_600_000 },
  });
  // express-session reads the store on every request with its cookie: only then is it worth running.
  const loadSession: RequestHandler = (req, res, next) => (req.headers.cookie?.includes(`${SESSION_COOKIE}=`) || !req.get('authorization') ? sessionMiddleware(req, res, next) : next());

  const csrf = doubleCsrf({
    getSecret: () => secret,
    getSessionIdentifier: (req) => req.session?.id ?? '',
    cookieName: secure ? '__Host-wy.csrf' : 'wy.csrf',
    cookieOptions: { sameSite: 'strict', secure, httpOnly: true, path: '/' },
    getCsrfTokenFromRequest: (req) => req.get('x-csrf-token'),
  });

  return {
    middleware: [cookieParser(), loadSession],
    csrfToken: (req, res) => csrf.generateCsrfToken(req, res, { overwrite: false, validateOnReuse: false }),
    checkCsrf(req) {
      if (['GET', 'HEAD', 'OPTIONS'].includes(req.method)) return;
      if (!req.session || !csrf.validateRequest(req)) {
        throw new HttpProblem(403, 'CSRF token missing or invalid', 'send the x-csrf-token header the console got from GET /api/v1/session');
      }
    },
    begin(req) {
      if (!req.session) throw new Error('sessions are not loaded on this route');
      if (!req.session.staffId) req.session.cookie.maxAge = PRE_SESSION_MS;
      (req.session as unknown as { started: boolean }).started = true;
    },
  };
}

/** express-session's callback methods, awaited. */
export const regenerate = (req: Request) => new Promise<void>((resolve, reject) => req.session.regenerate((e: unknown) => (e ? reject(e as Error) : resolve())));
export const saveSession = (req: Request) => new Promise<void>((resolve, reject) => req.session.save((e: unknown) => (e ? reject(e as Error) : resolve())));
export const destroySession = (req: Request) => new Promise<void>((resolve, reject) => req.session.destroy((e: unknown) => (e ? reject(e as Error) : resolve())));
