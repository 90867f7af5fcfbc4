/**
 * The resident's survey page in a real headless Chromium (Debian's chromium + playwright-core), on
 * a phone-sized screen: the link comes from a mail the SMTP server really received; the answer is
 * given by clicking labelled controls; the workflow gets it once. Expired, used and forged links get
 * a friendly page.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import type { Browser, Page } from 'playwright-core';
import { Property, SurveyInvitation, SurveyResponse, type ISurveyInvitation } from '../../db/entities';
import { DEFAULT_POLICY } from '../../domain/policy';
import { surveyViewQuery } from '../../workflows/survey-messages';
import type { surveyMonthlyRun } from '../../workflows/survey-run';
import { launchBrowser } from '../helpers/browser';
import { eventually, startTestStack, type TestStack } from '../helpers/stack';

let stack: TestStack;
let server: Server;
let base: string;
let browser: Browser;

beforeAll(async () => {
  stack = await startTestStack({ policy: DEFAULT_POLICY });
  server = stack.app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => server?.close(resolve));
  await stack?.close();
});

const as = (staffId: string) => ({ Authorization: `Bearer ${stack.keyOf(staffId)}` });

async function runMonth(month: string): Promise<ISurveyInvitation[]> {
  const res = await request(stack.app).post('/api/v1/survey-runs').set(as('S-SV1')).send({ month }).expect(202);
  await stack.client.workflow.getHandle<typeof surveyMonthlyRun>(res.body.workflowId).result();
  return eventually(async () => {
    const rows = await stack.orm.em.fork().find(SurveyInvitation, { month }, { orderBy: { id: 'asc' } });
    return rows.every((r) => r.status !== 'chosen') && rows;
  }, { timeoutMs: 120_000, what: `the invitations of ${month}` });
}

/** The personal link in the invitation mail the household received, pointed at this test's server. */
async function linkFor(invitation: ISurveyInvitation, purpose: '满意度调查】' | '满意度调查提醒】' = '满意度调查】'): Promise<{ url: string; path: string }> {
  const mail = await eventually(
    async () => stack.mails.find((m) => m.to.includes(`owner-${invitation.room}@demo.wuye.local`) && m.subject.includes(purpose) && m.subject.includes(invitation.month)),
    { what: `the mail to ${invitation.room}` },
  );
  const url = /https?:\/\/\S+\/s\/[A-Za-z0-9_-]+/.exec(mail.text)![0];
  const path = new URL(url).pathname;
  return { url, path };
}

async function phone(): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, locale: 'zh-CN' });
  return context.newPage();
}

let month1: ISurveyInvitation[];
let answeredPath: string;

