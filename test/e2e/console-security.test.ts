/**
 * The console's security on the real stack (docs/console.md): nothing works without a session or a
 * key; a session's unsafe request without its CSRF token is refused; repeated wrong passwords lock
 * the account; an engineer cannot open another engineer's work order nor its customer's data; an
 * upload that is not an image, or too big, is refused and stores nothing; a resident's link shows
 * one case and no staff member's personal data.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import sharp from 'sharp';
import { CaseAttachment, CaseLinkToken, HttpSession } from '../../db/entities';
import { caseLinkHash, issueCaseLink } from '../../db/case-links';
import { issuePasswordToken, LOCKOUT_AFTER_FAILURES, setPassword } from '../../db/credentials';
import { assigneeOf, report } from '../helpers/repairs';
import { eventually, startTestStack, type TestStack } from '../helpers/stack';

let stack: TestStack;
const PASSWORD = 'correct horse battery';

beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => stack?.close());

async function givePassword(staffId: string, password = PASSWORD): Promise<void> {
  const em = stack.orm.em.fork();
  const { token } = await issuePasswordToken(em, { id: staffId, propertyId: stack.seed.propertyId }, 'created', 'test');
  expect(await setPassword(em, token, password)).toEqual({ staffId });
}

/** A browser-like client: its cookies, and the CSRF token its session was given. */
async function signedIn(staffId: string, password = PASSWORD) {
  const agent = request.agent(stack.app);
  const pre = await agent.get('/api/v1/session').expect(200);
  const signed = await agent.post('/api/v1/session').set('x-csrf-token', pre.body.csrfToken).send({ staffId, password });
  expect(signed.status).toBe(200);
  return { agent, csrf: signed.body.csrfToken as string, answer: signed };
}

const png = (width: number, height: number) => sharp({ create: { width, height, channels: 3, background: { r: 200, g: 80, b: 40 } } }).png().toBuffer();

