/**
 * A manager creates staff and issues and revokes their API keys; a key is shown once and only its
 * hash is stored; `npm run staff` does the same for the first manager of a deployment.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import request from 'supertest';
import { hashApiKey, LAST_USED_RESOLUTION_MS } from '../../api/auth';
import { Staff } from '../../db/entities';
import { as } from '../helpers/repairs';
import { startTestStack, type TestStack } from '../helpers/stack';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => stack?.close());

const newButler = { id: 'S-BT7', name: '管家 何芸', email: 's-bt7@demo.wuye.local', roles: ['butler'], areaIds: ['A2'] };
const bearer = (key: string) => ({ Authorization: `Bearer ${key}` });
const staffRow = (id: string) => stack.orm.em.fork().findOneOrFail(Staff, { id });

describe('staff and their API keys', () => {
  it('a manager adds a staff member, issues a key that works, replaces it, and revokes it', async () => {
    const created = await request(stack.app).post('/api/v1/staff').set(as(stack, 'S-MG1')).set('Idempotency-Key', 'staff-bt7-0001').send(newButler).expect(201);
    expect(created.body).toMatchObject({ id: 'S-BT7', roles: ['butler'], areaIds: ['A2'], apiKey: { state: 'none', lastUsedAt: null } });
    const replay = await request(stack.app).post('/api/v1/staff').set(as(stack, 'S-MG1')).set('Idempotency-Key', 'staff-bt7-0001').send(newButler).expect(201);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    await request(stack.app).post('/api/v1/staff').set(as(stack, 'S-MG1')).send(newButler).expect(409);
    await request(stack.app).post('/api/v1/staff').set(as(stack, 'S-MG1')).send({ ...newButler, id: 'S-BT8', areaIds: ['A9'] }).expect(422);
    await request(stack.app).post('/api/v1/staff').set(as(stack, 'S-SV1')).send({ ...newButler, id: 'S-BT9' }).expect(403);

    const first = await request(stack.app).post('/api/v1/staff/S-BT7/keys').set(as(stack, 'S-MG1')).expect(201);
    expect(first.headers['cache-control']).toBe('no-store');
    const key1 = first.body.apiKey as string;
    expect(key1).toMatch(/^wy_/);
    expect((await staffRow('S-BT7')).apiKeyHash).toBe(hashApiKey(key1));
    await request(stack.app).get('/api/v1/repairs').set(bearer(key1)).expect(200);

    const key2 = (await request(stack.app).post('/api/v1/staff/S-BT7/keys').set(as(stack, 'S-MG1')).expect(201)).body.apiKey as string;
    expect(key2).not.toBe(key1);
    await request(stack.app).get('/api/v1/repairs').set(bearer(key1)).expect(401);
    await request(stack.app).get('/api/v1/repairs').set(bearer(key2)).expect(200);

    await request(stack.app).delete('/api/v1/staff/S-BT7/keys').set(as(stack, 'S-MG1')).expect(204);
    const revoked = await request(stack.app).get('/api/v1/repairs').set(bearer(key2)).expect(401);
    expect(revoked.headers['content-type']).toMatch(/problem\+json/);
    await request(stack.app).delete('/api/v1/staff/S-NOBODY/keys').set(as(stack, 'S-MG1')).expect(404);
    await request(stack.app).post('/api/v1/staff/S-NOBODY/keys').set(as(stack, 'S-MG1')).expect(404);
  });

  it('the staff list shows roles, areas and key state to managers and supervisors, never a key or a hash', async () => {
    const list = await request(stack.app).get('/api/v1/staff').set(as(stack, 'S-SV1')).expect(200);
    expect(list.body.items.map((s: { id: string }) => s.id)).toEqual(expect.arrayContaining(['S-FD1', 'S-BT1', 'S-MG1']));
    const text = JSON.stringify(list.body);
    for (const s of stack.seed.staff) {
      expect(text).not.toContain(s.apiKey);
      expect(text).not.toContain(hashApiKey(s.apiKey));
    }
    expect(text).not.toMatch(/hash/i);
    const butlers = await request(stack.app).get('/api/v1/staff?role=butler&limit=1').set(as(stack, 'S-MG1')).expect(200);
    expect(butlers.body.items).toEqual([expect.objectContaining({ id: 'S-BT1', roles: ['butler'] })]);
    const next = await request(stack.app).get(`/api/v1/staff?role=butler&limit=1&cursor=${butlers.body.nextCursor}`).set(as(stack, 'S-MG1')).expect(200);
    expect(next.body.items).toEqual([expect.objectContaining({ id: 'S-BT2' })]);
    await request(stack.app).get('/api/v1/staff').set(as(stack, 'S-BT1')).expect(403);
  });

  it('a busy key records its last use at most once a minute, not on every request', async () => {
    const em = stack.orm.em.fork();
    await em.nativeUpdate(Staff, { id: 'S-CC1' }, { apiKeyLastUsedAt: null });
    await request(stack.app).get('/api/v1/repairs').set(as(stack, 'S-CC1')).expect(200);
    const firstUse = (await staffRow('S-CC1')).apiKeyLastUsedAt!;
    expect(Date.now() - firstUse.getTime()).toBeLessThan(10_000);
    await request(stack.app).get('/api/v1/repairs').set(as(stack, 'S-CC1')).expect(200);
    expect((await staffRow('S-CC1')).apiKeyLastUsedAt).toEqual(firstUse);

    const aWhileAgo = new Date(Date.now() - LAST_USED_RESOLUTION_MS - 1000);
    await em.nativeUpdate(Staff, { id: 'S-CC1' }, { apiKeyLastUsedAt: aWhileAgo });
    await request(stack.app).get('/api/v1/repairs').set(as(stack, 'S-CC1')).expect(200);
    expect((await staffRow('S-CC1')).apiKeyLastUsedAt!.getTime()).toBeGreaterThan(aWhileAgo.getTime() + 1000);
  });

  it('npm run staff bootstraps a manager whose key then works on the API', async () => {
    const run = (...args: string[]) =>
      promisify(execFile)(join(__dirname, '../../node_modules/.bin/tsx'), [join(__dirname, '../../scripts/staff.ts'), ...args], {
        env: { ...process.env, DATABASE_URL: stack.config.DATABASE_URL },
      });
    const created = await run('create', '--id', 'S-MG9', '--name', '经理 新', '--email', 's-mg9@example.com', '--roles', 'manager');
    expect(created.stdout).toContain('created S-MG9');
    const issued = await run('issue-key', 'S-MG9');
    const key = issued.stdout.trim().split('\n').at(-1)!;
    expect(key).toMatch(/^wy_/);
    await request(stack.app).get('/api/v1/staff').set(bearer(key)).expect(200);
    expect((await run('list')).stdout).toMatch(/S-MG9\s+manager\s+key active/);
    await run('revoke', 'S-MG9');
    await request(stack.app).get('/api/v1/staff').set(bearer(key)).expect(401);
    await expect(run('issue-key', 'S-NOBODY')).rejects.toMatchObject({ code: 2 });
  });
});
