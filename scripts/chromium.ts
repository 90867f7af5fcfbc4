/**
 * Finds or installs the Chromium the browser tests drive (playwright-core), the way the Temporal CLI
 * is provisioned (scripts/temporal-cli.ts): CHROMIUM_PATH → a system Chromium → the package manager
 * when running as root (Debian's chromium, with fonts-noto-cjk so Chinese screenshots are not boxes)
 * → Playwright's own browser download for users with internet. It says in one line what it does.
 * Run directly, it provisions Chromium and prints its path.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const SYSTEM_CHROMIUMS = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable'];

const found = () => SYSTEM_CHROMIUMS.find((path) => existsSync(path));

const hasCjkFont = () => {
  const result = spawnSync('fc-list', [':lang=zh', 'family'], { encoding: 'utf8' });
  return result.status === 0 ? result.stdout.trim().length > 0 : true; // no fontconfig to ask: nothing to do about it here
};

const isRoot = () => typeof process.getuid === 'function' && process.getuid() === 0;
const hasAptGet = () => spawnSync('sh', ['-c', 'command -v apt-get'], { stdio: 'ignore' }).status === 0;

function aptInstall(packages: string[], say: (line: string) => void): boolean {
  say(`Chromium for the browser tests: installing ${packages.join(' ')} with apt-get (running as root)…`);
  const install = () => spawnSync('apt-get', ['install', '-y', '--no-install-recommends', ...packages], { stdio: 'ignore', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } }).status === 0;
  if (install()) return true;
  spawnSync('apt-get', ['update'], { stdio: 'ignore' });
  return install();
}

/** The Chromium executable to launch, provisioning one when none is there. */
export function provisionChromium(say: (line: string) => void = (line) => process.stderr.write(`${line}\n`)): string {
  const configured = process.env.CHROMIUM_PATH;
  if (configured) {
    if (!existsSync(configured)) throw new Error(`CHROMIUM_PATH=${configured} does not exist`);
    return configured;
  }
  const system = found();
  if (system) {
    if (!hasCjkFont() && isRoot() && hasAptGet()) aptInstall(['fonts-noto-cjk'], say);
    return system;
  }
  if (isRoot() && hasAptGet() && aptInstall(['chromium', 'fonts-noto-cjk'], say)) {
    const installed = found();
    if (installed) return installed;
  }
  say("Chromium for the browser tests: downloading Playwright's Chromium (npx playwright-core install chromium)…");
  const cli = join(__dirname, '..', 'node_modules', 'playwright-core', 'cli.js');
  const download = spawnSync(process.execPath, [cli, 'install', 'chromium'], { stdio: 'ignore' });
  if (download.status === 0) {
    const path = execFileSync(process.execPath, ['-e', "process.stdout.write(require('playwright-core').chromium.executablePath())"], { encoding: 'utf8' });
    if (path && existsSync(path)) return path;
  }
  throw new Error(
    `no Chromium for the browser tests: none at ${SYSTEM_CHROMIUMS.join(', ')}, no apt-get as root, and Playwright's download failed. Install Chromium (Debian: apt-get install chromium fonts-noto-cjk) or set CHROMIUM_PATH`,
  );
}

if (require.main === module) {
  try {
    process.stdout.write(`${provisionChromium()}\n`);
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exit(1);
  }
}
