#!/usr/bin/env node
/**
 * `npm start`: builds what changed (nothing, usually: a restart takes well under a second before Node starts the
 * app), then runs the app. A fresh clone has no build and gets a full one. `npm run serve` (--no-build) never
 * builds: it starts the last whole build, and refuses when there is none.
 *
 * The app runs as a child process so its flags apply; Ctrl-C reaches it directly (same process group) and SIGTERM
 * / SIGHUP (reload the services file) are passed on. The exit code is the app's.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { cleanUpOnInterrupt, ensureBuilt, ROOT, staleness } from './build.mjs';
import { NODE_ENV, NODE_FLAGS } from './node-runtime.mjs';

const noBuild = process.argv.includes('--no-build');
const started = Date.now();

if (noBuild) {
  const problems = ['api', 'web'].map((name) => staleness(name)).filter((reason) => reason !== null);
  const broken = problems.filter((reason) => !/sources changed/.test(reason));
  if (broken.length > 0) {
    process.stderr.write(`cannot start without building: ${broken.join('; ')}. Run npm start (it builds).\n`);
    process.exit(1);
  }
  for (const reason of problems) process.stderr.write(`note: ${reason}; npm start would rebuild it\n`);
} else {
  cleanUpOnInterrupt();
  try {
    await ensureBuilt(['api', 'web'], { ifChanged: true });
  } catch (error) {
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.removeAllListeners(signal);
}
process.stdout.write(`starting the app (${Date.now() - started} ms to check the build)\n`);

// The same flags and environment as the systemd unit (scripts/node-runtime.mjs says why); the caller's own
// MALLOC_ARENA_MAX wins.
const child = spawn(process.execPath, [...NODE_FLAGS, join(ROOT, 'dist/api/apps/api/src/main.js')], {
  stdio: 'inherit',
  env: { ...NODE_ENV, ...process.env },
});
// The terminal sends Ctrl-C to the whole group: the app shuts down on its own; we only wait for it.
process.on('SIGINT', () => undefined);
for (const signal of ['SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal === 'SIGINT' || signal === 'SIGTERM' ? 0 : 1)));
