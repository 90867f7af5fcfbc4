/** Steps the console's browser tests share: a password for a staff member, signing in, and each page's screenshot and axe-core check. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { issuePasswordToken, setPassword } from '../../db/credentials';
import type { TestStack } from './stack';

export const PASSWORD = 'night shift password';
/** Screenshots of every page the tests open (gitignored), for a person to read. */
export const SHOTS = join(__dirname, '../../test-results/console');
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/** A screenshot for the artifacts, and no serious or critical axe-core violation on the page as it is. */
export async function check(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
  await page.evaluate(axeSource);
  const result = (await page.evaluate(`axe.run(document, { resultTypes: ['violations'] })`)) as { violations: { id: string; impact: string; nodes: { target: string[] }[] }[] };
  const serious = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(' | ')}`);
  expect({ page: name, serious }).toEqual({ page: name, serious: [] });
}

/** The password a staff member would set from their mailed link. */
export async function givePassword(stack: TestStack, staffId: string): Promise<void> {
  const em = stack.orm.em.fork();
  const { token } = await issuePasswordToken(em, { id: staffId, propertyId: stack.seed.propertyId }, 'created', 'test');
  await setPassword(em, token, PASSWORD);
}

export async function signIn(page: Page, base: string, staffId: string, land: RegExp): Promise<void> {
  await page.goto(`${base}/console/sign-in`);
  await page.getByLabel('工号').fill(staffId);
  await page.getByLabel('密码').fill(PASSWORD);
  await page.getByRole('button', { name: /登\s*录/ }).click();
  await page.waitForURL(land);
}
