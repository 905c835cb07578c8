import fs from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/** Debian's chromium package, or the binary named by CHROMIUM_PATH. Playwright's own browser download is not used. */
export const chromiumPath = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].find(
  (candidate): candidate is string => !!candidate && fs.existsSync(candidate),
);

/** Headless Chromium. Without the background-networking flags Chromium itself calls out to Google's hosts. */
export function launchChromium(): Promise<Browser> {
  if (!chromiumPath) throw new Error("No Chromium: install Debian's chromium package or set CHROMIUM_PATH");
  return chromium.launch({
    executablePath: chromiumPath,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}
