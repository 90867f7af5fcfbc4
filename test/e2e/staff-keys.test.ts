/**
 * A manager creates staff and issues and revokes their API keys; a key is shown once and only its
 * hash is stored; `npm run staff` does the same for the first manager of a deployment. hr and audit
 * are granted only by their own holders (or the command line), and every staff, role and key change
 * — and every refused grant — is in the administrative audit log that managers and audit read.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import request from 'supertest';
import { LAST_USED_RESOLUTION_MS } from '../../api/auth';
import { hashApiKey } from '../../db/secrets';
import { purgeExpiredIdempotency } from '../../api/idempotency';
import { AdminAuditEvent, IdempotentRequest, Staff } from '../../db/entities';
import { createStaff, issueKey } from '../../db/staff-admin';
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
const auditOf = (subject: string) => stack.orm.em.fork().find(AdminAuditEvent, { subject }, { orderBy: { id: 'asc' } });
/** The command line's way in, as `npm run staff` uses it. */
const commandLine = { kind: 'cli', osUser: 'test' } as const;

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
    expect((await auditOf('S-MG9')).map((e) => [e.actorId, e.action, e.detail.via])).toEqual([
      ['cli', 'staff.create', 'npm run staff'],
      ['cli', 'staff.key.issue', 'npm run staff'],
      ['cli', 'staff.key.revoke', 'npm run staff'],
    ]);
    await expect(run('issue-key', 'S-NOBODY')).rejects.toMatchObject({ code: 2 });
  });

  it('C2: a manager cannot grant hr or audit, nor issue a key to a holder of either (403), and each attempt is audited', async () => {
    const hr = { id: 'S-HR7', name: '人力 新', email: 's-hr7@demo.wuye.local', roles: ['hr'], areaIds: [] };
    const refused = await request(stack.app).post('/api/v1/staff').set(as(stack, 'S-MG1')).set('Idempotency-Key', 'staff-hr7-0001').send(hr).expect(403);
    expect(refused.headers['content-type']).toMatch(/problem\+json/);
    expect(refused.body).toMatchObject({ status: 403, refusedRoles: ['hr'] });
    await request(stack.app).post('/api/v1/staff').set(as(stack, 'S-MG1')).send({ ...hr, id: 'S-AU7', roles: ['frontdesk', 'audit'] }).expect(403);
    expect(await stack.orm.em.fork().count(Staff, { id: { $in: ['S-HR7', 'S-AU7'] } })).toBe(0);

    // The seeded hr and audit holders already exist: the manager may not give them a key either.
    const hrKey = (await staffRow('S-HR1')).apiKeyHash;
    await request(stack.app).post('/api/v1/staff/S-HR1/keys').set(as(stack, 'S-MG1')).expect(403);
    await request(stack.app).post('/api/v1/staff/S-AU1/keys').set(as(stack, 'S-MG1')).expect(403);
    expect((await staffRow('S-HR1')).apiKeyHash).toBe(hrKey);
    await request(stack.app).get('/api/v1/complaints').set(as(stack, 'S-HR1')).expect(200); // their key is untouched

    expect((await auditOf('S-HR7')).map((e) => [e.actorId, e.action, e.detail])).toEqual([['S-MG1', 'staff.create.denied', { roles: ['hr'], refused: ['hr'] }]]);
    expect((await auditOf('S-AU7')).map((e) => [e.action, e.detail])).toEqual([['staff.create.denied', { roles: ['frontdesk', 'audit'], refused: ['audit'] }]]);
    expect((await auditOf('S-HR1')).map((e) => [e.actorId, e.action, e.detail])).toEqual([['S-MG1', 'staff.key.issue.denied', { roles: ['hr'], refused: ['hr'] }]]);
    expect((await auditOf('S-AU1')).map((e) => e.action)).toEqual(['staff.key.issue.denied']);
  });

  it('C2: hr and audit are granted only by a holder of that role, or from the command line', async () => {
    // A manager who is also hr (the command line made them and gave them their key) may grant hr…
    await createStaff(stack.orm.em.fork(), stack.seed.propertyId, { id: 'S-MH1', name: '经理 兼人力', email: 's-mh1@demo.wuye.local', roles: ['manager', 'hr'], areaIds: [] }, commandLine);
    await request(stack.app).post('/api/v1/staff/S-MH1/keys').set(as(stack, 'S-MG1')).expect(403);
    const issued = await issueKey(stack.orm.em.fork(), stack.seed.propertyId, 'S-MH1', commandLine);
    const managerHr = bearer('apiKey' in issued ? issued.apiKey : '');
    const hr = { id: 'S-HR8', name: '人力 八', email: 's-hr8@demo.wuye.local', roles: ['hr'], areaIds: [] };
    await request(stack.app).post('/api/v1/staff').set(managerHr).send(hr).expect(201);
    const hrKey = (await request(stack.app).post('/api/v1/staff/S-HR8/keys').set(managerHr).expect(201)).body.apiKey as string;
    await request(stack.app).get('/api/v1/complaints').set(bearer(hrKey)).expect(200);
    // …but not audit, which they do not hold.
    await request(stack.app).post('/api/v1/staff').set(managerHr).send({ ...hr, id: 'S-AU8', roles: ['audit'] }).expect(403);
    // Revoking takes access away: any manager may cut off an hr holder's key.
    await request(stack.app).delete('/api/v1/staff/S-HR8/keys').set(as(stack, 'S-MG1')).expect(204);
    await request(stack.app).get('/api/v1/complaints').set(bearer(hrKey)).expect(401);

    expect((await auditOf('S-HR8')).map((e) => [e.actorId, e.action])).toEqual([
      ['S-MH1', 'staff.create'],
      // The new member's one-time link to set a console password (docs/console.md).
      ['S-MH1', 'credential.link'],
      ['S-MH1', 'staff.key.issue'],
      ['S-MG1', 'staff.key.revoke'],
    ]);
    expect((await auditOf('S-MH1')).map((e) => [e.actorId, e.action, e.detail.via, e.detail.osUser])).toEqual([
      ['cli', 'staff.create', 'npm run staff', 'test'],
      ['S-MG1', 'staff.key.issue.denied', undefined, undefined],
      ['cli', 'staff.key.issue', 'npm run staff', 'test'],
    ]);
    expect((await auditOf('S-AU8')).map((e) => [e.actorId, e.action, e.detail.refused])).toEqual([['S-MH1', 'staff.create.denied', ['audit']]]);
  });

  it('every staff and key change is in the administrative audit log, which managers and audit read (never a key)', async () => {
    const newcomer = { id: 'S-FD8', name: '前台 八', email: 's-fd8@demo.wuye.local', roles: ['frontdesk'], areaIds: [] };
    await request(stack.app).post('/api/v1/staff').set(as(stack, 'S-MG1')).send(newcomer).expect(201);
    const key = (await request(stack.app).post('/api/v1/staff/S-FD8/keys').set(as(stack, 'S-MG1')).expect(201)).body.apiKey as string;
    await request(stack.app).delete('/api/v1/staff/S-FD8/keys').set(as(stack, 'S-MG1')).expect(204);

    const page = await request(stack.app).get('/api/v1/admin-audit?action=staff.&limit=3').set(as(stack, 'S-AU1')).expect(200);
    expect(page.body.items.map((e: { action: string; subject: string }) => [e.action, e.subject])).toEqual([
      ['staff.key.revoke', 'S-FD8'],
      ['staff.key.issue', 'S-FD8'],
      ['staff.create', 'S-FD8'],
    ]);
    expect(page.body.items[2]).toMatchObject({ actorId: 'S-MG1', propertyId: stack.seed.propertyId, detail: { roles: ['frontdesk'], areaIds: [], name: '前台 八' } });
    expect(Date.now() - Date.parse(page.body.items[0].at)).toBeLessThan(60_000);
    expect(page.body.nextCursor).toEqual(expect.any(String));
    const next = await request(stack.app).get(`/api/v1/admin-audit?action=staff.&limit=100&cursor=${page.body.nextCursor}`).set(as(stack, 'S-MG1')).expect(200);
    expect(next.body.items.length).toBeGreaterThan(0);
    expect(next.body.items.every((e: { id: string }) => BigInt(e.id) < BigInt(page.body.items[2].id))).toBe(true);
    expect(next.body.items.map((e: { action: string }) => e.action)).toContain('staff.create.denied');

    const onlyDenied = await request(stack.app).get('/api/v1/admin-audit?action=staff.key.issue.denied').set(as(stack, 'S-MG1')).expect(200);
    expect(new Set(onlyDenied.body.items.map((e: { action: string }) => e.action))).toEqual(new Set(['staff.key.issue.denied']));

    const everything = JSON.stringify((await request(stack.app).get('/api/v1/admin-audit?limit=100').set(as(stack, 'S-MG1')).expect(200)).body);
    expect(everything).not.toContain(key);
    expect(everything).not.toContain(hashApiKey(key));
    for (const other of ['S-SV1', 'S-HR1', 'S-FD1', 'S-BT1']) await request(stack.app).get('/api/v1/admin-audit').set(as(stack, other)).expect(403);
    await request(stack.app).get('/api/v1/admin-audit?action=Staff%').set(as(stack, 'S-MG1')).expect(400);
  });

  it('an idempotency record expires after IDEMPOTENCY_TTL_DAYS: the key then starts a new request, and the purge deletes expired records', async () => {
    const em = stack.orm.em.fork();
    const key = 'staff-expiry-0001';
    const first = { id: 'S-EX1', name: '前台 甲', email: 's-ex1@demo.wuye.local', roles: ['frontdesk'], areaIds: [] };
    await request(stack.app).post('/api/v1/staff').set(as(stack, 'S-MG1')).set('Idempotency-Key', key).send(first).expect(201);
    await request(stack.app).post('/api/v1/staff').set(as(stack, 'S-MG1')).set('Idempotency-Key', key).send({ ...first, id: 'S-EX2' }).expect(422);
    const ttlDays = stack.config.IDEMPOTENCY_TTL_DAYS;
    expect(ttlDays).toBe(7);
    const daysAgo = (days: number) => new Date(Date.now() - days * 86_400_000);
    await em.nativeUpdate(IdempotentRequest, { staffId: 'S-MG1', key }, { createdAt: daysAgo(ttlDays + 0.01) });
    const again = await request(stack.app).post('/api/v1/staff').set(as(stack, 'S-MG1')).set('Idempotency-Key', key).send({ ...first, id: 'S-EX2' }).expect(201);
    expect(again.headers['idempotent-replayed']).toBeUndefined();
    expect((await em.fork().findOneOrFail(IdempotentRequest, { staffId: 'S-MG1', key })).resourceId).toBe('S-EX2');

    // The purge: two records past their time go, a fresh one stays.
    const record = (k: string, createdAt: Date) => ({ staffId: 'S-MG1', key: k, requestHash: 'x'.repeat(64), resourceId: null, statusCode: 201, response: null, createdAt });
    await em.insertMany(IdempotentRequest, [record('old-0000001', daysAgo(30)), record('old-0000002', daysAgo(ttlDays + 1)), record('new-0000001', daysAgo(ttlDays - 1))]);
    expect(await purgeExpiredIdempotency(em.fork(), ttlDays, new Date(), 1)).toBe(2);
    const left = (await em.fork().find(IdempotentRequest, { key: { $in: ['old-0000001', 'old-0000002', 'new-0000001'] } })).map((r) => r.key);
    expect(left).toEqual(['new-0000001']);
  });
});
