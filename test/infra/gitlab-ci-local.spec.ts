/**
 * Evaluates .gitlab-ci.yml with gitlab-ci-local (GitLab's JSON schema, `extends`/`default`/anchor expansion, rules,
 * needs) instead of our own reading of the YAML (that is gitlab-ci.spec.ts). Offline and without Docker: only
 * --list-json, --preview and --validate-dependency-chain are used, which never start a job. Each run gets a fresh
 * temporary directory holding a copy of the pipeline, so nothing (.gitlab-ci-local/ state) is left in the repository.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { parse, stringify } from 'yaml';
import { repoRoot } from './hcl.js';

type Yaml = Record<string, unknown>;

interface ListedJob {
  name: string;
  stage: string;
  when: string;
  allow_failure: boolean;
  needs?: { job: string; optional: boolean }[];
}

/** The predefined variables GitLab sets for one kind of pipeline; `unset` are absent in that kind. */
interface PipelineContext {
  set: Record<string, string>;
  unset: string[];
}

const CLI = join(repoRoot, 'node_modules/gitlab-ci-local/dist/index.js');
const TIMEOUT = 60_000;
const STAGES = ['lint', 'test', 'validate', 'build', 'deploy', 'mirror'];
const ALWAYS = ['lint', 'terraform:fmt', 'test', 'terraform:validate', 'ansible:lint', 'build:release', 'build:web'];
const MAIN_ONLY = ['deploy:terraform', 'deploy:app', 'deploy:host', 'deploy:dashboard', 'mirror:github'];

const PUSH_TO_MAIN: PipelineContext = {
  set: { CI_PIPELINE_SOURCE: 'push', CI_COMMIT_BRANCH: 'main', CI_COMMIT_REF_NAME: 'main', CI_DEFAULT_BRANCH: 'main' },
  unset: [],
};
const MERGE_REQUEST: PipelineContext = {
  set: {
    CI_PIPELINE_SOURCE: 'merge_request_event',
    CI_COMMIT_REF_NAME: 'feature/probe',
    CI_DEFAULT_BRANCH: 'main',
    CI_MERGE_REQUEST_IID: '7',
    CI_MERGE_REQUEST_SOURCE_BRANCH_NAME: 'feature/probe',
    CI_MERGE_REQUEST_TARGET_BRANCH_NAME: 'main',
  },
  // GitLab never sets CI_COMMIT_BRANCH in merge request pipelines.
  unset: ['CI_COMMIT_BRANCH'],
};
const PUSH_TO_BRANCH: PipelineContext = {
  set: {
    CI_PIPELINE_SOURCE: 'push',
    CI_COMMIT_BRANCH: 'feature/probe',
    CI_COMMIT_REF_NAME: 'feature/probe',
    CI_DEFAULT_BRANCH: 'main',
  },
  unset: [],
};
const PUSH_TO_BRANCH_WITH_OPEN_MR: PipelineContext = {
  set: { ...PUSH_TO_BRANCH.set, CI_OPEN_MERGE_REQUESTS: 'cloudops/statuspage!7' },
  unset: [],
};

const pipelineText = readFileSync(join(repoRoot, '.gitlab-ci.yml'), 'utf8');

/** The environment without the variables of a surrounding GitLab job and without gitlab-ci-local's GCL_* options. */
const cleanEnv = (): NodeJS.ProcessEnv =>
  Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^(CI_|GITLAB_|GCL_|FORCE_COLOR$)/.test(key)));

interface Run {
  status: number | null;
  stdout: string;
  output: string;
}

