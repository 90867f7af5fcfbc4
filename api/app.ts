import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import cors from 'cors';
import express, { Router, type Express } from 'express';
import helmet from 'helmet';
import { pinoHttp } from 'pino-http';
import type { Logger } from 'pino';
import type { Transporter } from 'nodemailer';
import { codecCorsOrigins, type Config } from '../config';
import { loggableError, scrub } from '../logging';
import { missingNationalYears } from '../db/calendar-store';
import { deadlinesNear } from '../db/deadlines-near';
import type { Orm } from '../db/orm';
import { assumedYearsNote } from '../domain/calendar';
import { authenticate } from './auth';
import { mount, openApiDocument, type Operation } from './contract';
import { DOCS_SCRIPT_SOURCE, docsPage } from './docs';
import { Gauge } from 'prom-client';
import { createApiMetrics, type ApiMetrics } from './metrics';
import { admitOpenings, limitInFlight, temporalDeadline } from './overload';
import { DEADLINE_BEHIND_MS, deadlinePressure } from './deadline-pressure';
import { notFoundRoute, problemHandler } from './problem';
import { BadKeyLimit, rateLimitPerKey } from './rate-limit';
import { adminAuditOperations } from './routes/admin-audit';
import { appraisalOperations } from './routes/appraisals';
import { calendarOperations } from './routes/calendar';
import { codecOperations } from './routes/codec';
import { complaintOperations } from './routes/complaints';
import { householdOperations } from './routes/households';
import { importOperations } from './routes/imports';
import { placeOperations } from './routes/places';
import { propertyOperations } from './routes/properties';
import { requestOperations } from './routes/requests';
import { reconciliationOperations } from './routes/reconciliations';
import { repairOperations } from './routes/repairs';
import { reportOperations } from './routes/reports';
import { returnVisitOperations } from './routes/return-visits';
import { staffOperations } from './routes/staff';
import { surveyOperations } from './routes/surveys';
import { mountSurveyPage } from './survey-page';
import { passwordLinkOperation, sessionOperations } from './routes/session';
import { consoleOperations } from './routes/console';
import { createSessions, type Sessions } from './session';
import { mountConsole } from './console-files';
import { mountCasePage } from './case-page';
import { attachmentStoreFor, type AttachmentStore } from './attachments';

export const API_PREFIX = '/api/v1';
export const BODY_LIMIT = '64kb';
/** How many more requests a key may send to read-only operations (the codec's decode) than to the rest. */
const CODEC_RATE_FACTOR = 20;
/** Import files being read at once by one API process (each up to IMPORT_BODY_LIMIT). */
export const UPLOADS_IN_FLIGHT = 2;

export interface ApiDeps {
  orm: Orm;
  temporal: Client;
  config: Config;
  logger: Logger;
  /** Where the app counts its requests; served by `metricsApp` on its own port. A fresh registry when absent. */
  metrics?: ApiMetrics;
  /** Mails staff their password links (docs/console.md); without it those operations answer 503. */
  mailer?: Transporter;
  /** The console's sessions; built by `buildApp` when absent. */
  sessions?: Sessions;
  /** Where photos and signatures go; the store the configuration chooses when absent (api/attachments.ts). */
  attachments?: AttachmentStore;
}

/** Every operation of the staff API; the OpenAPI document is generated from this list. */
export function apiOperations(deps: ApiDeps): Operation[] {
  return [...sessionOperations({ ...deps, sessions: deps.sessions as Sessions }), passwordLinkOperation(deps), ...consoleOperations(deps), ...repairOperations(deps), ...complaintOperations(deps), ...reconciliationOperations(deps), ...returnVisitOperations(deps), ...staffOperations(deps), ...householdOperations(deps), ...requestOperations(deps), ...reportOperations(deps), ...appraisalOperations(deps), ...surveyOperations(deps), ...calendarOperations(deps), ...adminAuditOperations(deps), ...placeOperations(deps), ...propertyOperations(deps), ...importOperations(deps), ...codecOperations(deps)];
}

export const API_INFO = { title: '物业客服中心 Service Centre API', version: '0.1.0', prefix: API_PREFIX };

/** The routes outside the API prefix that are deliberately not in the OpenAPI document (operations, the document itself). /metrics is on its own port (api/metrics.ts). */
export const OPERATIONAL_ROUTES = ['GET /healthz', 'GET /readyz', 'GET /openapi.json', 'GET /docs', 'GET /s/:token', 'POST /s/:token', 'GET /c/:token', 'POST /c/:token', 'GET /', 'GET /console', 'GET /console/*path'] as const;

