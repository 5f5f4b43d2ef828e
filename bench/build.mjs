// Compiles the API for the benchmarks into bench/results/build (git-ignored), apart from the shared dist/.
//
// source "head" (default): the committed code at HEAD, exported with `git archive` into bench/results/src, so
// uncommitted work-in-progress in a shared checkout cannot change or break what is measured mid-run.
// source "worktree": the files as they are on disk now. `ref`/`name` build another commit (e.g. the boot step's
// baseline) into bench/results/<name>.
// The compiler settings are apps/api/tsconfig.app.json's, with spec/test files excluded under libs/ too.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');
const RESULTS = join(ROOT, 'bench/results');
// BENCH_REF=<commit>: source "head" exports that commit instead of HEAD (before/after pairs).

export function build(source = 'head', { ref = process.env.BENCH_REF ?? 'HEAD', name = 'build' } = {}) {
  const started = Date.now();
  const out = join(RESULTS, name);
  rmSync(out, { recursive: true, force: true });
  let srcRoot = ROOT;
  let commit = execFileSync('git', ['rev-parse', '--short', ref], { cwd: ROOT }).toString().trim();
  if (source === 'head') {
    srcRoot = join(RESULTS, name === 'build' ? 'src' : `${name}-src`);
    rmSync(srcRoot, { recursive: true, force: true });
    mkdirSync(srcRoot, { recursive: true });
    const tar = execFileSync('git', ['archive', ref, 'apps/api', 'libs', 'tsconfig.base.json'], {
      cwd: ROOT,
      maxBuffer: 256 * 1024 * 1024,
    });
    execFileSync('tar', ['-x', '-C', srcRoot], { input: tar });
  } else {
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'apps/api', 'libs'], { cwd: ROOT }).toString();
    if (dirty.trim()) commit += '+worktree';
  }
  const config = join(RESULTS, `tsconfig.${name}.${source}.json`);
  const rel = (path) => relative(RESULTS, join(srcRoot, path));
  mkdirSync(RESULTS, { recursive: true });
  writeFileSync(
    config,
    JSON.stringify(
      {
        extends: `./${rel('apps/api/tsconfig.app.json')}`,
        compilerOptions: { outDir: `./${name}`, rootDir: rel('.') || '.', types: ['node'] },
        include: [
          'apps/api/src',
          'libs/contracts/src',
          'libs/monitoring/src',
          'libs/incidents/src',
          'libs/aws/src',
        ].map((dir) => `${rel(dir)}/**/*.ts`),
        exclude: [
          `${rel('.') || '.'}/**/*.spec.ts`,
          `${rel('.') || '.'}/**/*.test.ts`,
          `${rel('.') || '.'}/**/node_modules`,
        ],
        'tsc-alias': { resolveFullPaths: true },
      },
      null,
      2,
    ),
  );
  const bin = (name) => join(ROOT, 'node_modules/.bin', name);
  try {
    execFileSync(bin('tsc'), ['-p', config], { cwd: ROOT, stdio: 'pipe' });
    execFileSync(bin('tsc-alias'), ['-p', config], { cwd: ROOT, stdio: 'pipe' });
  } catch (error) {
    throw new Error(
      `building the API (${source}) failed:\n${`${error.stdout ?? ''}${error.stderr ?? ''}`.slice(0, 4000)}`,
    );
  }
  const missing = unresolvedImports(out);
  return { source, commit, dir: out, main: join(out, 'apps/api/src/main.js'), ms: Date.now() - started, missing };
}

/** Bare package imports of the compiled files that node_modules cannot satisfy (a dependency not installed). */
function unresolvedImports(dir) {
  const specifiers = new Set();
  const walk = (path) => {
    for (const entry of readdirSync(path, { withFileTypes: true })) {
      const full = join(path, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.js'))
        for (const match of readFileSync(full, 'utf8').matchAll(
          /^\s*(?:import|export)\b[^;]*?(?:\bfrom\s*|import\s*)'([^'./][^']*)'/gm,
        ))
          specifiers.add(match[1]);
    }
  };
  walk(dir);
  const missing = [];
  for (const specifier of specifiers) {
    if (specifier.startsWith('node:')) continue;
    try {
      import.meta.resolve(specifier);
    } catch {
      missing.push(specifier);
    }
  }
  return missing;
}

/** "auto": HEAD when it compiles and its imports resolve, else the working tree (reported in the results). */
export function buildAuto(source) {
  if (source !== 'auto') return build(source);
  const tried = [];
  for (const candidate of ['head', 'worktree']) {
    try {
      const result = build(candidate);
      if (result.missing.length === 0) return { ...result, tried };
      tried.push(`${candidate}: missing packages ${result.missing.join(', ')}`);
    } catch (error) {
      tried.push(`${candidate}: ${String(error.message).split('\n').slice(0, 3).join(' ')}`);
    }
  }
  throw new Error(`no buildable source:\n${tried.join('\n')}`);
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(buildAuto(process.argv[2] ?? 'auto'));
