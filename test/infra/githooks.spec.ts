/**
 * Runs the repository's real .githooks against a throwaway git repository that has this project's Prettier, ESLint
 * and TypeScript configuration (and a link to its node_modules): real `git commit` and `git push`, no mocks.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { repoRoot } from './hcl.js';

const TIMEOUT = 90_000;
const HOOKS = join(repoRoot, '.githooks');
const CONFIG_FILES = [
  '.prettierrc.json',
  '.prettierignore',
  'eslint.config.mjs',
  'tsconfig.json',
  'tsconfig.base.json',
];
const UNFORMATTED = 'export const limits = {retries:3,timeoutMs:800};\n';
const FORMATTED = 'export const limits = { retries: 3, timeoutMs: 800 };\n';

interface Run {
  status: number | null;
  output: string;
}

/**
 * git without the surrounding repository's or user's settings (the spec may itself run inside a hook), and
 * without colour: Jest workers inherit FORCE_COLOR when the runner's terminal (or CI) supports colour, and the
 * assertions below read Prettier's and ESLint's plain text.
 */
const gitEnv = (): NodeJS.ProcessEnv => ({
  ...Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !key.startsWith('GIT_') && key !== 'FORCE_COLOR'),
  ),
  NO_COLOR: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_AUTHOR_NAME: 'Hook Spec',
  GIT_AUTHOR_EMAIL: 'hooks@example.com',
  GIT_COMMITTER_NAME: 'Hook Spec',
  GIT_COMMITTER_EMAIL: 'hooks@example.com',
});

function git(cwd: string, ...args: string[]): Run {
  const result = spawnSync('git', args, { cwd, encoding: 'utf8', env: gitEnv(), timeout: TIMEOUT - 10_000 });
  return {
    status: result.status,
    output: stripVTControlCharacters(
      `$ git ${args.join(' ')}\n${result.stdout ?? ''}${result.stderr ?? ''}${result.error ? String(result.error) : ''}`,
    ),
  };
}

const ok = (run: Run): string => {
  expect(run.status === 0 ? 'exit 0' : `exit ${run.status}\n${run.output}`).toBe('exit 0');
  return run.output;
};

/** A repository with the project's lint configuration, one commit, and core.hooksPath at the real hooks. */
function throwawayRepo(): string {
  const dir = mkdtempSync(join(tmpdir(), 'githooks-'));
  ok(git(dir, 'init', '--quiet', '--initial-branch=main'));
  for (const file of CONFIG_FILES) copyFileSync(join(repoRoot, file), join(dir, file));
  // A symlink is not a directory, so `node_modules/` (the project's pattern) would not ignore it.
  writeFileSync(join(dir, '.gitignore'), 'node_modules\n');
  symlinkSync(join(repoRoot, 'node_modules'), join(dir, 'node_modules'));
  mkdirSync(join(dir, 'libs/demo/src'), { recursive: true });
  ok(git(dir, 'add', '--all'));
  ok(git(dir, 'commit', '--quiet', '--no-verify', '-m', 'chore: lint configuration'));
  ok(git(dir, 'config', 'core.hooksPath', HOOKS));
  return dir;
}

const head = (dir: string): string =>
  ok(git(dir, 'rev-parse', 'HEAD'))
    .trim()
    .split('\n')
    .pop()!;

describe('the git hooks', () => {
  it('are committed executable and parse as POSIX sh', () => {
    const modes = ok(git(repoRoot, 'ls-files', '--stage', '--', '.githooks'))
      .split('\n')
      .filter((line) => /^\d{6} /.test(line))
      .map((line) => `${line.split(/\s+/)[0]} ${line.split('\t')[1]}`);
    expect(modes).toEqual(['100755 .githooks/pre-commit', '100755 .githooks/pre-push']);
    for (const hook of ['pre-commit', 'pre-push']) {
      const parsed = spawnSync('dash', ['-n', join(HOOKS, hook)], { encoding: 'utf8' });
      const fallback = parsed.error ? spawnSync('sh', ['-n', join(HOOKS, hook)], { encoding: 'utf8' }) : parsed;
      expect({ hook, status: fallback.status, stderr: fallback.stderr }).toEqual({ hook, status: 0, stderr: '' });
    }
  });
});

