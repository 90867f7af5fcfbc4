/**
 * The supervisor's console is the real Temporal Web UI served by the dev server (docs/architecture.md §1),
 * its payloads sealed (docs/personal-data.md): the suite's dev server decodes through the codec
 * endpoint of an API on TEST_CODEC_PORT, which this file's stack listens on. Headless Chromium, as a
 * supervisor signed in to the staff console, filters this file's namespace by search attributes, opens
 * the case it finds and reads its decoded input and current details; a browser without a sign-in sees
 * the same page sealed. Screenshots of both are saved under test-results/.
 */
import { mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { issuePasswordToken, setPassword } from '../../db/credentials';
import { launchBrowser } from '../helpers/browser';
import { assigneeOf, repairAction, report, visible } from '../helpers/repairs';
import { startTestStack, type TestStack } from '../helpers/stack';

const PASSWORD = 'supervisor console password';
const SHOTS = join(__dirname, '../../test-results');

let stack: TestStack;
let browser: Browser;
let server: Server;
let api: string;
const contexts: BrowserContext[] = [];

function env(name: 'TEST_TEMPORAL_UI_URL' | 'TEST_CODEC_PORT'): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run this test through jest (test/helpers/global-setup.ts)`);
  return value;
}
const uiUrl = () => env('TEST_TEMPORAL_UI_URL');

beforeAll(async () => {
  // The UI's origin may call the codec endpoint with the browser's session.
  stack = await startTestStack({ env: { CODEC_CORS_ORIGINS: uiUrl(), PUBLIC_BASE_URL: `http://127.0.0.1:${env('TEST_CODEC_PORT')}` } });
  server = stack.app.listen(Number(env('TEST_CODEC_PORT')), '127.0.0.1');
  await new Promise((resolve, reject) => server.once('listening', resolve).once('error', reject));
  api = `http://127.0.0.1:${env('TEST_CODEC_PORT')}`;
  browser = await launchBrowser();
  mkdirSync(SHOTS, { recursive: true });
});
afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => undefined);
  await browser?.close();
  await new Promise((resolve) => server?.close(resolve));
  await stack?.close();
});

/**
 * A browser whose Temporal UI sends its cookies to the codec endpoint: the UI's own codec setting
 * ("include cross-origin credentials"), which the dev server's CLI cannot set — each supervisor ticks
 * it once and the UI keeps it in local storage (docs/personal-data.md). Set here as the UI stores it.
 */
async function browserWithCodecCredentials(): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 1000 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  contexts.push(context);
  const endpoint = `${api}/api/v1/codec`;
  const settings = { endpoint, includeCredentials: true, passAccessToken: false, overrideRemoteCodecConfiguration: true };
  // A script for the page (the browser's localStorage, not Node's): only the UI's origin gets the settings.
  await context.addInitScript(`if (location.origin === ${JSON.stringify(new URL(uiUrl()).origin)}) {
    for (const [key, value] of Object.entries(${JSON.stringify(settings)})) localStorage.setItem(key, JSON.stringify(value));
  }`);
  return context.newPage();
}

async function signIn(page: Page, staffId: string): Promise<void> {
  const em = stack.orm.em.fork();
  const { token } = await issuePasswordToken(em, { id: staffId, propertyId: stack.seed.propertyId }, 'created', 'test');
  await setPassword(em, token, PASSWORD);
  await page.goto(`${api}/console/sign-in`);
  await page.getByLabel('工号').fill(staffId);
  await page.getByLabel('密码').fill(PASSWORD);
  await page.getByRole('button', { name: /登\s*录/ }).click();
  await page.waitForURL((url) => !url.pathname.endsWith('/sign-in'));
}

const shoot = async (page: Page, name: string) => {
  const path = join(SHOTS, name);
  await page.screenshot({ path, fullPage: true });
  process.stdout.write(`\n[temporal-ui] ${path}\n`);
};

