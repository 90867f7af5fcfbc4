/**
 * Builds the staff console (console/, a Vite + React + Ant Design single page) into dist/console
 * when its build is missing or older than its sources: `npm start` and the tests' global setup call
 * it, and the production image runs `npm run build:console`. The stamp is a digest of the sources
 * and the lockfile, so an unchanged console costs one directory walk.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

export const ROOT = resolve(__dirname, '..');
export const CONSOLE_SOURCE = join(ROOT, 'console');
export const CONSOLE_OUT = join(ROOT, 'dist', 'console');
const STAMP = join(CONSOLE_OUT, '.source-digest');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (name === 'node_modules' || name === 'generated') return [];
    return statSync(path).isDirectory() ? files(path) : [path];
  });
}

/** A digest of everything the bundle is made from. */
export function consoleDigest(): string {
  const hash = createHash('sha256');
  for (const file of [...files(CONSOLE_SOURCE), join(ROOT, 'package-lock.json')].sort()) {
    hash.update(relative(ROOT, file)).update('\0').update(readFileSync(file)).update('\0');
  }
  return hash.digest('hex');
}

export function consoleIsFresh(): boolean {
  return existsSync(join(CONSOLE_OUT, 'index.html')) && existsSync(STAMP) && readFileSync(STAMP, 'utf8') === consoleDigest();
}

/** Runs Vite in a child process (it is ESM and heavy; nothing of it stays in the caller). */
export async function buildConsole(onLog: (line: string) => void = () => undefined): Promise<void> {
  const digest = consoleDigest();
  const vite = join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js');
  if (!existsSync(vite)) throw new Error('cannot build the console: vite is not installed (npm install, with the dev dependencies)');
  const output: string[] = [];
  await new Promise<void>((resolvePromise, reject) => {
    const child = spawn(process.execPath, [vite, 'build', '--config', join(CONSOLE_SOURCE, 'vite.config.mts'), '--logLevel', 'warn'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    const keep = (chunk: Buffer) => {
      output.push(chunk.toString());
      onLog(chunk.toString());
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolvePromise() : reject(new Error(`the console build failed (vite exited ${code}):\n${output.join('').slice(-4000)}`))));
  });
  writeFileSync(STAMP, digest);
}

/** Builds the console unless its build is up to date; says in one line what it is doing. */
export async function ensureConsoleBuilt(say: (line: string) => void): Promise<'fresh' | 'built'> {
  if (consoleIsFresh()) return 'fresh';
  say('Building the staff console (Vite, into dist/console) because its build is missing or older than console/…');
  await buildConsole();
  return 'built';
}

if (require.main === module) {
  buildConsole((line) => process.stderr.write(line)).then(
    () => process.stdout.write(`console built into ${relative(process.cwd(), CONSOLE_OUT)}\n`),
    (error: Error) => {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    },
  );
}
