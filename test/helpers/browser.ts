import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { chromium, type Browser } from 'playwright-core';

/**
 * Headless Chromium for browser tests: Debian's `chromium` driven by playwright-core (whose own
 * browser download does not work offline). Without a Chromium the browser tests are skipped
 * with a message, except under CI=true, where a missing browser fails the run.
 */

/** Flags that work as root in containers, with nothing reaching out to the network. */
export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** The Chromium executable: CHROMIUM_PATH, else `chromium` (or `chromium-browser`) on the PATH. */
export function chromiumPath(): string | null {
  // Tests may read the environment (config.ts is the only reader inside src/).
  const given = process.env.CHROMIUM_PATH;
  if (given) return fs.existsSync(given) ? given : null;
  for (const name of ['chromium', 'chromium-browser']) {
    try {
      const found = execFileSync('which', [name], { encoding: 'utf8' }).trim();
      if (found) return found;
    } catch {
      // not on the PATH
    }
  }
  return null;
}

/**
 * `describe` when Chromium is there, `describe.skip` with a console message when it is not, and
 * a failing test under CI=true (CI must run every browser test).
 */
export function describeWithBrowser(name: string, body: () => void): void {
  if (chromiumPath()) {
    describe(name, body);
    return;
  }
  if (process.env.CI === 'true') {
    describe(name, () => {
      it('needs Chromium (CI=true: browser tests may not be skipped)', () => {
        throw new Error('No Chromium found: install Debian\'s chromium package (apt-get install -y chromium) or set CHROMIUM_PATH');
      });
    });
    return;
  }
  console.warn(`Skipping "${name}": no Chromium found (apt-get install -y chromium, or set CHROMIUM_PATH).`);
  describe.skip(name, body);
}

/** A fresh headless Chromium (playwright gives every launch its own throw-away profile). */
export async function launchBrowser(): Promise<Browser> {
  const executablePath = chromiumPath();
  if (!executablePath) throw new Error('No Chromium found');
  return chromium.launch({ executablePath, args: CHROMIUM_FLAGS, headless: true });
}

/** Where screenshots go (git-ignored); created on first use. */
export function artifactPath(name: string): string {
  const dir = path.resolve(__dirname, '..', '..', 'artifacts');
  fs.mkdirSync(dir, { recursive: true });
  return path.join(dir, name);
}
