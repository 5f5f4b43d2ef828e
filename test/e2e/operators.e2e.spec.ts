import { spawn, spawnSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { startApp, type AppProcess } from '../support/app-process.js';

/**
 * Issue 16, operators: one process per DATA_DIR (a second one says who holds it), and `npm start` builds only
 * what changed without ever running a half-written dist/ (scripts/build.mjs and scripts/start.mjs in a scratch
 * checkout whose compilers are stand-ins, so a build takes milliseconds and can be interrupted on cue).
 */

describe('a second process on the same DATA_DIR', () => {
  let first: AppProcess | undefined;
  afterAll(async () => {
    await first?.kill();
  });

  it('stops at once naming the directory and the pid that holds it; the first keeps serving', async () => {
    const yaml = 'services: []\n';
    first = await startApp({ servicesYaml: yaml });
    const second = await startApp({ servicesYaml: yaml, dataDir: first.dataDir, waitHealthy: false });
    const code = await new Promise<number | null>((done) => second.child.once('exit', done));
    expect(code).toBe(1);
    expect(second.output()).toContain(
      `data directory ${first.dataDir} is in use by another process (pid ${first.child.pid})`,
    );
    expect(second.output()).not.toMatch(/Database is closed|\n\s+at /);
    expect((await fetch(`${first.baseUrl}/api/health`)).status).toBe(200);
  }, 45_000);

  it('takes over the lock of a process that was killed (kill -9 leaves its pid file behind)', async () => {
    const dataDir = first!.dataDir;
    await first!.kill();
    first = undefined;
    expect(readFileSync(join(dataDir, 'statuspage.pid'), 'utf8').trim()).toMatch(/^\d+$/);
    const next = await startApp({ servicesYaml: 'services: []\n', dataDir });
    try {
      expect((await fetch(`${next.baseUrl}/api/health`)).status).toBe(200);
    } finally {
      await next.stop();
    }
  }, 45_000);
});

/** Stand-in for tsc / ng: writes its output into --outDir / --output-path, slowly when FAKE_BUILD_MS is set. */
const FAKE_COMPILER = `#!/usr/bin/env node
const { appendFileSync, mkdirSync, writeFileSync, readFileSync } = require('node:fs');
const { join, resolve, dirname } = require('node:path');
const args = process.argv.slice(2);
const out = resolve(args[args.indexOf(args.includes('--outDir') ? '--outDir' : '--output-path') + 1]);
const root = process.env.FAKE_ROOT;
appendFileSync(join(root, 'compiler-runs.log'), require('node:path').basename(process.argv[1]) + '\\n');
const file = args.includes('--outDir') ? join(out, 'apps/api/src/main.js') : join(out, 'browser/index.html');
mkdirSync(dirname(file), { recursive: true });
const source = args.includes('--outDir') ? readFileSync(join(root, 'apps/api/src/main.ts'), 'utf8') : '<!doctype html>';
// Half of the output first, then the rest: an interrupted build leaves a half-written directory behind.
writeFileSync(file, '// partial\\n');
setTimeout(() => writeFileSync(file, source), Number(process.env.FAKE_BUILD_MS ?? 0));
`;

function scratchCheckout(): string {
  const root = mkdtempSync(join(tmpdir(), 'status-build-'));
  const write = (path: string, text: string) => {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  };
  for (const script of ['build.mjs', 'start.mjs', 'node-runtime.mjs']) {
    mkdirSync(join(root, 'scripts'), { recursive: true });
    copyFileSync(resolve('scripts', script), join(root, 'scripts', script));
  }
  write('package-lock.json', '{}\n');
  write('tsconfig.base.json', '{}\n');
  // The "compiled" app is the source itself: it prints a line and exits, so start.mjs can run it.
  write('apps/api/src/main.ts', "console.log('app v1 running');\n");
  write('apps/web/src/main.ts', 'export {};\n');
  write('libs/contracts/src/index.ts', 'export {};\n');
  for (const bin of ['tsc', 'tsc-alias', 'ng']) {
    write(`node_modules/.bin/${bin}`, bin === 'tsc-alias' ? '#!/usr/bin/env node\n' : FAKE_COMPILER);
    chmodSync(join(root, 'node_modules/.bin', bin), 0o755);
  }
  return root;
}

function run(root: string, script: string, args: string[] = [], env: Record<string, string> = {}) {
  const result = spawnSync(process.execPath, [join(root, 'scripts', script), ...args], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', FAKE_ROOT: root, ...env },
    encoding: 'utf8',
  });
  return { code: result.status, output: `${result.stdout}${result.stderr}` };
}

const compilerRuns = (root: string) =>
  existsSync(join(root, 'compiler-runs.log')) ? readFileSync(join(root, 'compiler-runs.log'), 'utf8').split('\n') : [];

