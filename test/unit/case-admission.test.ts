/**
 * Admission of case openings (api/overload.ts admitOpenings) on a real express app on 127.0.0.1:
 * at most `max` at once, the rest served first come first served, a waiter past its time answered
 * 503 + Retry-After without reaching the handler, and a caller who hangs up leaving the queue.
 */
import express from 'express';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { admitOpenings } from '../../api/overload';
import { problemHandler } from '../../api/problem';

let server: Server;
let url: string;
let gate: ReturnType<typeof admitOpenings>;
/** A second gate whose cap the test moves, as the deadline pressure does (api/deadline-pressure.ts). */
let varying: ReturnType<typeof admitOpenings>;
let capNow = 3;
/** Each admitted request waits here until the test lets it finish; `reached` lists who got in, in order. */
const held = new Map<string, () => void>();
const reached: string[] = [];

beforeAll(async () => {
  gate = admitOpenings(2, 400, 7);
  const app = express();
  varying = admitOpenings(() => capNow, 5000);
  const hold: express.RequestHandler = (req, res) => {
    const name = String(req.params.name);
    reached.push(name);
    held.set(name, () => res.status(201).json({ name }));
  };
  app.post('/open/:name', gate, hold);
  app.post('/vary/:name', varying, hold);
  app.use(problemHandler);
  await new Promise<void>((resolve) => {
    server = app.listen(0, '127.0.0.1', () => resolve());
  });
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(
  () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
);
beforeEach(() => {
  held.clear();
  reached.length = 0;
});

const until = async (probe: () => boolean) => {
  for (let i = 0; i < 200 && !probe(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(probe()).toBe(true);
};
const open = (name: string, signal?: AbortSignal, language = 'en') => fetch(`${url}/open/${name}`, { method: 'POST', signal, headers: { 'accept-language': language } });
const openVarying = (name: string) => fetch(`${url}/vary/${name}`, { method: 'POST' });

describe('case admission (api/overload.ts admitOpenings)', () => {
  it('opens at most two at once; the third waits and gets the first freed slot, in arrival order', async () => {
    const a = open('a');
    const b = open('b');
    await until(() => reached.length === 2);
    const c = open('c');
    await until(() => gate.waiting() === 1);
    const d = open('d');
    await until(() => gate.waiting() === 2);
    expect(reached).toEqual(['a', 'b']);
    held.get('b')!();
    expect((await b).status).toBe(201);
    await until(() => reached.length === 3);
    expect(reached[2]).toBe('c');
    expect(gate.opening()).toBe(2);
    for (const name of ['a', 'c']) held.get(name)!();
    await until(() => reached.length === 4);
    held.get('d')!();
    expect((await Promise.all([a, c, d])).map((r) => r.status)).toEqual([201, 201, 201]);
    await until(() => gate.opening() === 0);
  });

  it('a waiter not admitted within its time is answered 503 with Retry-After and never reaches the handler', async () => {
    const a = open('a');
    const b = open('b');
    await until(() => reached.length === 2);
    const late = await open('late');
    expect(late.status).toBe(503);
    expect(late.headers.get('retry-after')).toBe('7');
    const problem = (await late.json()) as { title: string; detail: string };
    expect(problem.title).toBe('Too many cases being opened');
    expect(problem.detail).toMatch(/nothing was recorded/);
    // The front desk reads it in Chinese: no English inside.
    const lateZh = await open('late-zh', undefined, 'zh-CN');
    expect(lateZh.status).toBe(503);
    const zh = (await lateZh.json()) as { title: string; detail: string };
    expect(zh.title).toBe('受理排队已满');
    expect(zh.detail).toMatch(/未登记任何内容/);
    expect(zh.detail).not.toMatch(/[A-Za-z]/);
    expect(reached).toEqual(['a', 'b']);
    expect(gate.waiting()).toBe(0);
    for (const name of ['a', 'b']) held.get(name)!();
    await Promise.all([a, b]);
    await until(() => gate.opening() === 0);
  });

  it('a caller who hangs up while waiting gives up its place to the next', async () => {
    const a = open('a');
    const b = open('b');
    await until(() => reached.length === 2);
    const abort = new AbortController();
    const gone = open('gone', abort.signal).catch(() => 'aborted');
    await until(() => gate.waiting() === 1);
    const next = open('next');
    await until(() => gate.waiting() === 2);
    abort.abort();
    expect(await gone).toBe('aborted');
    await until(() => gate.waiting() === 1);
    held.get('a')!();
    await until(() => reached.length === 3);
    expect(reached[2]).toBe('next');
    for (const name of ['b', 'next']) held.get(name)!();
    await Promise.all([a, b, next]);
    await until(() => gate.opening() === 0);
  });

  it('a cap that drops (deadlines falling due) admits no one until the openings in progress are below it; one that rises admits the waiters at once, in order', async () => {
    capNow = 3;
    const first = ['a', 'b', 'c'].map(openVarying);
    await until(() => reached.length === 3);
    capNow = 1;
    const d = openVarying('d');
    await until(() => varying.waiting() === 1);
    // Two of three finish: one is still opening, and the cap is one — d still waits, none interrupted.
    held.get('a')!();
    held.get('b')!();
    await until(() => varying.opening() === 1);
    expect(reached).toEqual(['a', 'b', 'c']);
    expect(varying.waiting()).toBe(1);
    held.get('c')!();
    await until(() => reached.length === 4);
    expect(reached[3]).toBe('d');
    const later = ['e', 'f', 'g'].map(openVarying);
    await until(() => varying.waiting() === 3);
    // The deadlines are past: the cap rises, and the longest waiters go in at once.
    capNow = 3;
    varying.recheck();
    await until(() => reached.length === 6);
    expect(reached.slice(4)).toEqual(['e', 'f']);
    expect(varying.waiting()).toBe(1);
    for (const name of ['d', 'e', 'f']) held.get(name)!();
    await until(() => reached.length === 7);
    held.get('g')!();
    expect((await Promise.all([...first, d, ...later])).map((r) => r.status)).toEqual(Array(7).fill(201));
    await until(() => varying.opening() === 0);
  });
});