describe('the survey page /s/:token', () => {
  it('S2: a resident opens the link from the invitation mail on a phone, answers by its labels, submits, sees the thank-you page, and the workflow has the answer', async () => {
    month1 = await runMonth('2026-07');
    const invitation = month1[0];
    const { url, path } = await linkFor(invitation);
    expect(url).toMatch(/\/s\/[A-Za-z0-9_-]{43}$/);
    answeredPath = path;

    const page = await phone();
    const response = await page.goto(`${base}${path}`);
    expect(response!.status()).toBe(200);
    expect(await page.getAttribute('html', 'lang')).toBe('zh-CN');
    await expect(page.locator('h1').textContent()).resolves.toBe('满意度调查');
    expect(await page.textContent('main')).toContain(invitation.room);
    // Real labels: every control is found by its accessible name.
    await page.getByLabel('4 · 满意').check();
    await page.getByLabel('意见和建议（选填）').fill('保安巡逻很认真');
    await page.screenshot({ path: '/tmp/survey-page-zh.png', fullPage: true });
    const [submitted] = await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: '提交' }).click()]);
    expect(submitted!.status()).toBe(200);
    expect(await page.locator('h1').textContent()).toBe('感谢您的反馈！');

    const view = await stack.client.workflow.getHandle(invitation.workflowId).query(surveyViewQuery);
    expect(view).toMatchObject({ status: 'answered', answer: { score: 4, comment: '保安巡逻很认真', method: 'link', recordedBy: 'resident' } });
    const stored = await stack.orm.em.fork().findOneOrFail(SurveyResponse, { surveyId: invitation.id });
    expect(stored).toMatchObject({ score: 4, method: 'link' });
    await page.context().close();
  });

  it('S2: a double submit is one answer, and the used link then shows a friendly page', async () => {
    const again = await request(stack.app).post(answeredPath).type('form').send({ score: '1', complaint: '再提交一次' });
    expect(again.status).toBe(410);
    expect(again.headers['content-type']).toMatch(/^text\/html/);
    expect(again.text).toContain('您已提交过');
    const page = await phone();
    const response = await page.goto(`${base}${answeredPath}`);
    expect(response!.status()).toBe(410);
    expect(await page.locator('h1').textContent()).toBe('您已提交过');
    await page.context().close();
    expect(await stack.orm.em.fork().count(SurveyResponse, { surveyId: month1[0].id })).toBe(1);
    expect((await stack.orm.em.fork().findOneOrFail(SurveyResponse, { surveyId: month1[0].id })).score).toBe(4);
  });

  it('S2: two submits at the same moment (a double tap) still make one answer', async () => {
    const invitation = month1[4];
    const { path } = await linkFor(invitation);
    const [a, b] = await Promise.all([
      request(stack.app).post(path).type('form').send({ score: '5' }),
      request(stack.app).post(path).type('form').send({ score: '3' }),
    ]);
    expect([a.status, b.status]).toContain(200);
    for (const res of [a, b]) expect([200, 410]).toContain(res.status);
    const stored = await eventually(async () => stack.orm.em.fork().find(SurveyResponse, { surveyId: invitation.id }), { what: 'the answer' });
    expect(stored).toHaveLength(1);
    const view = await stack.client.workflow.getHandle(invitation.workflowId).query(surveyViewQuery);
    expect(view.answer!.score).toBe(stored[0].score);
  });

  it('S1: a token cannot be replayed for another household: it stays bound to its own survey', async () => {
    const other = month1[1];
    const replay = await request(stack.app).post(answeredPath).type('form').send({ score: '5', surveyId: other.id, householdId: other.householdId });
    expect(replay.status).toBe(410);
    expect((await stack.orm.em.fork().findOneOrFail(SurveyInvitation, { id: other.id })).status).toBe('invited');
    expect(await stack.orm.em.fork().count(SurveyResponse, { surveyId: other.id })).toBe(0);
  });

  it('S6: a low score with a complaint through the English page opens a follow-up complaint for that household', async () => {
    const invitation = month1[2];
    const { path } = await linkFor(invitation);
    const page = await phone();
    await page.goto(`${base}${path}?lang=en`);
    expect(await page.getAttribute('html', 'lang')).toBe('en');
    await page.getByLabel('2 · Unhappy').check();
    await page.getByLabel(/A complaint/).fill('The lift has been broken for a week');
    await page.screenshot({ path: '/tmp/survey-page-en.png', fullPage: true });
    await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Submit' }).click()]);
    expect(await page.locator('h1').textContent()).toBe('Thank you for your feedback!');
    await page.context().close();
    const followUp = await eventually(async () => (await stack.orm.em.fork().findOneOrFail(SurveyInvitation, { id: invitation.id })).followUpCaseId, { what: 'the follow-up' });
    expect(followUp).toMatch(/^C/);
  });

  it('S2: a missing score re-shows the form with the error next to it; nothing is recorded', async () => {
    const invitation = month1[3];
    const { path } = await linkFor(invitation);
    const res = await request(stack.app).post(path).type('form').send({ comment: '没选分数' });
    expect(res.status).toBe(400);
    expect(res.text).toContain('role="alert"');
    expect(res.text).toContain('没选分数');
    // Text Postgres would refuse (a NUL byte) is refused at the edge, not retried forever behind it.
    const nul = await request(stack.app).post(path).type('form').send('score=5&comment=a%00b');
    expect(nul.status).toBe(400);
    expect(nul.text).toContain('role="alert"');
    expect(await stack.orm.em.fork().count(SurveyResponse, { surveyId: invitation.id })).toBe(0);
    expect((await stack.orm.em.fork().findOneOrFail(SurveyInvitation, { id: invitation.id })).status).toBe('invited');
  });

  it('S1: a forged or malformed link gets the friendly not-found page, never an error dump', async () => {
    const page = await phone();
    const forged = await page.goto(`${base}/s/${'A'.repeat(43)}`);
    expect(forged!.status()).toBe(404);
    expect(await page.locator('h1').textContent()).toBe('链接无效');
    await page.context().close();
    const odd = await request(stack.app).get('/s/..%2F..%2Fetc%2Fpasswd').expect(404);
    expect(odd.headers['content-type']).toMatch(/^text\/html/);
    const post = await request(stack.app).post(`/s/${'B'.repeat(43)}`).type('form').send({ score: '5' }).expect(404);
    expect(post.text).not.toMatch(/at .*\.ts:\d+/);
  });

  it('S1: an expired link shows the friendly page once the survey window closed', async () => {
    // This property's survey window is a few seconds from now on (its policy snapshot is taken at each survey's start).
    const em = stack.orm.em.fork();
    const property = await em.findOneOrFail(Property, { id: 'P001' });
    property.policy = { ...DEFAULT_POLICY, survey: { ...DEFAULT_POLICY.survey, windowMs: 6000, reminderBeforeMs: 3000 } } as never;
    await em.flush();
    const month2 = await runMonth('2026-08');
    const invitation = month2[0];
    const { path } = await linkFor(invitation);
    await eventually(async () => (await stack.orm.em.fork().findOneOrFail(SurveyInvitation, { id: invitation.id })).status === 'expired', { timeoutMs: 60_000, what: 'the window closed' });
    // The reminder went out before it closed.
    await linkFor(invitation, '满意度调查提醒】');
    const page = await phone();
    const response = await page.goto(`${base}${path}`);
    expect(response!.status()).toBe(410);
    expect(await page.locator('h1').textContent()).toBe('调查已结束');
    await page.screenshot({ path: '/tmp/survey-page-expired.png' });
    await page.context().close();
    await request(stack.app).post(path).type('form').send({ score: '5' }).expect(410);
    expect(await stack.orm.em.fork().count(SurveyResponse, { surveyId: invitation.id })).toBe(0);
  });

  it('the public page is limited per client address: a flood gets 429 with Retry-After, as HTML', async () => {
    const statuses: number[] = [];
    let limited: request.Response | undefined;
    for (let i = 0; i < 40 && !limited; i++) {
      const res = await request(stack.app).get(`/s/${'C'.repeat(43)}`);
      statuses.push(res.status);
      if (res.status === 429) limited = res;
    }
    expect(limited).toBeDefined();
    expect(limited!.headers['retry-after']).toMatch(/^\d+$/);
    expect(limited!.headers['content-type']).toMatch(/^text\/html/);
    expect(statuses.filter((s) => s === 404).length).toBeGreaterThanOrEqual(10);
  });
});
