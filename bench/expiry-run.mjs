// The `expiry` step of bench/run.mjs: bench/expiry.mjs in a child process with the product's runtime flags.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { BENCH_DIR, RUNTIME } from './app.mjs';

export function expiryRun({ services, expired, kept, rounds }) {
  const out = execFileSync(
    process.execPath,
    [...RUNTIME.flags, join(BENCH_DIR, 'expiry.mjs'), ...[services, expired, kept, rounds].map(String)],
    { encoding: 'utf8', env: { ...process.env, ...RUNTIME.env } },
  );
  return JSON.parse(out.trim().split('\n').at(-1));
}