describe('the pre-commit hook', () => {
  let dir: string;
  beforeEach(() => {
    dir = throwawayRepo();
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it(
    'rejects a staged file Prettier would reformat, names it, and creates no commit',
    () => {
      const before = head(dir);
      writeFileSync(join(dir, 'libs/demo/src/limits.ts'), UNFORMATTED);
      ok(git(dir, 'add', 'libs/demo/src/limits.ts'));
      const run = git(dir, 'commit', '--quiet', '-m', 'feat: limits');
      expect(run.status).toBe(1);
      expect(run.output).toContain('[warn] libs/demo/src/limits.ts');
      expect(run.output).toContain('pre-commit: commit rejected.');
      expect(head(dir)).toBe(before);
    },
    TIMEOUT,
  );

  it(
    'accepts a formatted, lint-clean staged file',
    () => {
      const before = head(dir);
      writeFileSync(join(dir, 'libs/demo/src/limits.ts'), FORMATTED);
      ok(git(dir, 'add', 'libs/demo/src/limits.ts'));
      ok(git(dir, 'commit', '--quiet', '-m', 'feat: limits'));
      expect(head(dir)).not.toBe(before);
      expect(ok(git(dir, 'show', 'HEAD:libs/demo/src/limits.ts'))).toContain(FORMATTED.trim());
    },
    TIMEOUT,
  );

  it(
    'judges what is staged, not the working tree: a fixed but unstaged file is still rejected',
    () => {
      const before = head(dir);
      writeFileSync(join(dir, 'libs/demo/src/limits.ts'), UNFORMATTED);
      ok(git(dir, 'add', 'libs/demo/src/limits.ts'));
      writeFileSync(join(dir, 'libs/demo/src/limits.ts'), FORMATTED);
      expect(git(dir, 'commit', '--quiet', '-m', 'feat: limits').status).toBe(1);
      expect(head(dir)).toBe(before);
    },
    TIMEOUT,
  );

  it(
    'commits a formatted staged version although its unstaged edits are not formatted, leaving them unstaged',
    () => {
      writeFileSync(join(dir, 'libs/demo/src/limits.ts'), FORMATTED);
      ok(git(dir, 'add', 'libs/demo/src/limits.ts'));
      writeFileSync(join(dir, 'libs/demo/src/limits.ts'), UNFORMATTED);
      ok(git(dir, 'commit', '--quiet', '-m', 'feat: limits'));
      expect(ok(git(dir, 'show', 'HEAD:libs/demo/src/limits.ts'))).toContain(FORMATTED.trim());
      expect(readFileSync(join(dir, 'libs/demo/src/limits.ts'), 'utf8')).toBe(UNFORMATTED);
    },
    TIMEOUT,
  );

  it(
    'rejects formatted TypeScript that ESLint flags (a floating promise), file names with spaces included',
    () => {
      const before = head(dir);
      const source = [
        'export async function refresh(): Promise<number> {',
        '  return Promise.resolve(1);',
        '}',
        '',
        'export function onTick(): void {',
        '  refresh();',
        '}',
        '',
      ].join('\n');
      writeFileSync(join(dir, 'libs/demo/src/tick handler.ts'), source);
      ok(git(dir, 'add', '--all'));
      const run = git(dir, 'commit', '--quiet', '-m', 'feat: tick');
      expect(run.status).toBe(1);
      expect(run.output).toContain('libs/demo/src/tick handler.ts');
      expect(run.output).toContain('@typescript-eslint/no-floating-promises');
      expect(run.output).not.toContain('[warn]');
      expect(head(dir)).toBe(before);
    },
    TIMEOUT,
  );
});

describe('the pre-push hook', () => {
  let dir: string;
  let remote: string;
  beforeEach(() => {
    dir = throwawayRepo();
    remote = mkdtempSync(join(tmpdir(), 'githooks-remote-'));
    ok(git(remote, 'init', '--quiet', '--bare'));
    ok(git(dir, 'remote', 'add', 'origin', remote));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
    rmSync(remote, { recursive: true, force: true });
  });

  /** The hook runs `npm run test:unit`; here that script is a stand-in that passes or fails on demand. */
  const withUnitScript = (script: string): void => {
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ private: true, scripts: { 'test:unit': script } }));
    ok(git(dir, 'add', 'package.json'));
    ok(git(dir, 'commit', '--quiet', '--no-verify', '-m', 'chore: unit tier'));
  };

  it(
    'pushes when the unit tier passes and refuses when it fails',
    () => {
      withUnitScript('node -e "process.exit(0)"');
      ok(git(dir, 'push', '--quiet', 'origin', 'main'));
      expect(
        ok(git(remote, 'rev-parse', 'main'))
          .trim()
          .split('\n')
          .pop(),
      ).toBe(head(dir));

      withUnitScript('node -e "process.exit(3)"');
      const run = git(dir, 'push', '--quiet', 'origin', 'main');
      expect(run.status).not.toBe(0);
      expect(run.output).toContain('pre-push: unit tests failed; nothing was pushed.');
      expect(
        ok(git(remote, 'rev-parse', 'main'))
          .trim()
          .split('\n')
          .pop(),
      ).not.toBe(head(dir));
    },
    TIMEOUT,
  );

  it('runs the unit tier that package.json defines as the Jest project over libs/ and apps/api only', async () => {
    const scripts = (
      JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
    ).scripts;
    expect(readFileSync(join(HOOKS, 'pre-push'), 'utf8')).toMatch(/^if ! npm run --silent test:unit; then$/m);
    expect(scripts['test:unit']).toBe('npm run test:jest -- --selectProjects unit');
    const config = (await import(join(repoRoot, 'jest.config.mjs'))) as {
      default: { projects: { displayName: string; roots: string[] }[] };
    };
    const unit = config.default.projects.find((project) => project.displayName === 'unit');
    expect(unit?.roots).toEqual(['<rootDir>/libs', '<rootDir>/apps/api']);
    // `npm test` builds, runs the dashboard's specs, then every Jest project, each once (in two runs: the heavy
    // tiers after the timing-sensitive ones).
    const steps = scripts.test!.split(' && ');
    expect(steps.slice(0, 2)).toEqual(['npm run build', 'npm run test:web']);
    const selected = steps.slice(2).flatMap((step) => {
      const [, projects] = /^npm run test:jest -- --selectProjects ([\w ]+)$/.exec(step) ?? [];
      return projects === undefined ? [`not a Jest run: ${step}`] : projects.split(' ');
    });
    expect(selected.sort()).toEqual(config.default.projects.map((project) => project.displayName).sort());
  });
});
