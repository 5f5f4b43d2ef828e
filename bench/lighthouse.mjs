// Lighthouse benchmark of the built dashboard (lighthouse 12.2.3, offline, Debian Chromium).
//
//   npm run build:web && npm run lighthouse                 # serves dist/web/browser with a canned API
//   npm run lighthouse -- --url http://127.0.0.1:3000/      # an already running page (e.g. `npm start`)
//   npm run lighthouse -- --preset desktop --runs 3         # median of 3 runs, desktop emulation
//   npm run lighthouse -- --categories accessibility,seo --json   # one JSON line on stdout (used by the e2e)
//
// Prints the four category scores, writes the HTML/JSON reports to artifacts/lighthouse/, and exits non-zero
// only when Lighthouse itself fails (scores are a benchmark here; the e2e suite asserts the 1.0s).
import { mkdir, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import * as chromeLauncher from 'chrome-launcher';
import lighthouse from 'lighthouse';
import desktopConfig from 'lighthouse/core/config/desktop-config.js';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../apps/web/dev/chromium.mjs';
import { startFixtureServer } from '../apps/web/dev/fixture-server.mjs';

const ALL = ['performance', 'accessibility', 'best-practices', 'seo'];
const { values } = parseArgs({
  options: {
    url: { type: 'string' },
    preset: { type: 'string', default: 'mobile' },
    runs: { type: 'string', default: '1' },
    categories: { type: 'string', default: ALL.join(',') },
    out: { type: 'string', default: 'artifacts/lighthouse' },
    json: { type: 'boolean', default: false },
  },
});
const categories = values.categories
  .split(',')
  .map((c) => c.trim())
  .filter(Boolean);
const unknown = categories.filter((c) => !ALL.includes(c));
if (unknown.length > 0) throw new Error(`--categories: ${unknown.join(', ')} is not one of ${ALL.join(', ')}`);
if (!['mobile', 'desktop'].includes(values.preset))
  throw new Error(`--preset: '${values.preset}' must be mobile or desktop`);
const runs = Number(values.runs);
if (!Number.isInteger(runs) || runs < 1 || runs > 9) throw new Error(`--runs: '${values.runs}' must be 1..9`);

const log = values.json ? () => undefined : (...args) => console.log(...args);
const fixture = values.url ? null : await startFixtureServer();
const url = values.url ?? fixture.url;
const chrome = await chromeLauncher.launch({
  chromePath: CHROMIUM_PATH,
  // Lighthouse wants the new headless mode and a /dev/shm-free Chrome (large pages in small containers).
  chromeFlags: [
    ...CHROMIUM_ARGS.map((flag) => (flag === '--headless' ? '--headless=new' : flag)),
    '--disable-dev-shm-usage',
  ],
});

const median = (list) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)];
try {
  log(`Lighthouse ${values.preset} on ${url}${fixture ? ' (fixture API)' : ''}, ${runs} run(s)`);
  const perRun = [];
  let last;
  for (let i = 0; i < runs; i += 1) {
    const result = await lighthouse(
      url,
      { port: chrome.port, output: ['html', 'json'], logLevel: 'error', onlyCategories: categories },
      values.preset === 'desktop' ? desktopConfig : undefined,
    );
    if (!result) throw new Error('Lighthouse returned no result');
    if (result.lhr.runtimeError) throw new Error(`Lighthouse: ${result.lhr.runtimeError.message}`);
    perRun.push(Object.fromEntries(categories.map((c) => [c, result.lhr.categories[c]?.score ?? null])));
    if (runs > 1) log(`  run ${i + 1}: ${categories.map((c) => `${c} ${perRun[i][c]}`).join(', ')}`);
    last = result;
  }
  // Median per category: single mobile runs on a busy 2-core box swing by several points (TBT noise).
  const scores = Object.fromEntries(categories.map((c) => [c, median(perRun.map((r) => r[c]))]));
  // Failed binary audits, with the offending URL or node where Lighthouse names one, so a red run explains itself.
  const failing = Object.values(last.lhr.audits)
    .filter((audit) => audit.score !== null && audit.score < 1 && audit.scoreDisplayMode === 'binary')
    .map((audit) => {
      const items = (audit.details?.items ?? [])
        .map((item) => item.sourceLocation?.url ?? item.url ?? item.node?.selector)
        .filter(Boolean);
      return items.length > 0 ? `${audit.id} (${[...new Set(items)].slice(0, 3).join(', ')})` : audit.id;
    });
  const metrics = Object.fromEntries(
    [
      'first-contentful-paint',
      'largest-contentful-paint',
      'total-blocking-time',
      'cumulative-layout-shift',
      'speed-index',
    ]
      .filter((id) => last.lhr.audits[id])
      .map((id) => [id, last.lhr.audits[id].displayValue]),
  );
  await mkdir(values.out, { recursive: true });
  const base = `${values.out}/lighthouse-${values.preset}`;
  await writeFile(`${base}.html`, last.report[0]);
  await writeFile(`${base}.json`, last.report[1]);
  if (values.json) {
    console.log(JSON.stringify({ url, preset: values.preset, scores, failing, metrics }));
  } else {
    for (const c of categories) log(`  ${c.padEnd(15)} ${scores[c] === null ? 'n/a' : scores[c].toFixed(2)}`);
    log('  metrics of the last run:');
    for (const [id, value] of Object.entries(metrics)) log(`    ${id.padEnd(26)} ${value}`);
    if (failing.length > 0) log(`  failing audits: ${failing.join(', ')}`);
    log(`  report: ${base}.html`);
  }
} finally {
  chrome.kill();
  await fixture?.close();
}
