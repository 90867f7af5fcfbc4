/**
 * Every operation of the OpenAPI document against every role of docs/rules.md §0: without a key 401,
 * with a key of a role the operation does not list in `x-roles` 403, with a key of a listed role
 * neither (the request reaches the operation). And the document is what the router serves: a
 * route that is not in it, or an operation that has no route, fails here.
 */
import request from 'supertest';
import type { Express } from 'express';
import pino from 'pino';
import { apiDocument, apiOperations, buildApp, OPERATIONAL_ROUTES, type ApiDeps } from '../../api/app';
import { createStaff } from '../../db/staff-admin';
import { ROLES, type Role } from '../../domain/people';
import { assigneeOf, report } from '../helpers/repairs';
import { startTestStack, type TestStack } from '../helpers/stack';

type DocOperation = { operationId: string; 'x-roles'?: Role[]; security?: unknown[]; requestBody?: { content: Record<string, { example?: unknown }> } };
type Doc = { paths: Record<string, Record<string, DocOperation>> };

/** The handlers never run here: the operations are only listed, so the test cases can be named. */
const listedDocument = apiDocument(apiOperations({} as ApiDeps)) as Doc;
const operations = Object.entries(listedDocument.paths).flatMap(([path, methods]) =>
  Object.entries(methods).map(([method, op]) => ({ path, method, op })),
);

/** The only operations anyone may call without a key or a session: the console's sign-in and its password links (docs/console.md). */
const PUBLIC_OPERATIONS = ['getSession', 'signIn', 'setPassword', 'requestPasswordReset'];

let stack: TestStack;
/** One staff member per role; the engineer is the one the setup case was dispatched to. */
const keyOfRole = {} as Record<Role, string>;
/** Real values for path parameters, so an allowed role gets past the lookup where it can. */
const pathValues: Record<string, string> = {};

beforeAll(async () => {
  stack = await startTestStack();
  const repairId = await report(stack, { room: '1-1-301' });
  const engineer = await assigneeOf(stack, repairId);
  const byRole: Record<Role, string> = {
    frontdesk: 'S-FD1', butler: 'S-BT1', engineer, supervisor: 'S-SV1', manager: 'S-MG1', callcenter: 'S-CC1', hr: 'S-HR1', audit: 'S-AU1',
  };
  await createStaff(stack.orm.em.fork(), stack.seed.propertyId, { id: 'S-MX1', name: '临时 工', email: 's-mx1@demo.wuye.local', roles: ['frontdesk'], areaIds: [] }, { kind: 'staff', staffId: 'S-MG1', roles: ['manager'] });
  for (const role of ROLES) keyOfRole[role] = stack.keyOf(byRole[role]);
  Object.assign(pathValues, {
    '/api/v1/repairs': repairId,
    '/api/v1/return-visits': 'RV-R20261122-0001-1',
    '/api/v1/complaints': 'C20261122-0001',
    '/api/v1/staff': 'S-MX1',
    '/api/v1/households': `${stack.seed.propertyId}-1-1-301`,
  });
});
afterAll(async () => stack?.close());

/** `/api/v1/repairs/{caseId}/accept` → the setup case; an id nobody has where there is none. */
function concretePath(path: string): string {
  return path
    .replace(/^(.*?)\/\{[^}]+\}/, (_m, collection: string) => `${collection}/${pathValues[collection] ?? 'unknown'}`)
    .replace(/\{[^}]+\}/g, 'unknown');
}

function sendOnce(app: Express, method: string, path: string, op: DocOperation, key?: string) {
  let req = request(app)[method as 'get'](concretePath(path));
  if (key) req = req.set('Authorization', `Bearer ${key}`);
  if (op.requestBody) req = req.send((op.requestBody.content['application/json']?.example ?? {}) as object);
  return req;
}

/**
 * A 503 says "not now" (Postgres or Temporal too slow on a loaded machine: the survey run this
 * matrix starts fans out into a workflow per household), nothing about who may call: like any
 * client, ask again after its Retry-After, a few times. Any other answer is the one checked.
 */
async function send(app: Express, method: string, path: string, op: DocOperation, key?: string) {
  for (let attempt = 1; ; attempt++) {
    const res = await sendOnce(app, method, path, op, key);
    if (res.status !== 503 || attempt === 5) return res;
    await new Promise((resolve) => setTimeout(resolve, Math.min(Number(res.headers['retry-after'] ?? 1), 3) * 1000));
  }
}

