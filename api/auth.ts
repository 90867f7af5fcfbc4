import 'pino-http';
import type { Request, RequestHandler } from 'express';
import type { Orm } from '../db/orm';
import { hashApiKey } from '../db/secrets';
import type { Actor, Role } from '../domain/people';
import { HttpProblem } from './problem';
import type { Sessions } from './session';

export interface StaffPrincipal {
  id: string;
  propertyId: string;
  roles: Role[];
  areaIds: string[];
}

/**
 * Keys are random 24-byte tokens shown once; only their SHA-256 is stored and looked up. The
 * index comparison is not constant-time, but what it compares is the digest of the caller's
 * input: timing can at most tell how many leading digest bytes match a stored one, which does not
 * help to find a key (that needs a SHA-256 preimage of 192 random bits).
 */
/** The actor recorded on a staff action: the principal's first role that the action allows. */
export function actorFor(staff: StaffPrincipal, allowed: readonly Role[]): Actor {
  const role = staff.roles.find((r) => allowed.includes(r));
  if (!role) throw new HttpProblem(403, 'Forbidden', `this action is for ${allowed.join(', ')}`);
  return { staffId: staff.id, role };
}

/** `apiKeyLastUsedAt` is kept to the minute: a busy key costs one write a minute, not one per request. */
export const LAST_USED_RESOLUTION_MS = 60_000;

interface StaffKeyRow {
  id: string;
  property_id: string;
  roles: Role[];
  area_ids: string[];
  /** Postgres' text: the ORM's connection leaves timestamps unparsed. */
  api_key_last_used_at: string | null;
}

interface SessionStaffRow {
  id: string;
  property_id: string;
  roles: Role[];
  area_ids: string[];
}

/**
 * Resolves `Authorization: Bearer <key>` — or, without that header, a console session — to a staff
 * member; 401 without either. A key that is looked up and not found is reported to `onUnknownKey`
 * (the per-address limit of bad keys). A session request that changes something must carry its
 * CSRF token (`sessions.checkCsrf`); a key needs none, since nothing sends it on its own.
 */
export function authenticate(orm: Orm, onUnknownKey: (req: Request) => void = () => undefined, sessions?: Pick<Sessions, 'checkCsrf'>): RequestHandler {
  return async (req, _res, next) => {
    const header = req.get('authorization') ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!header && sessions && req.session?.staffId) {
      // The staff row is read on every request: a staff member deactivated is signed out at once.
      const [staff] = await orm.em
        .getConnection()
        .execute<SessionStaffRow[]>('select id, property_id, roles, area_ids from staff where id = ? and active = true limit 1', [req.session.staffId]);
      if (!staff) return next(new HttpProblem(401, 'Unauthorized', 'the session has ended; sign in again'));
      sessions.checkCsrf(req);
      req.staff = { id: staff.id, propertyId: staff.property_id, roles: staff.roles, areaIds: staff.area_ids };
      req.log?.setBindings?.({ staffId: staff.id });
      return next();
    }
    if (!match) return next(new HttpProblem(401, 'Unauthorized', 'sign in, or send an API key as "Authorization: Bearer <key>"', {}, { 'WWW-Authenticate': 'Bearer' }));
    const connection = orm.em.getConnection();
    // A plain read, not an entity: this runs before every request of the API.
    const [staff] = await connection.execute<StaffKeyRow[]>(
      'select id, property_id, roles, area_ids, api_key_last_used_at from staff where api_key_hash = ? and active = true and api_key_revoked_at is null limit 1',
      [hashApiKey(match[1])],
    );
    if (!staff) {
      onUnknownKey(req);
      return next(new HttpProblem(401, 'Unauthorized', 'the API key is unknown or revoked', {}, { 'WWW-Authenticate': 'Bearer error="invalid_token"' }));
    }
    const now = new Date();
    const lastUsedAt = staff.api_key_last_used_at === null ? null : (orm.em.getPlatform().parseDate(staff.api_key_last_used_at) as Date);
    if (!lastUsedAt || now.getTime() - lastUsedAt.getTime() >= LAST_USED_RESOLUTION_MS) {
      await connection.execute('update staff set api_key_last_used_at = ? where id = ?', [now, staff.id]);
    }
    req.staff = { id: staff.id, propertyId: staff.property_id, roles: staff.roles, areaIds: staff.area_ids };
    req.log?.setBindings?.({ staffId: staff.id });
    next();
  };
}

declare module 'express-serve-static-core' {
  interface Request {
    staff?: StaffPrincipal;
  }
}