describe('the Temporal Web UI as the supervisor console', () => {
  let urgent: string;
  let engineer: string;

  it('Temporal UI: a signed-in supervisor filters by CaseType and Severity, finds the urgent repair, and its page shows the decoded input and current details', async () => {
    urgent = await report(stack, { room: '2-2-301', classification: 'urgent', tags: ['water'], contactName: '赵女士', contactPhone: '13700137000', description: '卫生间天花板渗水' });
    const general = await report(stack, { room: '2-2-302', classification: 'general' });
    engineer = await assigneeOf(stack, urgent);
    expect((await repairAction(stack, urgent, 'accept', engineer)).status).toBe(200);
    const query = `CaseType = 'repair' AND Severity = 'urgent' AND CaseStatus = 'accepted'`;
    await visible(stack, `${query} AND WorkflowId = 'repair-${urgent}'`);
    await visible(stack, `WorkflowId = 'repair-${general}'`);

    const page = await browserWithCodecCredentials();
    await signIn(page, 'S-SV1');
    await page.goto(`${uiUrl()}/namespaces/${stack.config.TEMPORAL_NAMESPACE}/workflows`);
    // Both cases are listed before filtering…
    await page.getByRole('link', { name: `repair-${general}` }).waitFor();
    // …then the supervisor types the query into the UI's filter box.
    await page.getByTestId('toggle-manual-query').click();
    await page.getByTestId('manual-search-input').fill(query);
    await page.getByTestId('manual-search-button').click();
    await page.getByRole('link', { name: `repair-${general}` }).waitFor({ state: 'detached' });
    const found = page.getByRole('link', { name: `repair-${urgent}` });
    await found.waitFor();

    await found.click();
    await page.waitForURL(new RegExp(`/workflows/repair-${urgent}/`));
    // The Input: the case as the front desk took it in, decoded through the codec endpoint.
    await page.getByText('卫生间天花板渗水').first().waitFor();
    await page.getByText('13700137000').first().waitFor();
    await shoot(page, `temporal-ui-repair-${urgent}-input-decoded.png`);

    // The case page's User Metadata tab: the static summary, and the current details markdown the
    // UI renders in a sandboxed frame — the case header, what is due next, the last action and who took it.
    await page.getByText('User Metadata', { exact: true }).click();
    await page.frameLocator('iframe').first().getByText(`${urgent} · room 2-2-301 · urgent`).waitFor();
    // Summary and details are each rendered from markdown in an iframe; the details are the one with "Due next".
    const details = page.frameLocator('iframe[src*="Due%20next"]');
    await details.getByText(`${urgent} · repair · urgent`).waitFor();
    await details.getByText('Due next').waitFor();
    const rendered = await details.locator('body').innerText();
    expect(rendered).toMatch(new RegExp(`Assignee: ${engineer}`));
    expect(rendered).toMatch(new RegExp(`Last action: accept by ${engineer}`));
    // The details themselves name no resident: they are what a list shows at a glance.
    expect(rendered).not.toMatch(/赵女士|13700137000/);
    await shoot(page, `temporal-ui-repair-${urgent}.png`);
  });

  it('Temporal UI: without a sign-in the same case page shows its input sealed — no name, phone or description', async () => {
    expect(urgent).toBeDefined();
    const page = await browserWithCodecCredentials();
    await page.goto(`${uiUrl()}/namespaces/${stack.config.TEMPORAL_NAMESPACE}/workflows/repair-${urgent}`);
    await page.getByText(`repair-${urgent}`).first().waitFor();
    // The codec endpoint answered 401, and the UI says so above the page…
    await page.locator('#content').getByText('Codec Server could not connect').waitFor();
    // …and shows the payload as it is: metadata and data in base64, the encoding `binary/encrypted`.
    await page.getByText(`"${Buffer.from('binary/encrypted').toString('base64')}"`).first().waitFor();
    const text = await page.locator('body').innerText();
    expect(text).not.toMatch(/赵女士|13700137000|卫生间天花板渗水/);
    await shoot(page, `temporal-ui-repair-${urgent}-sealed.png`);
  });
});
