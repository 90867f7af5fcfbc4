/**
 * The supervisor's console is the real Temporal Web UI served by the dev server (docs/architecture.md §1):
 * headless Chromium filters this file's namespace by search attributes, opens the case it finds
 * and saves a screenshot of its page with the current details (no resident's name or phone).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { launchBrowser } from '../helpers/browser';
import { assigneeOf, repairAction, report, visible } from '../helpers/repairs';
import { startTestStack, type TestStack } from '../helpers/stack';

let stack: TestStack;
let browser: Browser;

beforeAll(async () => {
  stack = await startTestStack();
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

function uiUrl(): string {
  const url = process.env.TEST_TEMPORAL_UI_URL;
  if (!url) throw new Error('TEST_TEMPORAL_UI_URL is not set: run this test through jest (test/helpers/global-setup.ts)');
  return url;
}

describe('the Temporal Web UI as the supervisor console', () => {
  it('Temporal UI: filtering by CaseType and Severity finds the urgent repair, and its page shows the current details', async () => {
    const urgent = await report(stack, { room: '2-2-301', classification: 'urgent', tags: ['water'], contactName: '赵女士', contactPhone: '13700137000' });
    const general = await report(stack, { room: '2-2-302', classification: 'general' });
    const engineer = await assigneeOf(stack, urgent);
    expect((await repairAction(stack, urgent, 'accept', engineer)).status).toBe(200);
    const query = `CaseType = 'repair' AND Severity = 'urgent' AND CaseStatus = 'accepted'`;
    await visible(stack, `${query} AND WorkflowId = 'repair-${urgent}'`);
    await visible(stack, `WorkflowId = 'repair-${general}'`);

    const page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
    try {
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
      expect(rendered).not.toMatch(/赵女士|13700137000/);

      const dir = join(__dirname, '../../test-results');
      mkdirSync(dir, { recursive: true });
      const path = join(dir, `temporal-ui-repair-${urgent}.png`);
      await page.screenshot({ path, fullPage: true });
      process.stdout.write(`\n[temporal-ui] screenshot of repair-${urgent} with its current details: ${path}\n`);
    } finally {
      await page.close();
    }
  });
});