describe('npm start builds only what changed, and never runs a half-written build', () => {
  const roots: string[] = [];
  afterAll(() => roots.forEach((root) => rmSync(root, { recursive: true, force: true })));
  const checkout = () => {
    const root = scratchCheckout();
    roots.push(root);
    return root;
  };

  it('builds everything on a fresh checkout, nothing when nothing changed, only the target whose sources changed', () => {
    const root = checkout();
    const fresh = run(root, 'build.mjs', ['--if-changed']);
    expect(fresh.code).toBe(0);
    expect(fresh.output).toContain('building api: dist/api does not exist');
    expect(fresh.output).toContain('building web: dist/web does not exist');
    expect(compilerRuns(root).filter(Boolean)).toEqual(['tsc', 'ng']);

    const again = run(root, 'build.mjs', ['--if-changed']);
    expect(again.output).toBe('dist/api is up to date\ndist/web is up to date\n');
    expect(compilerRuns(root).filter(Boolean)).toHaveLength(2);

    writeFileSync(join(root, 'apps/api/src/main.ts'), "console.log('app v2 running');\n");
    const edited = run(root, 'build.mjs', ['--if-changed']);
    expect(edited.output).toContain('building api: the api sources changed since dist/api was built');
    expect(edited.output).toContain('dist/web is up to date');
    expect(readFileSync(join(root, 'dist/api/apps/api/src/main.js'), 'utf8')).toContain('v2');
  });

  it('starts without building when nothing changed, and runs the app', () => {
    const root = checkout();
    expect(run(root, 'build.mjs').code).toBe(0);
    const started = run(root, 'start.mjs');
    expect(started.code).toBe(0);
    expect(started.output).toMatch(/dist\/api is up to date\ndist\/web is up to date\nstarting the app \(\d+ ms/);
    expect(started.output).toContain('app v1 running');
    expect(compilerRuns(root).filter(Boolean)).toEqual(['tsc', 'ng']);
  });

  it('keeps the previous build whole when Ctrl-C stops a build, and the next start rebuilds', async () => {
    const root = checkout();
    expect(run(root, 'build.mjs').code).toBe(0);
    writeFileSync(join(root, 'apps/api/src/main.ts'), "console.log('app v2 running');\n");

    const build = spawn(process.execPath, [join(root, 'scripts/build.mjs'), 'api'], {
      cwd: root,
      env: { PATH: process.env.PATH ?? '', FAKE_ROOT: root, FAKE_BUILD_MS: '20000' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    build.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const building = () => readdirSync(join(root, 'dist'), { withFileTypes: true }).map((entry) => entry.name);
    const deadline = Date.now() + 10_000;
    // Interrupt once the compiler has written half of its output.
    while (!building().some((name) => name.startsWith('.api-building-'))) {
      if (Date.now() > deadline) throw new Error(`the build never started: ${output}`);
      await new Promise((done) => setTimeout(done, 20));
    }
    await new Promise((done) => setTimeout(done, 200));
    build.kill('SIGINT');
    const code = await new Promise<number | null>((done) => build.once('exit', done));
    expect(code).toBe(130);
    expect(output).toContain('build interrupted (SIGINT); dist/ keeps the previous build');
    expect(building().filter((name) => name.startsWith('.'))).toEqual([]);
    expect(readFileSync(join(root, 'dist/api/apps/api/src/main.js'), 'utf8')).toContain('v1');

    // `npm run serve` would run the previous (whole) build and says so; `npm start` rebuilds first.
    const served = run(root, 'start.mjs', ['--no-build']);
    expect(served.output).toContain(
      'note: the api sources changed since dist/api was built; npm start would rebuild it',
    );
    expect(served.output).toContain('app v1 running');
    const started = run(root, 'start.mjs');
    expect(started.output).toContain('building api: the api sources changed since dist/api was built');
    expect(started.output).toContain('app v2 running');
  }, 30_000);

  it('cleans up after a build killed outright, and refuses to serve a dist/ that is incomplete', () => {
    const root = checkout();
    expect(run(root, 'build.mjs').code).toBe(0);
    // What `kill -9` of a build leaves: a half-written directory under a pid that no longer runs.
    mkdirSync(join(root, 'dist/.api-building-999999/apps'), { recursive: true });
    rmSync(join(root, 'dist/web/browser/index.html'));

    const served = run(root, 'start.mjs', ['--no-build']);
    expect(served.code).toBe(1);
    expect(served.output).toBe('cannot start without building: dist/web is incomplete. Run npm start (it builds).\n');

    const started = run(root, 'start.mjs');
    expect(started.code).toBe(0);
    expect(started.output).toContain('building web: dist/web is incomplete');
    expect(started.output).toContain('dist/api is up to date');
    expect(existsSync(join(root, 'dist/.api-building-999999'))).toBe(false);
  });
});
