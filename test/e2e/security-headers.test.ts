/**
 * The HTTP edge: security headers on the API and /docs (whose one inline script still runs under
 * the policy, in a real Chromium), a per-address limit on unknown API keys that answers before any
 * key is looked up, and TRUST_PROXY deciding whose X-Forwarded-For names the client.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import request from 'supertest';
import type { Browser } from 'playwright-core';
import { buildApp } from '../../api/app';
import type { Config } from '../../config';
import { as } from '../helpers/repairs';
import { launchBrowser } from '../helpers/browser';
import { startTestStack, type TestStack } from '../helpers/stack';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => stack?.close());

const forged = { Authorization: 'Bearer wy_not-a-key-anyone-was-given-00000000' };
const appWith = (overrides: Partial<Config>) => buildApp({ orm: stack.orm, temporal: stack.client, config: { ...stack.config, ...overrides }, logger: pino({ level: 'silent' }) });

describe('the HTTP edge', () => {
  it('every answer carries the security headers; the policy forbids framing and any script but /docs’ own', async () => {
    for (const [path, headers] of [['/api/v1/repairs', as(stack, 'S-SV1')], ['/api/v1/repairs', {}], ['/docs', {}], ['/openapi.json', {}], ['/nowhere', {}]] as const) {
      const res = await request(stack.app).get(path).set(headers);
      expect({ path, status: res.status, nosniff: res.headers['x-content-type-options'] }).toEqual({ path, status: res.status, nosniff: 'nosniff' });
      expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
      expect(res.headers['content-security-policy']).toMatch(/script-src 'self' 'sha256-[A-Za-z0-9+/]+=*'/);
      expect(res.headers['content-security-policy']).not.toContain('upgrade-insecure-requests');
      expect(res.headers['strict-transport-security']).toMatch(/max-age=\d+/);
      expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
      expect(res.headers['cross-origin-opener-policy']).toBe('same-origin');
      expect(res.headers['referrer-policy']).toBe('no-referrer');
      expect(res.headers['x-powered-by']).toBeUndefined();
    }
    // The survey page keeps its stricter policy: no script at all.
    const survey = await request(stack.app).get(`/s/${'A'.repeat(43)}`).expect(404);
    expect(survey.headers['content-security-policy']).toBe("default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'");
  });

  it('the /docs page still sends a request with the key typed in: its script runs under the policy', async () => {
    const server: Server = stack.app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    let browser: Browser | undefined;
    try {
      browser = await launchBrowser();
      const page = await browser.newPage();
      const violations: string[] = [];
      page.on('console', (message) => {
        if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
      });
      await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/docs`);
      await page.fill('#key', stack.keyOf('S-SV1'));
      const form = page.locator('form[data-method="get"][data-path="/api/v1/repairs"]');
      await page.locator('details', { has: form }).locator('summary').click();
      await form.locator('button').click();
      await form.locator('.out').filter({ hasText: /^\d{3} / }).waitFor({ timeout: 10_000 });
      expect(await form.locator('.out').textContent()).toMatch(/^200 OK\n\{"items":/);
      expect(violations).toEqual([]);
    } finally {
      await browser?.close();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('an address that sends too many unknown keys is answered 429 before any lookup, whatever key it sends next; other addresses are not held back', async () => {
    const app = appWith({ RATE_LIMIT_BAD_KEYS_PER_SECOND: 0.5, RATE_LIMIT_BAD_KEYS_BURST: 3 });
    const from = (address: string) => ({ 'X-Forwarded-For': address });
    for (let i = 0; i < 3; i++) await request(app).get('/api/v1/repairs').set(forged).set(from('203.0.113.7')).expect(401);
    const limited = await request(app).get('/api/v1/repairs').set(forged).set(from('203.0.113.7')).expect(429);
    expect(limited.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(limited.headers['retry-after']).toBe('2');
    expect(limited.body).toMatchObject({ status: 429, title: '请求过于频繁', type: expect.stringMatching(/too-many-requests$/) });
    // Refused before the lookup: a valid key from that address waits too.
    await request(app).get('/api/v1/repairs').set(as(stack, 'S-SV1')).set(from('203.0.113.7')).expect(429);
    // Valid keys cost nothing, and another address has its own budget.
    for (let i = 0; i < 5; i++) await request(app).get('/api/v1/repairs').set(as(stack, 'S-SV1')).set(from('203.0.113.8')).expect(200);
    await request(app).get('/api/v1/repairs').set(forged).set(from('203.0.113.8')).expect(401);
    // No key at all is not a lookup, and is not counted.
    for (let i = 0; i < 5; i++) await request(app).get('/api/v1/repairs').set(from('203.0.113.9')).expect(401);
    await request(app).get('/api/v1/repairs').set(as(stack, 'S-SV1')).set(from('203.0.113.9')).expect(200);
  });

  it('TRUST_PROXY decides whose X-Forwarded-For is believed: with none trusted, a client cannot pick a fresh address', async () => {
    const app = appWith({ TRUST_PROXY: false, RATE_LIMIT_BAD_KEYS_PER_SECOND: 0.5, RATE_LIMIT_BAD_KEYS_BURST: 2 });
    await request(app).get('/api/v1/repairs').set(forged).set('X-Forwarded-For', '198.51.100.1').expect(401);
    await request(app).get('/api/v1/repairs').set(forged).set('X-Forwarded-For', '198.51.100.2').expect(401);
    await request(app).get('/api/v1/repairs').set(forged).set('X-Forwarded-For', '198.51.100.3').expect(429);
  });
});
