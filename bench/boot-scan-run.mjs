// The `bootscan` step of bench/run.mjs: bench/boot-scan.mjs in a child process with the product's runtime flags, the
// default retention (100 days, plus today) and the former fixed one (400) alternating, `rounds` times each.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { BENCH_DIR, RUNTIME } from './app.mjs';

export function bootScanRun({ services, keptDays, rounds }) {
  const runs = [];
  for (let round = 0; round < rounds; round += 1)
    for (const days of keptDays) {
      const out = execFileSync(
        process.execPath,
        [...RUNTIME.flags, join(BENCH_DIR, 'boot-scan.mjs'), String(services), String(days)],
        { encoding: 'utf8', env: { ...process.env, ...RUNTIME.env } },
      );
      runs.push(JSON.parse(out.trim().split('\n').at(-1)));
    }
  return { services, runs };
}