export function apiDocument(operations: Operation[]) {
  return openApiDocument(operations, API_INFO);
}

/** What /readyz reports beside its checks: each property and year whose working days are being assumed. */
async function readinessWarnings(orm: Orm): Promise<{ propertyId: string; year: number; warning: string }[]> {
  const missing = await missingNationalYears(orm.em.fork(), new Date());
  return missing.map(({ propertyId, year }) => ({ propertyId, year, warning: `${assumedYearsNote([year])}: PUT /api/v1/calendar/national/${year}` }));
}

/**
 * Security headers on every answer (helmet's defaults: nosniff, frame-ancestors, HSTS, COOP/CORP,
 * no referrer across origins…). The policy allows the /docs page's one inline script by its hash
 * and no other script; no `upgrade-insecure-requests`, which would send `npm start`'s plain-HTTP
 * /docs requests to an https:// that is not there. The survey page sets a stricter policy of its own.
 */
const securityHeaders = helmet({
  contentSecurityPolicy: {
    directives: {
      'script-src': ["'self'", DOCS_SCRIPT_SOURCE],
      'frame-ancestors': ["'none'"],
      'base-uri': ["'none'"],
      'upgrade-insecure-requests': null,
    },
  },
});

export function buildApp(deps: ApiDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  // Which X-Forwarded-For entry is the client's address, for the per-address limits.
  app.set('trust proxy', deps.config.TRUST_PROXY);
  const metrics = deps.metrics ?? createApiMetrics();
  app.use(metrics.observe);
  app.use(
    pinoHttp({
      logger: deps.logger,
      genReqId: (req, res) => {
        const incoming = req.headers['x-request-id'];
        const id = typeof incoming === 'string' && /^[\w.-]{1,64}$/.test(incoming) ? incoming : randomUUID();
        res.setHeader('X-Request-Id', id);
        return id;
      },
      // Never log bodies or the Authorization header: they carry API keys and residents' personal data.
      // Nor a survey link's token, which is in its URL (/s/<token>).
      serializers: {
        req: (req: { id: string; method: string; url: string }) => ({ id: req.id, method: req.method, url: scrub(req.url) }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
      customProps: (req) => ({ staffId: req.staff?.id }),
    }),
  );

  app.use(securityHeaders);
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  const attachments = deps.attachments ?? attachmentStoreFor(deps.config);
  app.get('/readyz', async (_req, res) => {
    const bucketReachable = attachments.reachable?.(3000);
    const checks = await Promise.all([
      deps.orm.em
        .fork()
        .getConnection()
        .execute('select 1')
        .then(() => ['postgres', 'ok'] as const, () => ['postgres', 'unreachable'] as const),
      // A deadline: an unreachable frontend must make this answer 503, not hang the probe.
      deps.temporal.connection
        .withDeadline(Date.now() + 3000, () => deps.temporal.connection.workflowService.getSystemInfo({}))
        .then(() => ['temporal', 'ok'] as const, () => ['temporal', 'unreachable'] as const),
    ]);
    const ready = checks.every(([, state]) => state === 'ok');
    if (!ready) res.setHeader('Retry-After', '5');
    // Not a reason to stop taking cases: what an operator should fix soon (a year's national calendar missing).
    const warnings = ready ? await readinessWarnings(deps.orm).catch(() => []) : [];
    // Reported, but not a condition of readiness: without the photo store a repair is still opened,
    // assigned and escalated on time, and taking the API out of rotation would stop all of that.
    const bucket = bucketReachable ? { attachments: (await bucketReachable) ? 'ok' : 'unreachable' } : {};
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not ready', checks: { ...Object.fromEntries(checks), ...bucket }, ...(warnings.length ? { warnings } : {}) });
  });

  const sessions = deps.sessions ?? createSessions(deps.orm, deps.config, deps.logger);
  const operations = apiOperations({ ...deps, sessions, attachments });
  const document = apiDocument(operations);
  app.get('/openapi.json', (_req, res) => {
    res.json(document);
  });
  app.get('/docs', (_req, res) => {
    res.type('html').send(docsPage(document));
  });

  // The Temporal UI calls the codec endpoint from its own origin, with the staff member's credentials:
  // those origins alone may (preflight included, which carries no credentials and is answered here).
  app.use(
    `${API_PREFIX}/codec`,
    cors({ origin: codecCorsOrigins(deps.config), credentials: true, methods: ['POST'], allowedHeaders: ['Content-Type', 'X-Namespace', 'Authorization'], maxAge: 600 }),
  );

  const api = Router();
  api.use(limitInFlight(deps.config.API_MAX_IN_FLIGHT));
  api.use(express.json({ limit: BODY_LIMIT, strict: true }));
  api.use(...sessions.middleware);
  api.use(temporalDeadline(deps.temporal));
  const badKeys = new BadKeyLimit({ perSecond: deps.config.RATE_LIMIT_BAD_KEYS_PER_SECOND, burst: deps.config.RATE_LIMIT_BAD_KEYS_BURST });
  const guards = [
    badKeys.guard,
    authenticate(deps.orm, (req) => badKeys.unknownKey(req), sessions),
    rateLimitPerKey({ perSecond: deps.config.RATE_LIMIT_PER_SECOND, burst: deps.config.RATE_LIMIT_BURST }),
  ];
  // A read-only POST (the codec's decode) takes a session without its CSRF token, and a limiter of its
  // own: the Temporal UI decodes a case's history event by event, a burst of requests per page it opens.
  const readOnlyGuards = [
    badKeys.guard,
    authenticate(deps.orm, (req) => badKeys.unknownKey(req), { checkCsrf: () => undefined }),
    rateLimitPerKey({ perSecond: deps.config.RATE_LIMIT_PER_SECOND * CODEC_RATE_FACTOR, burst: deps.config.RATE_LIMIT_BURST * CODEC_RATE_FACTOR }),
  ];
  // Only an operation that declares a text body (an iCalendar file) parses one, after authentication.
  const textParser = (mediaType: string) => express.text({ type: mediaType, limit: BODY_LIMIT });
  // An upload (an import file) is read whole into memory, after authentication; a few at a time per
  // process, so a burst of them cannot take the memory the in-flight cap × 64 kB bounds otherwise.
  const uploads = limitInFlight(UPLOADS_IN_FLIGHT);
  const uploadParser = (upload: { mediaTypes: string[]; limit: string }) => [uploads, express.raw({ type: upload.mediaTypes, limit: upload.limit })];
  // Cases are opened a few at a time per process, a burst waiting its turn here (api/overload.ts).
  // While deadlines fall due, fewer at a time (api/deadline-pressure.ts).
  const pressure = deadlinePressure({
    count: (now) => deadlinesNear(deps.orm.em.fork(), now, deps.config.API_DEADLINE_LOOKAHEAD_MS, DEADLINE_BEHIND_MS),
    freeCap: deps.config.API_MAX_OPENINGS,
    nearCap: deps.config.API_MAX_OPENINGS_NEAR_DEADLINES,
    onError: (error) => deps.logger.warn({ err: loggableError(error) }, 'counting the deadlines falling due failed; the cap on openings stays as it was'),
  });
  const openings = admitOpenings(pressure.cap, deps.config.API_OPENING_WAIT_MS);
  pressure.onChange(openings.recheck);
  // What the gate is doing, read at each scrape.
  const gauge = (name: string, help: string, read: () => number) =>
    new Gauge({
      name,
      help,
      registers: [metrics.registry],
      collect() {
        this.set(read());
      },
    });
  gauge('api_case_openings_cap', 'Cases this API process opens at once now: API_MAX_OPENINGS, or API_MAX_OPENINGS_NEAR_DEADLINES while deadlines fall due', pressure.current);
  gauge('api_deadlines_near', 'Open cases whose next deadline falls due around now, as this API process last counted (the cap on openings drops while any)', pressure.near);
  gauge('api_case_openings_waiting', 'Creates waiting their turn to open a case in this API process', openings.waiting);
  for (const op of operations) mount(api, op, op.readOnly ? readOnlyGuards : guards, textParser, uploadParser, openings);
  app.use(API_PREFIX, api);
  // The residents' survey page (/s/:token): HTML outside the staff API, limited per client address.
  mountSurveyPage(app, deps);
  // The resident's case page (/c/:token), and the staff console's files (/console).
  mountCasePage(app, deps);
  mountConsole(app, deps.config);

  app.use(notFoundRoute);
  app.use(problemHandler);
  return app;
}
