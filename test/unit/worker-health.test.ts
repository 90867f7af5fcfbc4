import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serveWorkerHealth } from '../../worker';

/**
 * The worker process's GET /healthz (compose's healthcheck, the production-shaped stack): it says
 * what the Temporal worker's state is, and only RUNNING is healthy. The worker is a stand-in with
 * the state; the HTTP server is the real one.
 */
describe('worker health endpoint', () => {
  let state = 'INITIALIZED';
  let server: Server;
  let base: string;
  beforeAll(async () => {
    server = await serveWorkerHealth({ getState: () => state as never }, 0, '127.0.0.1');
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it.each([
    ['INITIALIZED', 503],
    ['RUNNING', 200],
    ['DRAINING', 503],
    ['STOPPING', 503],
    ['STOPPED', 503],
    ['FAILED', 503],
  ])('GET /healthz while the worker is %s answers %i with the state', async (current, status) => {
    state = current;
    const res = await fetch(`${base}/healthz`);
    expect(res.status).toBe(status);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(await res.json()).toEqual({ state: current });
  });

  it('anything else is 404', async () => {
    expect((await fetch(`${base}/metrics`)).status).toBe(404);
    expect((await fetch(`${base}/healthz`, { method: 'POST' })).status).toBe(404);
  });
});
