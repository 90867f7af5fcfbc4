/**
 * Prometheus metrics of the API: requests by method, route template and status, and their
 * duration. Labels are templates (`/api/v1/repairs/:caseId`), never concrete paths, so case numbers
 * do not become series; unmatched paths share one label. They are served at GET /metrics on a port
 * of their own (API_METRICS_PORT), not beside the API: the exposition has no login, and the API's
 * port is the one published to staff and residents.
 */
import express, { type Express, type RequestHandler } from 'express';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

export interface ApiMetrics {
  registry: Registry;
  /** First middleware: times every request and counts it when the response is finished. */
  observe: RequestHandler;
  /** The exposition, text format. */
  expose: RequestHandler;
}

export function createApiMetrics(): ApiMetrics {
  // One registry per app: tests build several apps in one process.
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const labelNames = ['method', 'route', 'status'] as const;
  const requests = new Counter({ name: 'http_requests_total', help: 'HTTP requests answered, by route template and status', labelNames, registers: [registry] });
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'Time to answer an HTTP request, by route template and status',
    labelNames,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  return {
    registry,
    observe: (req, res, next) => {
      const started = process.hrtime.bigint();
      res.once('finish', () => {
        const route = (res.locals.routeTemplate as string | undefined) ?? (req.route ? `${req.baseUrl}${String(req.route.path)}` : 'unmatched');
        const labels = { method: req.method, route, status: String(res.statusCode) };
        requests.inc(labels);
        duration.observe(labels, Number(process.hrtime.bigint() - started) / 1e9);
      });
      next();
    },
    expose: async (_req, res) => {
      res.type(registry.contentType).send(await registry.metrics());
    },
  };
}

/** The metrics port's whole app: GET /metrics, and 404 for anything else. */
export function metricsApp(metrics: ApiMetrics): Express {
  const app = express();
  app.disable('x-powered-by');
  app.get('/metrics', metrics.expose);
  return app;
}
