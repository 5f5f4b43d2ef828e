import type { ServiceDetailResponse } from '@app/contracts';
import { getJson, startApp, waitFor, type AppProcess } from '../support/app-process.js';
import { TargetServer } from '../support/targets.js';

/**
 * Clean restarts of the real process on its embedded store: after each clean stop the next boot checks every
 * service while its recent checks load, and puts the checks taken meanwhile on top of what it reads. Whatever the
 * overlap, every check the targets saw must be counted exactly once in the stored daily rollups.
 */
const SERVICES = 300;
const ids = Array.from({ length: SERVICES }, (_, index) => `svc-${String(index).padStart(3, '0')}`);
// Every 2 s: four runs must stay under the 30 recent checks a boot reads back per service, also on a loaded machine
// (at 1 s a clean-clone run, its checks slowed and timing out, took 31–38 per service).
const yaml = (base: string, paused = false) =>
  `services:\n${ids.map((id) => `  - { id: ${id}, name: ${id}, url: "${base}/t/${id}", interval: 2s, timeout: 1s, paused: ${paused} }`).join('\n')}\n`;

describe('clean restarts (real process, embedded DynamoDB, 300 services every 2 seconds)', () => {
  const targets = new TargetServer();
  let app: AppProcess | null = null;

  beforeAll(async () => {
    await targets.start();
  });

  afterAll(async () => {
    await app?.kill();
    await targets.stop();
  });

  /** Runs the app until every service was checked again and its restore is over, then stops it cleanly. */
  async function runOnce(dataDir?: string): Promise<string> {
    const before = new Map(ids.map((id) => [id, targets.hits.get(`/t/${id}`) ?? 0]));
    app = await startApp({
      servicesYaml: yaml(targets.baseUrl),
      healthyWithinMs: 30_000,
      ...(dataDir ? { dataDir } : {}),
    });
    const running = app;
    await waitFor(
      () => Promise.resolve(running.output()),
      (output) => /restored in \d+ ms/.test(output),
      20_000,
    );
    await waitFor(
      () => Promise.resolve(ids.every((id) => (targets.hits.get(`/t/${id}`) ?? 0) >= (before.get(id) ?? 0) + 2)),
      (checkedTwice) => checkedTwice,
      20_000,
    );
    const output = running.output();
    expect(await running.stop()).toBe(true);
    return output;
  }

  it('counts every check the targets saw exactly once, however the checks and the restores overlapped', async () => {
    const first = await runOnce();
    expect(first).not.toContain('clean stop at');
    const dataDir = app!.dataDir;
    const restarts: string[] = [];
    for (let round = 0; round < 3; round += 1) restarts.push(await runOnce(dataDir));
    for (const output of restarts) expect(output).toMatch(/clean stop at \S+: checking while recent checks load/);
    // Checks were taken while restores still read (the overlap this path exists for), in at least one restart.
    const meanwhile = restarts.map((output) => Number(/; (\d+) checks taken meanwhile/.exec(output)?.[1] ?? 0));
    expect(Math.max(...meanwhile)).toBeGreaterThan(0);
    console.log(`clean restarts: checks taken while restores read ${meanwhile.join(' / ')}`);

    // Read back from storage: one more boot with every service paused (nothing new is checked). Each service took
    // fewer checks than the 30 recent ones a boot reads, so those are every check it stored: its stored days must
    // count exactly those. (Not the target's count: on a loaded machine a check can time out before its request
    // reaches the target — a failed check the target never saw, rightly counted.)
    const seen = ids.map((id) => targets.hits.get(`/t/${id}`) ?? 0);
    app = await startApp({ servicesYaml: yaml(targets.baseUrl, true), dataDir, healthyWithinMs: 30_000 });
    const reading = app;
    await waitFor(
      () => Promise.resolve(reading.output()),
      (output) => /restored in \d+ ms/.test(output),
      20_000,
    );
    const wrong: string[] = [];
    let checks = 0;
    let most = 0;
    // One at a time: the app caps connections per address.
    for (const [index, id] of ids.entries()) {
      const detail = await getJson<ServiceDetailResponse>(`${reading.baseUrl}/api/services/${id}`);
      const stored = detail.recentChecks;
      // Today and yesterday: a run across midnight splits the checks between them.
      const days = detail.bars.slice(-2);
      const counted = days.reduce((sum, bar) => sum + (bar.checks ?? 0), 0);
      const failures = days.reduce((sum, bar) => sum + (bar.failures ?? 0), 0);
      const ok = stored.filter((check) => check.ok).length;
      checks += stored.length;
      most = Math.max(most, stored.length);
      if (stored.length >= 30) wrong.push(`${id}: ${stored.length} checks, more than a boot reads back`);
      if (new Set(stored.map((check) => check.at)).size !== stored.length) wrong.push(`${id}: a check stored twice`);
      if (counted !== stored.length || failures !== stored.length - ok)
        wrong.push(`${id}: ${counted} counted (${failures} failed), ${stored.length} stored (${ok} ok)`);
      // Every successful check reached its target.
      if ((seen[index] ?? 0) < ok) wrong.push(`${id}: ${ok} ok checks, ${seen[index]} requests seen`);
    }
    console.log(`clean restarts: ${checks} checks stored, at most ${most} for one service (a boot reads back 30)`);
    expect(ids.map((id) => targets.hits.get(`/t/${id}`) ?? 0)).toEqual(seen); // paused: not checked
    expect(wrong).toEqual([]);
    expect(checks).toBeGreaterThanOrEqual(SERVICES * 8); // two checks a run at least, four runs
  }, 180_000);
});
