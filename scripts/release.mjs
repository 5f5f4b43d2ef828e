#!/usr/bin/env node
/**
 * Packs one self-contained release of the API for Ansible (`app_release_archive`): the compiled API, the dashboard
 * build (served by the optional nginx role; production serves it from S3), package.json, the lock file and the
 * production node_modules. The host then needs no npm, no registry access and no compiler: a deploy is an unpack
 * and a symlink switch, and a rollback is a symlink switch back.
 *
 *   npm run build && npm run release [-- --version <name>] [--out <dir>]
 *
 * Prints the archive path on stdout (the last line). Runs `npm ci --omit=dev` in a staging directory, which reads
 * the npm cache first (`--prefer-offline`), so on a machine that ran `npm ci` it needs no network.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({
  options: { version: { type: 'string' }, out: { type: 'string', default: join(root, 'artifacts') } },
});

function gitRevision() {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

const version = values.version ?? process.env.CI_COMMIT_SHORT_SHA ?? gitRevision();
if (!/^[A-Za-z0-9._-]{1,64}$/.test(version)) {
  process.stderr.write(`--version: "${version}" must be 1-64 characters of A-Z a-z 0-9 . _ -\n`);
  process.exit(2);
}
const entrypoint = join(root, 'dist/api/apps/api/src/main.js');
const web = join(root, 'dist/web/browser/index.html');
for (const built of [entrypoint, web]) {
  if (!existsSync(built)) {
    process.stderr.write(`${built} is missing: run \`npm run build\` first\n`);
    process.exit(2);
  }
}

const out = resolve(values.out);
mkdirSync(out, { recursive: true });
const staging = mkdtempSync(join(out, `.staging-${version}-`));
try {
  for (const path of ['dist/api', 'dist/web/browser', 'package.json', 'package-lock.json']) {
    cpSync(join(root, path), join(staging, path), { recursive: true });
  }
  // Install scripts are not needed: the one native module (classic-level, for embedded storage) ships prebuilds.
  execFileSync(
    'npm',
    ['ci', '--omit=dev', '--ignore-scripts', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'],
    {
      cwd: staging,
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, npm_config_update_notifier: 'false' },
    },
  );
  writeFileSync(
    join(staging, 'RELEASE'),
    `${JSON.stringify({ version, revision: gitRevision(), builtAt: new Date().toISOString() })}\n`,
  );
  const archive = join(out, `statuspage-${version}.tar.gz`);
  const partial = `${archive}.partial`;
  // The archive's root entry carries the staging directory's mode, and unpacking applies it to the release
  // directory: mkdtemp's 0700 made the release unreadable for the app user (found by the deploy rehearsal).
  chmodSync(staging, 0o755);
  execFileSync('tar', ['-czf', partial, '--owner=0', '--group=0', '--numeric-owner', '-C', staging, '.'], {
    stdio: 'inherit',
  });
  // Rename last, so an interrupted run never leaves a truncated archive under the final name.
  execFileSync('mv', ['-f', partial, archive]);
  process.stdout.write(`${archive}\n`);
} finally {
  rmSync(staging, { recursive: true, force: true });
}
