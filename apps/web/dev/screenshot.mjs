// Development only: screenshots a running dashboard at mobile and desktop sizes (light + dark) and reports
// horizontal overflow.   node apps/web/dev/screenshot.mjs http://127.0.0.1:4300/ /tmp/shots [path...]
import { mkdir } from 'node:fs/promises';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './chromium.mjs';

const [base = 'http://127.0.0.1:4300/', outDir = '/tmp/shots', ...paths] = process.argv.slice(2);
const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
await mkdir(outDir, { recursive: true });
try {
  for (const path of paths.length ? paths : ['']) {
    for (const [name, viewport] of [
      ['mobile', { width: 390, height: 844 }],
      ['narrow', { width: 360, height: 740 }],
      ['desktop', { width: 1280, height: 800 }],
    ]) {
      for (const colorScheme of ['light', 'dark']) {
        const page = await browser.newPage({ viewport, colorScheme });
        const errors = [];
        page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
        await page.goto(new URL(path, base).href);
        await page.waitForSelector('app-service-card, app-service-detail-page h1', { timeout: 10_000 });
        await page.waitForTimeout(800);
        const overflow = await page.evaluate(
          () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
        );
        const file = `${outDir}/${(path || 'home').replace(/\W+/g, '_')}-${name}-${colorScheme}.png`;
        await page.screenshot({ path: file, fullPage: true });
        await page.screenshot({ path: file.replace('.png', '-top.png') });
        console.log(file, 'overflow', overflow, errors.length ? errors : '');
        await page.close();
      }
    }
  }
} finally {
  await browser.close();
}
