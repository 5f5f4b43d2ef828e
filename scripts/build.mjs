#!/usr/bin/env node
/**
 * Builds the API and the dashboard so that dist/ is never half-written: each target is compiled into a fresh
 * directory next to it and switched in with a rename only when the build succeeded, together with a stamp naming
 * the inputs it was built from. Ctrl-C (or a failed build) leaves the previous build in place, whole, and the
 * stamp of that build: `npm start` notices the inputs changed and builds again instead of running a broken dist/.
 *
 *   node scripts/build.mjs [api|web]...        build (both when none is named)
 *   node scripts/build.mjs --if-changed        build only targets whose inputs differ from their stamp
 *
 * Inputs are hashed by content (sources, configs, package-lock.json), so a checkout, a pull or an edit is noticed
 * whatever the file times say. Prints one line per target: built (with seconds) or up to date.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const DIST = join(ROOT, 'dist');
const STAMP = '.build-stamp.json';
const SHARED = ['package-lock.json', 'tsconfig.base.json'];

/** What each target is built from, what it must contain, and how it is built into `out`. */
export const TARGETS = {
  api: {
    inputs: [...SHARED, 'apps/api', 'libs'],
    // Specs and test support are not compiled (tsconfig.app.json excludes them).
    skip: (path) => /\.spec\.ts$|\/testing\/|\/README\.md$/.test(path),
    required: ['apps/api/src/main.js'],
    commands: (out) => [
      [join(ROOT, 'node_modules/.bin/tsc'), ['-p', 'apps/api/tsconfig.app.json', '--outDir', out]],
      [join(ROOT, 'node_modules/.bin/tsc-alias'), ['-p', 'apps/api/tsconfig.app.json', '--outDir', out]],
    ],
    cwd: ROOT,
  },
  web: {
    inputs: [...SHARED, 'apps/web', 'libs/contracts'],
    skip: (path) => /\.spec\.ts$|^apps\/web\/dev\/|\/README\.md$/.test(path),
    required: ['browser/index.html'],
    commands: (out) => [
      [
        join(ROOT, 'node_modules/.bin/ng'),
        ['build', '--configuration', 'production', '--output-path', relative(join(ROOT, 'apps/web'), out)],
      ],
    ],
    cwd: join(ROOT, 'apps/web'),
  },
};

function* files(path) {
  const stat = statSync(path, { throwIfNoEntry: false });
  if (!stat) return;
  if (stat.isFile()) {
    yield path;
    return;
  }
  for (const entry of readdirSync(path).sort()) {
    if (entry === 'node_modules' || entry === '.angular' || entry.startsWith('.')) continue;
    yield* files(join(path, entry));
  }
}

/** Content hash of a target's inputs (paths and bytes), plus the Node major version the output is for. */
export function fingerprint(name) {
  const target = TARGETS[name];
  const hash = createHash('sha256').update(`node ${process.versions.node.split('.')[0]}\n`);
  for (const input of target.inputs) {
    for (const file of files(join(ROOT, input))) {
      const path = relative(ROOT, file);
      if (target.skip(path)) continue;
      hash.update(`${path}\n`).update(readFileSync(file)).update('\n');
    }
  }
  return hash.digest('hex');
}

/** Sizes of every file of a build: a deleted or truncated file makes the stamp disagree. */
function manifest(dir) {
  const hash = createHash('sha256');
  for (const file of files(dir)) {
    const path = relative(dir, file);
    if (path === STAMP) continue;
    hash.update(`${path} ${statSync(file).size}\n`);
  }
  return hash.digest('hex');
}

/** Why a target must be built, or null when dist/ holds a whole build of exactly these inputs. */
export function staleness(name, print = fingerprint(name)) {
  const dir = join(DIST, name);
  let stamp;
  try {
    stamp = JSON.parse(readFileSync(join(dir, STAMP), 'utf8'));
  } catch {
    return existsSync(dir) ? `dist/${name} has no build stamp` : `dist/${name} does not exist`;
  }
  if (TARGETS[name].required.some((file) => !existsSync(join(dir, file)))) return `dist/${name} is incomplete`;
  if (stamp.manifest !== manifest(dir)) return `dist/${name} differs from the build that was stamped`;
  if (stamp.inputs !== print) return `the ${name} sources changed since dist/${name} was built`;
  return null;
}

