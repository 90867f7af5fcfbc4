/**
 * The layers hold: each `no-restricted-imports` rule of eslint.config.mjs fails a deliberately wrong
 * import and lets a right one through (docs/architecture.md, "Layers").
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '../..');

/**
 * ESLint's flat config is an ES module, which jest's CommonJS runtime cannot import; the probes are
 * linted together in one child Node process instead, only the layer rule switched on.
 */
const LINT = `
import { ESLint } from 'eslint';
const cases = JSON.parse(await new Promise((ok) => { let s = ''; process.stdin.on('data', (d) => (s += d)); process.stdin.on('end', () => ok(s)); }));
const eslint = new ESLint({
  cwd: process.cwd(),
  ruleFilter: ({ ruleId }) => ruleId === 'no-restricted-imports' || ruleId === 'no-restricted-syntax',
  overrideConfig: { languageOptions: { parserOptions: { projectService: false, project: null } } },
});
const out = [];
for (const [file, source] of cases) {
  const [result] = await eslint.lintText(source + '\\nexport const probe = 1;\\n', { filePath: file });
  out.push(result.messages.map((m) => m.ruleId ?? 'parse: ' + m.message));
}
process.stdout.write(JSON.stringify(out));
`;

function lintAll(cases: ReadonlyArray<readonly [string, string]>): string[][] {
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', LINT], {
    cwd: ROOT,
    input: JSON.stringify(cases.map(([file, source]) => [join(ROOT, file), source])),
    encoding: 'utf8',
    timeout: 120_000,
  });
  if (run.status !== 0) throw new Error(`eslint child failed (${run.status}): ${run.stderr}`);
  return JSON.parse(run.stdout) as string[][];
}

const REFUSED: Array<[string, string, string]> = [
  ['domain/__probe.ts', "import { openOrm } from '../db/orm';", 'domain imports nothing with I/O'],
  ['domain/__probe.ts', "import { readFileSync } from 'node:fs';", 'domain uses no Node built-in'],
  ['domain/__probe.ts', "import { REPAIR_ACTIONS } from '../workflows/messages';", 'domain does not reach up into workflows'],
  ['db/__probe.ts', "import { authenticate } from '../api/auth';", 'db never imports api'],
  ['db/__probe.ts', "import { startDevServer } from '../scripts/dev-server';", 'db never imports scripts'],
  ['db/__probe.ts', "import { createActivities } from '../activities';", 'db never imports activities'],
  ['workflows/__probe.ts', "import { createActivities } from '../activities';", 'workflows take only types from activities'],
  ['workflows/__probe.ts', "import { Client } from '@temporalio/client';", 'workflows import no I/O package'],
  ['api/routes/__probe.ts', "import { loadStaffResults } from '../../activities/reports';", 'api does not call activity implementations'],
  ['activities/__probe.ts', "import { buildApp } from '../api/app';", 'activities never import the API'],
];

/** Who may call an operation is named from domain/access.ts, never listed in a route. */
const ACCESS_REFUSED: Array<[string, string, string]> = [
  ['api/routes/__probe.ts', "import { operation } from '../contract';\noperation({ roles: ['manager'] });", 'an operation listing its roles'],
  ['api/routes/__probe.ts', "export const REPORT_ROLES = ['manager'];", 'a route keeping its own role constant'],
  ['api/routes/__probe.ts', "const APPRAISERS = ['supervisor', 'manager'] as const;\nexport { APPRAISERS };", 'a role list under any name'],
];

const ALLOWED: Array<[string, string]> = [
  ['domain/__probe.ts', "import { z } from 'zod';"],
  ['db/__probe.ts', "import { DEFAULT_POLICY } from '../domain/policy';"],
  ['workflows/__probe.ts', "import type { Activities } from '../activities';"],
  ['api/routes/__probe.ts', "import type { ActivityDeps } from '../../activities/deps';"],
  ['api/routes/__probe.ts', "import { loadStaffResults } from '../../db/reports';"],
  ['api/routes/__probe.ts', "import { operation } from '../contract';\nimport { ACCESS } from '../../domain/access';\noperation({ roles: ACCESS.imports.run });"],
];

describe('the layers of docs/architecture.md, as lint rules', () => {
  let refused: string[][];
  let accessRefused: string[][];
  let allowed: string[][];
  beforeAll(() => {
    const results = lintAll([...[...REFUSED, ...ACCESS_REFUSED].map(([file, source]) => [file, source] as const), ...ALLOWED]);
    refused = results.slice(0, REFUSED.length);
    accessRefused = results.slice(REFUSED.length, REFUSED.length + ACCESS_REFUSED.length);
    allowed = results.slice(REFUSED.length + ACCESS_REFUSED.length);
  }, 180_000);

  it.each(ACCESS_REFUSED.map((c, i) => [...c, i] as const))('%s: %s is refused (%s)', (_file, _source, _why, i) => {
    expect(accessRefused[i]).toEqual(['no-restricted-syntax']);
  });

  it.each(REFUSED.map((c, i) => [...c, i] as const))('%s: %s is refused (%s)', (_file, _source, _why, i) => {
    expect(refused[i]).toEqual(['no-restricted-imports']);
  });

  it.each(ALLOWED.map((c, i) => [...c, i] as const))('%s: %s is allowed', (_file, _source, i) => {
    expect(allowed[i]).toEqual([]);
  });
});
