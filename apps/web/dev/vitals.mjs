import { chromium } from 'playwright-core';
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu'],
});
const page = await browser.newPage({ viewport: { width: Number(process.argv[3] ?? 412), height: 823 } });
const cdp = await page.context().newCDPSession(page);
await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
await page.addInitScript(() => {
  window.__shifts = [];
  new PerformanceObserver((l) => {
    for (const e of l.getEntries())
      window.__shifts.push({
        v: e.value,
        t: Math.round(e.startTime),
        src: e.sources.map((s) => ({
          n: s.node ? s.node.nodeName + '.' + (s.node.className?.baseVal ?? s.node.className ?? '') : null,
          prev: JSON.stringify(s.previousRect),
          cur: JSON.stringify(s.currentRect),
        })),
      });
  }).observe({ type: 'layout-shift', buffered: true });
  window.__long = [];
  new PerformanceObserver((l) => {
    for (const e of l.getEntries()) window.__long.push({ t: Math.round(e.startTime), d: Math.round(e.duration) });
  }).observe({ type: 'longtask', buffered: true });
  window.__lcp = [];
  new PerformanceObserver((l) => {
    for (const e of l.getEntries())
      window.__lcp.push({
        t: Math.round(e.startTime),
        n: e.element?.nodeName + '.' + e.element?.className,
        size: e.size,
        text: e.element?.textContent?.slice(0, 40),
      });
  }).observe({ type: 'largest-contentful-paint', buffered: true });
});
await page.goto(process.argv[2] ?? 'http://127.0.0.1:4301/');
await page.waitForTimeout(3000);
console.log(
  JSON.stringify(
    await page.evaluate(() => ({
      shifts: window.__shifts,
      lcp: window.__lcp,
      long: window.__long,
      res: performance
        .getEntriesByType('resource')
        .map((r) => [r.name.replace(location.origin, ''), Math.round(r.startTime), Math.round(r.responseEnd)]),
    })),
    null,
    1,
  ),
);
await browser.close();
