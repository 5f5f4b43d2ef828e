// The status document's rebuild time in process (bench/snapshot-build.ts), for HEAD and optionally a baseline
// commit: each ref's libs are exported with `git archive` into bench/results/snapshot-<commit>/ and bundled with
// esbuild (it comes with the Angular build tools) together with the harness of the working tree, so both refs
// run the same measurement. Shapes: 1,000 services @ 20 s with 1 and 90 days of rollups, 10,000 @ 60 s with 7.
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');
const RESULTS = join(ROOT, 'bench/results');

export const SNAPSHOT_SHAPES = [
  { services: 1000, days: 1, intervalSeconds: 20 },
  { services: 1000, days: 90, intervalSeconds: 20 },
  { services: 10_000, days: 7, intervalSeconds: 60 },
];

async function bundle(ref) {
  const commit = execFileSync('git', ['rev-parse', '--short', ref], { cwd: ROOT }).toString().trim();
  const dir = join(RESULTS, `snapshot-${commit}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'bench'), { recursive: true });
  const tar = execFileSync('git', ['archive', ref, 'libs', 'tsconfig.base.json'], {
    cwd: ROOT,
    maxBuffer: 256 * 1024 * 1024,
  });
  execFileSync('tar', ['-x', '-C', dir], { input: tar });
  copyFileSync(join(ROOT, 'bench/snapshot-build.ts'), join(dir, 'bench/snapshot-build.ts'));
  const { build } = await import('esbuild');
  const outfile = join(dir, 'snapshot-build.mjs');
  await build({
    entryPoints: [join(dir, 'bench/snapshot-build.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    packages: 'external',
    tsconfig: join(dir, 'tsconfig.base.json'),
    outfile,
    logLevel: 'error',
  });
  return { commit, outfile };
}

export async function snapshotRun({ refs = ['HEAD'], rounds = 2, log }) {
  const runs = [];
  const bundles = [];
  for (const ref of refs) bundles.push({ ref, ...(await bundle(ref)) });
  for (const shape of SNAPSHOT_SHAPES)
    for (let round = 0; round < rounds; round += 1)
      for (const { ref, commit, outfile } of bundles) {
        const child = spawnSync(process.execPath, [outfile], {
          env: {
            PATH: process.env.PATH ?? '',
            N: String(shape.services),
            DAYS: String(shape.days),
            IV: String(shape.intervalSeconds),
          },
          encoding: 'utf8',
          maxBuffer: 64 * 1024 * 1024,
        });
        const line = child.stdout.trim().split('\n').at(-1) ?? '';
        if (child.status !== 0 || !line.startsWith('{'))
          throw new Error(`snapshot-build ${ref} exited ${child.status}:\n${child.stderr.slice(-2000)}`);
        const result = { ref, commit, round, ...JSON.parse(line) };
        log(
          `  ${commit} N=${shape.services}, ${shape.days} d: rebuild after ${result.changedPerBuild} changed ${result.changed.medianMs.toFixed(1)} ms (max ${result.changed.maxMs.toFixed(1)}), first ${result.first.medianMs.toFixed(0)} ms`,
        );
        runs.push(result);
      }
  return runs;
}