/** Runs gitlab-ci-local on `yamlText` in a throwaway directory for one pipeline context. */
function gitlabCiLocal(yamlText: string, args: string[], context: PipelineContext = PUSH_TO_MAIN): Run {
  const dir = mkdtempSync(join(tmpdir(), 'gitlab-ci-local-'));
  try {
    writeFileSync(join(dir, '.gitlab-ci.yml'), yamlText);
    const overridden = [...Object.keys(context.set), ...context.unset];
    const result = spawnSync(
      process.execPath,
      [
        CLI,
        ...args,
        // Not the developer's ~/.gitlab-ci-local/variables.yml.
        '--home',
        join(dir, 'home'),
        '--no-color',
        '--ignore-predefined-vars',
        overridden.join(','),
        ...Object.entries(context.set).flatMap(([key, value]) => ['--variable', `${key}=${value}`]),
        ...context.unset.flatMap((key) => ['--unset-variable', key]),
      ],
      { cwd: dir, encoding: 'utf8', timeout: TIMEOUT - 10_000, env: cleanEnv() },
    );
    // --no-color is not honoured by every message (Jest workers may inherit FORCE_COLOR): read plain text.
    const output = stripVTControlCharacters(
      `$ gitlab-ci-local ${args.join(' ')}\n${result.stdout ?? ''}${result.stderr ?? ''}${result.error ? String(result.error) : ''}`,
    );
    return { status: result.status, stdout: result.stdout ?? '', output };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Exit 0, or a failure that shows everything gitlab-ci-local said. */
const expectSuccess = (run: Run): void => {
  expect(run.status === 0 ? 'exit 0' : `exit ${run.status}\n${run.output}`).toBe('exit 0');
};

function listJobs(yamlText: string, context: PipelineContext): ListedJob[] {
  const run = gitlabCiLocal(yamlText, ['--list-json'], context);
  expectSuccess(run);
  return JSON.parse(run.stdout) as ListedJob[];
}

/** Jobs GitLab would create in this pipeline (list-json also reports the ones whose rules said never). */
const active = (jobs: ListedJob[]): string[] => jobs.filter((job) => job.when !== 'never').map((job) => job.name);

/**
 * Whether GitLab creates a pipeline at all. gitlab-ci-local reads workflow:rules only for their variables, so the
 * rules are evaluated by its rules engine as the rules of a probe job: same first-match semantics (a match without
 * `when: never` creates the pipeline / adds the job; `when: never` or no match creates nothing).
 */
function createsPipeline(context: PipelineContext): boolean {
  const workflow = (parse(pipelineText) as Yaml).workflow as Yaml;
  const probe = stringify({ stages: ['probe'], pipeline: { stage: 'probe', script: ['true'], rules: workflow.rules } });
  const [job] = listJobs(probe, context);
  return job!.when !== 'never';
}

/** The real pipeline with one job changed, to prove gitlab-ci-local rejects what GitLab would reject. */
function breakJob(job: string, change: (definition: Yaml) => void): string {
  const config = parse(pipelineText) as Yaml;
  change(config[job] as Yaml);
  return stringify(config);
}

describe('.gitlab-ci.yml evaluated by gitlab-ci-local (GitLab semantics, no Docker)', () => {
  it(
    'passes the schema and expands every extends, default and anchor into complete jobs',
    () => {
      const run = gitlabCiLocal(pipelineText, ['--preview']);
      expectSuccess(run);
      const preview = parse(run.stdout) as Yaml;
      expect(preview.stages).toEqual(['.pre', ...STAGES, '.post']);
      const jobs = Object.entries(preview).filter(([key]) => !['stages', 'workflow', 'variables'].includes(key));
      expect(jobs.map(([name]) => name).sort()).toEqual([...ALWAYS, ...MAIN_ONLY].sort());
      for (const [name, job] of jobs as [string, Yaml][]) {
        const image = job.image as Yaml | undefined;
        expect({
          name,
          extends: job.extends,
          stage: STAGES.includes(String(job.stage)),
          image: typeof image?.name,
          script: Array.isArray(job.script) && job.script.every((line) => typeof line === 'string'),
        }).toEqual({ name, extends: undefined, stage: true, image: 'string', script: true });
      }
      const byName = Object.fromEntries(jobs) as Record<string, Yaml>;
      expect((byName.test!.image as Yaml).name).toMatch(/^node:20\.\d+\.\d+-bookworm$/);
      for (const name of MAIN_ONLY.filter((job) => job.startsWith('deploy:'))) {
        const job = byName[name]!;
        expect({ name, resource_group: job.resource_group, interruptible: job.interruptible }).toEqual({
          name,
          resource_group: 'production',
          interruptible: false,
        });
        expect(((job.id_tokens as Yaml).AWS_ID_TOKEN as Yaml).aud).toBe('$CI_SERVER_URL');
        // The *assume_role alias expanded in the before_script that won the extends merge.
        expect((job.before_script as string[]).join('\n')).toContain('aws sts assume-role-with-web-identity');
      }
      // .ansible_controller comes last in extends, so its before_script (tool install + assume role) wins.
      expect((byName['deploy:app']!.before_script as string[])[0]).toMatch(/^apt-get update/);
    },
    TIMEOUT,
  );

  it(
    'creates a pipeline for pushes and merge requests, but no duplicate branch pipeline while an MR is open',
    () => {
      expect({
        pushToMain: createsPipeline(PUSH_TO_MAIN),
        mergeRequest: createsPipeline(MERGE_REQUEST),
        pushToBranch: createsPipeline(PUSH_TO_BRANCH),
        pushToBranchWithOpenMergeRequest: createsPipeline(PUSH_TO_BRANCH_WITH_OPEN_MR),
      }).toEqual({ pushToMain: true, mergeRequest: true, pushToBranch: true, pushToBranchWithOpenMergeRequest: false });
    },
    TIMEOUT,
  );

  it(
    'runs every job on a push to main, deploys after tests and validation, with deploy:host manual',
    () => {
      const jobs = listJobs(pipelineText, PUSH_TO_MAIN);
      expect(active(jobs)).toEqual([...ALWAYS, ...MAIN_ONLY]);
      const order = jobs.map((job) => STAGES.indexOf(job.stage));
      expect(order).toEqual([...order].sort((a, b) => a - b));
      const byName = Object.fromEntries(jobs.map((job) => [job.name, job]));
      expect(byName['deploy:host']).toMatchObject({ when: 'manual', allow_failure: true });
      expect(byName['deploy:terraform']!.needs!.map((need) => need.job)).toEqual(['test', 'terraform:validate']);
      for (const job of jobs)
        for (const need of job.needs ?? [])
          expect({ job: job.name, need: need.job, active: active(jobs).includes(need.job) }).toEqual({
            job: job.name,
            need: need.job,
            active: true,
          });
      expectSuccess(gitlabCiLocal(pipelineText, ['--validate-dependency-chain'], PUSH_TO_MAIN));
    },
    TIMEOUT,
  );

  it.each([
    ['a merge request', MERGE_REQUEST],
    ['a push to another branch', PUSH_TO_BRANCH],
  ])(
    'runs lint, test, validation and builds but no deploy or mirror job for %s',
    (_label, context) => {
      const jobs = listJobs(pipelineText, context);
      expect(active(jobs)).toEqual(ALWAYS);
      expect(jobs.filter((job) => job.when === 'never').map((job) => job.name)).toEqual(MAIN_ONLY);
      expectSuccess(gitlabCiLocal(pipelineText, ['--validate-dependency-chain'], context));
    },
    TIMEOUT,
  );
});

describe('gitlab-ci-local rejects a broken pipeline', () => {
  it.each<[string, string, RegExp]>([
    [
      'an extends of a template that does not exist',
      breakJob('deploy:app', (job) => {
        job.extends = [...(job.extends as string[]), '.missing_template'];
      }),
      /\.missing_template is unspecified, used by deploy:app extends/,
    ],
    [
      'needs on a job that does not exist',
      breakJob('deploy:dashboard', (job) => {
        job.needs = [...(job.needs as string[]), 'build:docs'];
      }),
      /needs: \[build:docs\] for deploy:dashboard could not be found/,
    ],
    [
      'a stage that is not declared',
      breakJob('lint', (job) => {
        job.stage = 'style';
      }),
      /stage:style not found for lint/,
    ],
    [
      'a rules:when GitLab does not know',
      breakJob('deploy:host', (job) => {
        job.rules = [{ if: '$CI_COMMIT_BRANCH == "main"', when: 'sometimes' }];
      }),
      /'when' property must be one of .* \(found sometimes\) at deploy:host\.rules\.0\.when/,
    ],
  ])(
    'fails on %s',
    (_label, broken, message) => {
      const run = gitlabCiLocal(broken, ['--list-json']);
      expect(run.status).not.toBe(0);
      expect(run.status).not.toBeNull();
      expect(run.output).toMatch(message);
    },
    TIMEOUT,
  );

  it(
    'fails when a job of every pipeline needs a job that only runs on main',
    () => {
      const broken = breakJob('mirror:github', (job) => {
        job.rules = [{ when: 'on_success' }];
        job.needs = ['deploy:app'];
      });
      expectSuccess(gitlabCiLocal(broken, ['--validate-dependency-chain'], PUSH_TO_MAIN));
      const run = gitlabCiLocal(broken, ['--validate-dependency-chain'], MERGE_REQUEST);
      expect(run.status).toBe(1);
      expect(run.output).toMatch(/deploy:app is when:never, but its needed by mirror:github/);
    },
    TIMEOUT,
  );
});