let current = null;

function run(command, args, cwd) {
  return new Promise((done, fail) => {
    const child = spawn(command, args, {
      cwd,
      stdio: 'inherit',
      env: { ...process.env, NG_CLI_ANALYTICS: 'false' },
    });
    current = child;
    child.on('error', fail);
    child.on('exit', (code, signal) => {
      current = null;
      if (code === 0) done();
      else
        fail(
          new Error(
            `${[command, ...args].map((part) => relative(ROOT, part) || part).join(' ')} failed (${signal ?? `exit ${code}`})`,
          ),
        );
    });
  });
}

/** Builds one target into a fresh directory and switches it in; the previous build stays whole until then. */
export async function build(name) {
  const target = TARGETS[name];
  const started = Date.now();
  const inputs = fingerprint(name);
  mkdirSync(DIST, { recursive: true });
  const out = join(DIST, `.${name}-building-${process.pid}`);
  rmSync(out, { recursive: true, force: true });
  pending.add(out);
  try {
    for (const [command, args] of target.commands(out)) await run(command, args, target.cwd);
    writeFileSync(
      join(out, STAMP),
      `${JSON.stringify({ inputs, manifest: manifest(out), builtAt: new Date().toISOString() })}\n`,
    );
    const dir = join(DIST, name);
    const old = join(DIST, `.${name}-old-${process.pid}`);
    if (existsSync(dir)) renameSync(dir, old);
    renameSync(out, dir);
    rmSync(old, { recursive: true, force: true });
  } finally {
    rmSync(out, { recursive: true, force: true });
    pending.delete(out);
  }
  return (Date.now() - started) / 1000;
}

const pending = new Set();

/** Leftovers of builds that were killed (their process is gone): removed before building again. */
function removeLeftovers() {
  if (!existsSync(DIST)) return;
  for (const entry of readdirSync(DIST)) {
    const match = /^\.(api|web)-(building|old)-(\d+)$/.exec(entry);
    if (!match) continue;
    const pid = Number(match[3]);
    let alive = pid !== process.pid;
    try {
      if (alive) process.kill(pid, 0);
    } catch {
      alive = false;
    }
    if (!alive) rmSync(join(DIST, entry), { recursive: true, force: true });
  }
}

/** Builds the named targets (only the stale ones with `ifChanged`); resolves when dist/ is current. */
export async function ensureBuilt(names = Object.keys(TARGETS), { ifChanged = false, log = console.log } = {}) {
  removeLeftovers();
  for (const name of names) {
    const reason = ifChanged ? staleness(name) : 'requested';
    if (reason === null) {
      log(`dist/${name} is up to date`);
      continue;
    }
    if (ifChanged) log(`building ${name}: ${reason}`);
    const seconds = await build(name);
    log(`built dist/${name} in ${seconds.toFixed(1)} s`);
  }
}

/** Ctrl-C: stop the compiler, drop the half-written directory, keep the previous build. */
export function cleanUpOnInterrupt() {
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(signal, () => {
      current?.kill('SIGTERM');
      for (const out of pending) rmSync(out, { recursive: true, force: true });
      process.stderr.write(`\nbuild interrupted (${signal}); dist/ keeps the previous build\n`);
      process.exit(130);
    });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const names = args.filter((arg) => !arg.startsWith('--'));
  const unknown = names.filter((name) => !(name in TARGETS));
  if (unknown.length > 0) {
    process.stderr.write(`build: unknown target ${unknown.join(', ')} (api, web)\n`);
    process.exit(2);
  }
  cleanUpOnInterrupt();
  ensureBuilt(names.length > 0 ? names : Object.keys(TARGETS), { ifChanged: args.includes('--if-changed') }).catch(
    (error) => {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    },
  );
}