describe('console sign-in and sessions', () => {
  it('no page data or API call without a session or a key: the console page itself is only the app shell', async () => {
    for (const path of ['/api/v1/work-orders', '/api/v1/board/at-risk', '/api/v1/repairs', '/api/v1/open-cases?room=1-1-301']) {
      const res = await request(stack.app).get(path);
      expect({ path, status: res.status }).toEqual({ path, status: 401 });
    }
    // A key's caller asking for a console session is told it has none — not a 500 (the fuzz run found one).
    const keyed = await request(stack.app).get('/api/v1/session').set('Authorization', `Bearer ${stack.keyOf('S-FD1')}`).set('Accept-Language', 'en');
    expect({ status: keyed.status, detail: keyed.body.detail }).toEqual({ status: 400, detail: 'a request with an API key has no console session; sessions are for the browser console' });
    const shell = await request(stack.app).get('/console/orders/R20261205-0001');
    expect([200, 503]).toContain(shell.status);
    expect(shell.text).not.toMatch(/R20261205-0001|13\d{9}/);
  });

  it('a password set from the one-time link signs in; the session is in Postgres behind an httpOnly SameSite=Strict cookie; sign-in is audited', async () => {
    const manager = { Authorization: `Bearer ${stack.keyOf('S-MG1')}` };
    await request(stack.app).post('/api/v1/staff/S-FD1/password-link').set(manager).expect(202);
    const mail = await eventually(async () => stack.mails.find((m) => m.to.includes('s-fd1@demo.wuye.local') && m.subject.includes('S-FD1')), { what: 'password link mail' });
    const token = /set-password#([A-Za-z0-9_-]+)/.exec(mail.text)![1];

    const agent = request.agent(stack.app);
    const pre = await agent.get('/api/v1/session').expect(200);
    expect(pre.body.staff).toBeNull();
    // The link works once, and only with the pre-session's CSRF token.
    await agent.post('/api/v1/session/password').send({ token, password: PASSWORD }).expect(403);
    await agent.post('/api/v1/session/password').set('x-csrf-token', pre.body.csrfToken).send({ token, password: 'short' }).expect(400);
    await agent.post('/api/v1/session/password').set('x-csrf-token', pre.body.csrfToken).send({ token, password: PASSWORD }).expect(204);
    await agent.post('/api/v1/session/password').set('x-csrf-token', pre.body.csrfToken).send({ token, password: PASSWORD }).expect(410);

    await agent.post('/api/v1/session').send({ staffId: 'S-FD1', password: PASSWORD }).expect(403);
    const signed = await agent.post('/api/v1/session').set('x-csrf-token', pre.body.csrfToken).send({ staffId: 'S-FD1', password: PASSWORD }).expect(200);
    expect(signed.body.staff).toMatchObject({ id: 'S-FD1', roles: ['frontdesk'] });
    const cookie = ([] as string[]).concat(signed.headers['set-cookie'] ?? []).find((c) => c.startsWith('wy.sid='))!;
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Strict/i);
    expect(await stack.orm.em.fork().count(HttpSession, {})).toBeGreaterThan(0);
    // The session works like a key for reads…
    expect((await agent.get('/api/v1/households?room=1-1-301')).status).toBe(200);
    const audit = await stack.orm.em.getConnection().execute<{ action: string }[]>(`select action from admin_audit_event where subject = 'S-FD1' order by id`);
    expect(audit.map((a) => a.action)).toEqual(expect.arrayContaining(['credential.link', 'credential.set', 'session.sign-in']));

    // …and signing out ends it.
    await agent.delete('/api/v1/session').set('x-csrf-token', signed.body.csrfToken).expect(204);
    expect((await agent.get('/api/v1/households?room=1-1-301')).status).toBe(401);
  });

  it('CSRF: an unsafe request with the session cookie but without its token is refused and changes nothing; a key needs none', async () => {
    await givePassword('S-FD1');
    const { agent, csrf } = await signedIn('S-FD1');
    const body = { room: '2-1-201', contactName: '周先生', contactPhone: '13600136000', channel: 'phone', description: '卫生间漏水', classification: 'general' };
    const before = await stack.orm.em.getConnection().execute<{ n: string }[]>(`select count(*) as n from service_case where kind = 'repair'`);
    const forged = await agent.post('/api/v1/repairs').send(body);
    expect(forged.status).toBe(403);
    expect(forged.body.title).toMatch(/防伪令牌/);
    expect(forged.body.type).toMatch(/csrf-token-missing-or-invalid$/);
    await agent.post('/api/v1/repairs').set('x-csrf-token', 'not-the-token').send(body).expect(403);
    const after = await stack.orm.em.getConnection().execute<{ n: string }[]>(`select count(*) as n from service_case where kind = 'repair'`);
    expect(after[0].n).toBe(before[0].n);
    await agent.post('/api/v1/repairs').set('x-csrf-token', csrf).send(body).expect(201);
    await request(stack.app).post('/api/v1/repairs').set('Authorization', `Bearer ${stack.keyOf('S-FD1')}`).send(body).expect(201);
  });

  it(`lockout: ${LOCKOUT_AFTER_FAILURES} wrong passwords in a row lock the account — then even the right one is refused — and every attempt is audited`, async () => {
    await givePassword('S-CC1');
    const agent = request.agent(stack.app);
    const { body } = await agent.get('/api/v1/session').expect(200);
    const attempt = (password: string) => agent.post('/api/v1/session').set('x-csrf-token', body.csrfToken).send({ staffId: 'S-CC1', password });
    for (let i = 1; i < LOCKOUT_AFTER_FAILURES; i++) expect((await attempt('wrong password')).status).toBe(401);
    expect((await attempt('wrong password')).status).toBe(423);
    const locked = await attempt(PASSWORD);
    expect(locked.status).toBe(423);
    expect(locked.body.detail).toMatch(/请 \d+ 分钟后再试/);
    // An unknown staff number is answered like a wrong password.
    expect((await agent.post('/api/v1/session').set('x-csrf-token', body.csrfToken).send({ staffId: 'S-NOBODY', password: 'whatever' })).status).toBe(401);
    const audit = await stack.orm.em.getConnection().execute<{ action: string; detail: { reason: string } }[]>(`select action, detail from admin_audit_event where subject = 'S-CC1' and action like 'session.%' order by id`);
    expect(audit.map((a) => a.detail.reason)).toEqual([...Array(LOCKOUT_AFTER_FAILURES).fill('wrong-password'), 'locked']);
    // A new password from a link unlocks it.
    await givePassword('S-CC1', 'another long password');
    await signedIn('S-CC1', 'another long password');
  });
});