describe('the auth matrix: every operation × every role', () => {
  it('the served /openapi.json is the document these cases walk', async () => {
    const served = await request(stack.app).get('/openapi.json').expect(200);
    expect(served.body).toEqual(JSON.parse(JSON.stringify(listedDocument)));
    expect(operations.map((o) => o.op.operationId)).toEqual(expect.arrayContaining(['createRepair', 'listRepairs', 'getRepair', 'repairAccept', 'getReturnVisit', 'startReconciliation']));
  });

  it.each(operations.map((o) => [`${o.method.toUpperCase()} ${o.path} (${o.op.operationId})`, o] as const))('%s', async (_name, { path, method, op }) => {
    if (Array.isArray(op.security) && op.security.length === 0) {
      // Declared public: it must be one of the few that are (signing in), and answer without a key.
      expect({ operationId: op.operationId, public: true }).toEqual({ operationId: op.operationId, public: PUBLIC_OPERATIONS.includes(op.operationId) });
      const anonymous = await send(stack.app, method, path, op);
      expect({ operationId: op.operationId, status: anonymous.status, refusedAsAuth: anonymous.status === 401 || anonymous.status >= 500 }).toEqual({ operationId: op.operationId, status: anonymous.status, refusedAsAuth: false });
      return;
    }
    const allowed = op['x-roles'];
    expect({ operationId: op.operationId, declaresRoles: Array.isArray(allowed) && allowed.length > 0 }).toEqual({ operationId: op.operationId, declaresRoles: true });

    const anonymous = await send(stack.app, method, path, op);
    expect({ operationId: op.operationId, status: anonymous.status }).toEqual({ operationId: op.operationId, status: 401 });
    expect(anonymous.headers['content-type']).toMatch(/^application\/problem\+json/);
    const forged = await send(stack.app, method, path, op, 'wy_not-a-key-anyone-was-given');
    expect({ operationId: op.operationId, status: forged.status }).toEqual({ operationId: op.operationId, status: 401 });

    for (const role of ROLES) {
      const res = await send(stack.app, method, path, op, keyOfRole[role]);
      const outcome = { operationId: op.operationId, role, allowed: allowed!.includes(role) };
      if (!outcome.allowed) {
        expect({ ...outcome, status: res.status }).toEqual({ ...outcome, status: 403 });
      } else {
        // Past authentication and authorisation; the minimal request may still be refused on its merits.
        expect({ ...outcome, status: res.status, refusedAsAuth: [401, 403].includes(res.status) || res.status >= 500 }).toEqual({ ...outcome, status: res.status, refusedAsAuth: false });
      }
    }
  });
});

describe('the document drifts from the code', () => {
  /** Every method + path the express app answers, walking mounted routers. */
  function servedRoutes(app: Express): string[] {
    const out: string[] = [];
    type Layer = { route?: { path: string; methods: Record<string, boolean> }; handle: { stack?: Layer[] }; rawPath?: string };
    const walk = (layers: Layer[], prefix: string) => {
      for (const layer of layers) {
        if (layer.route) {
          for (const method of Object.keys(layer.route.methods).filter((m) => m !== '_all')) out.push(`${method.toUpperCase()} ${prefix}${layer.route.path}`);
        } else if (layer.handle.stack) {
          walk(layer.handle.stack, prefix + (typeof layer.rawPath === 'string' && layer.rawPath !== '/' ? layer.rawPath : ''));
        }
      }
    };
    walk((app as unknown as { router: { stack: Layer[] } }).router.stack, '');
    return out.sort();
  }

  it('every route the app serves is an operation of the document, and every operation is served', () => {
    const documented = operations.map(({ method, path }) => `${method.toUpperCase()} ${path.replace(/\{([^}]+)\}/g, ':$1')}`);
    expect(servedRoutes(stack.app)).toEqual([...documented, ...OPERATIONAL_ROUTES].sort());
  });

  it('a route added beside the contract is seen by that comparison', () => {
    const app = buildApp({ orm: stack.orm, temporal: stack.client, config: stack.config, logger: pino({ level: 'silent' }) });
    app.get('/api/v1/undocumented', (_req, res) => void res.end());
    expect(servedRoutes(app)).toContain('GET /api/v1/undocumented');
  });
});
