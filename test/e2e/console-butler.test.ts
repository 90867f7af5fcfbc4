/**
 * The butler's page in a real Chromium on a 390×844 phone (docs/console.md "The butler's day"), for
 * what the night burst pipe's walk does not cross: a repair where nobody was home gets the new time
 * agreed with the customer (R6), and an open repair today's reason for the R12 reconciliation — and
 * another area's repair is not on the page. Screenshots and axe-core as in the walk.
 */
import { mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import type { Browser, Page } from 'playwright-core';
import { Case } from '../../db/entities';
import { launchBrowser } from '../helpers/browser';
import { check, givePassword, SHOTS, signIn } from '../helpers/console-pages';
import { assigneeOf, caseRow, report, repairAction, writtenEvents } from '../helpers/repairs';
import { startTestStack, type TestStack } from '../helpers/stack';

let stack: TestStack;
let server: Server;
let base: string;
let browser: Browser;

beforeAll(async () => {
  stack = await startTestStack();
  server = stack.app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  browser = await launchBrowser();
  mkdirSync(SHOTS, { recursive: true });
});
afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => server?.close(resolve));
  await stack?.close();
});

async function phone(): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: 'zh-CN', timezoneId: 'Asia/Shanghai', reducedMotion: 'reduce' });
  return context.newPage();
}

/** Tomorrow at 10:00 on the property's wall clock, as a datetime-local field takes it and as the instant it means. */
function tomorrowAtTen(): { field: string; instant: string } {
  const day = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(Date.now() + 24 * 3600_000));
  return { field: `${day}T10:00`, instant: new Date(`${day}T10:00:00+08:00`).toISOString() };
}

describe("the butler's page", () => {
  it("R6/R12: on a phone, the butler gives a not-at-home repair the new time agreed with the customer and records why an open repair is not finished today; another area's repair is not there", async () => {
    const notHome = await report(stack, { room: '1-2-702', description: '卫生间地漏堵塞' });
    const engineer = await assigneeOf(stack, notHome);
    await repairAction(stack, notHome, 'accept', engineer).expect(200);
    await repairAction(stack, notHome, 'customerNotHome', engineer, { note: '敲门无人应答' }).expect(200);
    const otherArea = await report(stack, { room: '3-1-502' });
    await caseRow(stack, notHome, (r) => r.status === 'awaiting_reschedule', 'not home');

    await givePassword(stack, 'S-BT1');
    const page = await phone();
    await signIn(page, base, 'S-BT1', /\/console\/butler$/);
    const row = page.getByTestId(`reschedule-${notHome}`);
    await row.waitFor();
    await page.getByTestId(`open-${notHome}`).getByText('今日未记录原因').waitFor();
    expect(await page.getByTestId(`open-${otherArea}`).count()).toBe(0);
    await check(page, '30-butler-not-home');

    // R6: the new time, agreed with the customer on the phone.
    const appointment = tomorrowAtTen();
    await row.getByRole('button', { name: `改约 ${notHome}` }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('预约上门时间').fill(appointment.field);
    await check(page, '31-butler-reschedule');
    await dialog.getByRole('button', { name: /提\s*交/ }).click();
    await row.waitFor({ state: 'detached' });
    const [rescheduled] = await writtenEvents(stack, notHome, 'reschedule');
    expect(rescheduled.payload).toMatchObject({ appointmentAt: appointment.instant, reached: true });
    await caseRow(stack, notHome, (r) => r.status === 'accepted', 'back with its engineer');

    // R12: today's reason, for the afternoon's reconciliation.
    await page.getByRole('button', { name: `记录未完成原因 ${notHome}` }).click();
    await page.getByRole('dialog').getByLabel('今日未完成原因').fill('客户明天上午在家，已约好上门');
    await page.getByRole('dialog').getByRole('button', { name: /提\s*交/ }).click();
    const line = page.getByTestId(`open-${notHome}`);
    await line.getByText('今日已记录原因').waitFor();
    await line.getByText('客户明天上午在家，已约好上门').waitFor();
    expect((await stack.orm.em.fork().findOneOrFail(Case, { id: notHome })).unfinishedReason).toBe('客户明天上午在家，已约好上门');
    await check(page, '32-butler-reason-recorded');

    // English, a tap away.
    await page.getByRole('button', { name: 'English' }).click();
    await line.getByText('Reason recorded today').waitFor();
    await check(page, '33-butler-english');
  }, 180_000);
});