describe("an engineer's work orders", () => {
  let caseId: string;
  let mine: string;
  let other: string;
  beforeAll(async () => {
    caseId = await report(stack, { room: '1-2-401', classification: 'urgent', tags: ['water'], contactName: '吴女士', contactPhone: '13512345678' });
    mine = await assigneeOf(stack, caseId);
    other = mine === 'S-EN1' ? 'S-EN2' : 'S-EN1';
    await givePassword(mine);
    await givePassword(other);
  });

  it("another engineer cannot open the order, its photos or its customer's phone; its own engineer can", async () => {
    const own = await signedIn(mine);
    const order = await own.agent.get(`/api/v1/work-orders/${caseId}`).expect(200);
    expect(order.body.contactPhone).toBe('13512345678');
    expect((await own.agent.get('/api/v1/work-orders').expect(200)).body.items.map((i: { caseId: string }) => i.caseId)).toContain(caseId);

    const stranger = await signedIn(other);
    for (const path of [`/api/v1/work-orders/${caseId}`, `/api/v1/repairs/${caseId}`]) {
      const res = await stranger.agent.get(path);
      expect({ path, status: res.status }).toEqual({ path, status: 404 });
      expect(JSON.stringify(res.body)).not.toContain('13512345678');
    }
    expect((await stranger.agent.get('/api/v1/work-orders').expect(200)).body.items.map((i: { caseId: string }) => i.caseId)).not.toContain(caseId);
    // Asking the list for someone else's orders still lists only one's own.
    const listed = await stranger.agent.get(`/api/v1/repairs?assigneeId=${mine}`).expect(200);
    expect(listed.body.items.map((i: { caseId: string }) => i.caseId)).not.toContain(caseId);
    const photo = await stranger.agent.post(`/api/v1/repairs/${caseId}/photos?stage=before`).set('x-csrf-token', stranger.csrf).set('Content-Type', 'image/png').send(await png(40, 30));
    expect(photo.status).toBe(404);
    expect((await stranger.agent.post(`/api/v1/repairs/${caseId}/accept`).set('x-csrf-token', stranger.csrf).send({})).status).toBe(404);
    const household = await stranger.agent.get(`/api/v1/households/${stack.seed.propertyId}-1-2-401`).expect(200);
    expect(household.body.personalData).toBe('masked');
  });

  it('an upload that is not an image, or too big, or of another type, is refused and stores nothing; a real photo is stored once however often it is sent', async () => {
    const { agent, csrf } = await signedIn(mine);
    const dir = join(stack.config.ATTACHMENTS_DIR!, caseId);
    const upload = (body: Buffer, type: string, stage = 'before') => agent.post(`/api/v1/repairs/${caseId}/photos?stage=${stage}`).set('x-csrf-token', csrf).set('Content-Type', type).send(body);

    const lying = await upload(Buffer.from('#!/bin/sh\necho this is not a picture\n'), 'image/jpeg');
    expect(lying.status).toBe(422);
    expect(lying.headers['content-type']).toMatch(/problem\+json/);
    expect((await upload(Buffer.alloc(11 * 1024 * 1024, 1), 'image/jpeg')).status).toBe(413);
    expect((await upload(Buffer.from('%PDF-1.7'), 'application/pdf')).status).toBe(415);
    expect(await stack.orm.em.fork().count(CaseAttachment, { caseId })).toBe(0);
    expect(existsSync(dir) ? readdirSync(dir) : []).toEqual([]);

    const photo = await png(1200, 900);
    const first = await upload(photo, 'image/png');
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ kind: 'before', mediaType: 'image/jpeg', width: 1200, height: 900 });
    const retry = await upload(photo, 'image/png');
    expect(retry.status).toBe(200);
    expect(retry.body.id).toBe(first.body.id);
    expect(await stack.orm.em.fork().count(CaseAttachment, { caseId })).toBe(1);
    expect(readdirSync(dir)).toHaveLength(1);
    const image = await agent.get(first.body.url).expect(200);
    expect(image.headers['content-type']).toBe('image/jpeg');
    // A signature is a PNG and nothing else.
    expect((await agent.post(`/api/v1/repairs/${caseId}/signature`).set('x-csrf-token', csrf).set('Content-Type', 'image/png').send(await sharp(photo).jpeg().toBuffer())).status).toBe(422);
  });
});

describe("the resident's case link", () => {
  it('opens one case and shows no staff personal data; a wrong or expired link gets a friendly page', async () => {
    const caseId = await report(stack, { room: '4-1-1001', contactName: '郑先生', contactPhone: '13711112222' });
    const otherCase = await report(stack, { room: '4-1-1002' });
    const engineer = await assigneeOf(stack, caseId);
    // The household is mailed its personal link at the dispatch.
    const mail = await eventually(async () => stack.mails.find((m) => m.to.includes('owner-4-1-1001@demo.wuye.local') && m.subject.includes(caseId)), { what: 'resident mail' });
    const path = /\/c\/[A-Za-z0-9_-]{43}/.exec(mail.text)![0];
    expect(await stack.orm.em.fork().count(CaseLinkToken, { tokenHash: caseLinkHash(path.slice(3)) })).toBe(1);

    const page = await request(stack.app).get(path).expect(200);
    expect(page.headers['content-security-policy']).toContain("default-src 'none'");
    expect(page.text).toContain(caseId);
    expect(page.text).not.toContain(otherCase);
    const staff = await stack.orm.em.getConnection().execute<{ id: string; name: string; email: string }[]>('select id, name, email from staff');
    for (const s of staff) {
      expect(page.text).not.toContain(s.id);
      expect(page.text).not.toContain(s.name);
      expect(page.text).not.toContain(s.email);
    }
    expect(page.text).not.toContain(engineer);

    expect((await request(stack.app).get('/c/not-a-token')).status).toBe(404);
    const unknown = await request(stack.app).get(`/c/${'A'.repeat(43)}`);
    expect(unknown.status).toBe(404);
    expect(unknown.text).toContain('链接无效');
    const expired = await issueCaseLink(stack.orm, caseId, new Date(Date.now() - 61 * 24 * 3_600_000));
    const gone = await request(stack.app).get(`/c/${expired}`);
    expect(gone.status).toBe(410);
    expect(gone.text).toContain('链接已过期');
  });
});
