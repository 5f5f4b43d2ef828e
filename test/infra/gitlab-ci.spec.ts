import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { repoRoot } from './hcl.js';

type Yaml = Record<string, unknown>;

const RESERVED = new Set([
  'stages',
  'variables',
  'workflow',
  'default',
  'include',
  'image',
  'services',
  'cache',
  'before_script',
  'after_script',
]);
const STAGES = ['lint', 'test', 'validate', 'build', 'deploy', 'mirror'];

const isMap = (value: unknown): value is Yaml => typeof value === 'object' && value !== null && !Array.isArray(value);
const asList = (value: unknown): unknown[] => (Array.isArray(value) ? value : value === undefined ? [] : [value]);
/** GitLab flattens nested script arrays (YAML anchors of lists); so do we. */
const lines = (value: unknown): string[] =>
  asList(value).flatMap((item) => (Array.isArray(item) ? lines(item) : typeof item === 'string' ? [item] : []));

const raw = readFileSync(join(repoRoot, '.gitlab-ci.yml'), 'utf8');
const config = parse(raw) as Yaml;

/** A job with its `extends` chain merged in (later templates win, hashes merge deeply like GitLab). */
function resolve(name: string, seen: string[] = []): Yaml {
  const job = config[name];
  if (!isMap(job)) throw new Error(`${[...seen, name].join(' -> ')}: not a job or template`);
  if (seen.includes(name)) throw new Error(`extends cycle: ${[...seen, name].join(' -> ')}`);
  const deepMerge = (base: Yaml, over: Yaml): Yaml =>
    Object.fromEntries(
      [...new Set([...Object.keys(base), ...Object.keys(over)])].map((key) => {
        const [a, b] = [base[key], over[key]];
        return [key, isMap(a) && isMap(b) ? deepMerge(a, b) : b === undefined ? a : b];
      }),
    );
  const parents = asList(job.extends).map((parent) => resolve(String(parent), [...seen, name]));
  const { extends: _ignored, ...own } = job;
  return [...parents, own].reduce<Yaml>((merged, next) => deepMerge(merged, next), {});
}

const jobNames = Object.keys(config).filter((key) => !RESERVED.has(key) && !key.startsWith('.'));
const jobs: Record<string, Yaml> = Object.fromEntries(jobNames.map((name) => [name, resolve(name)]));
const imageOf = (job: Yaml): string | undefined => {
  const image = job.image ?? (isMap(config.default) ? config.default.image : undefined) ?? config.image;
  return typeof image === 'string' ? image : isMap(image) ? String(image.name) : undefined;
};
const scriptOf = (job: Yaml): string => [...lines(job.before_script), ...lines(job.script)].join('\n');

/** An image reference is pinned when it has a digest, or a tag that is not "latest". */
export function isPinned(image: string): boolean {
  if (/@sha256:[0-9a-f]{64}$/.test(image)) return true;
  const lastSegment = image.split('/').pop() ?? '';
  const tag = lastSegment.includes(':') ? lastSegment.split(':').pop() : undefined;
  return tag !== undefined && tag !== '' && tag !== 'latest' && !tag.startsWith('$');
}

/** Rules that let a job run only for pushes to main. */
export function mainOnly(job: Yaml): boolean {
  if (job.only !== undefined || job.except !== undefined) return false;
  const rules = asList(job.rules).filter(isMap);
  if (rules.length === 0) return false;
  return rules.every(
    (rule) => rule.when === 'never' || /\$CI_COMMIT_BRANCH == "main"/.test(typeof rule.if === 'string' ? rule.if : ''),
  );
}

describe('.gitlab-ci.yml structure', () => {
  it('declares the stages lint, test, validate, build, deploy, mirror in that order', () => {
    expect(config.stages).toEqual(STAGES);
  });

  it('puts every job in a declared stage', () => {
    expect(jobNames.length).toBeGreaterThanOrEqual(10);
    for (const name of jobNames)
      expect({ name, stage: jobs[name]!.stage }).toEqual({
        name,
        stage: expect.stringMatching(new RegExp(`^(${STAGES.join('|')})$`)) as unknown,
      });
  });

  it('points every needs entry at a job that exists', () => {
    for (const name of jobNames) {
      for (const need of asList(jobs[name]!.needs)) {
        const target = isMap(need) ? String(need.job) : String(need);
        expect({ name, need: target, exists: jobNames.includes(target) }).toEqual({ name, need: target, exists: true });
      }
    }
  });

  it('runs deploy and mirror jobs only on main', () => {
    const gated = jobNames.filter((name) => ['deploy', 'mirror'].includes(String(jobs[name]!.stage)));
    expect(gated.sort()).toEqual([
      'deploy:app',
      'deploy:dashboard',
      'deploy:host',
      'deploy:terraform',
      'mirror:github',
    ]);
    for (const name of gated) expect({ name, mainOnly: mainOnly(jobs[name]!) }).toEqual({ name, mainOnly: true });
  });

  it('runs lint, test, validation and builds on every push and merge request', () => {
    const workflow = asList(isMap(config.workflow) ? config.workflow.rules : [])
      .filter(isMap)
      .map((rule) => String(rule.if));
    expect(workflow).toEqual(
      expect.arrayContaining(['$CI_PIPELINE_SOURCE == "merge_request_event"', '$CI_COMMIT_BRANCH']),
    );
    for (const name of [
      'lint',
      'test',
      'terraform:fmt',
      'terraform:validate',
      'ansible:lint',
      'build:release',
      'build:web',
    ]) {
      expect({ name, rules: jobs[name]?.rules, only: jobs[name]?.only }).toEqual({
        name,
        rules: undefined,
        only: undefined,
      });
    }
  });

  it('pins every image to a tag other than latest or to a digest', () => {
    for (const name of jobNames) {
      const image = imageOf(jobs[name]!);
      expect({ name, image, pinned: image !== undefined && isPinned(image) }).toEqual({ name, image, pinned: true });
    }
  });
});

describe('.gitlab-ci.yml jobs', () => {
  it('lints and runs npm test in a pinned Node 20 image, installing the test tools', () => {
    expect(scriptOf(jobs.lint!)).toContain('npm run lint');
    expect(imageOf(jobs.test!)).toMatch(/^node:20\.\d+\.\d+-bookworm$/);
    const script = scriptOf(jobs.test!);
    const ciRun = readFileSync(join(repoRoot, '.ci/run'), 'utf8');
    expect(script === 'bash .ci/run' ? ciRun : script).toMatch(/chromium wrk nginx-light ansible ansible-lint/);
  });

  it('checks terraform fmt and validate (without a backend) in the pinned Terraform image', () => {
    for (const name of ['terraform:fmt', 'terraform:validate', 'deploy:terraform']) {
      const image = jobs[name]!.image as Yaml;
      expect({ name, image }).toEqual({
        name,
        image: { name: expect.stringMatching(/^hashicorp\/terraform:1\.\d+\.\d+$/) as unknown, entrypoint: [''] },
      });
    }
    expect(scriptOf(jobs['terraform:fmt']!)).toContain('terraform fmt -check -recursive');
    const validate = scriptOf(jobs['terraform:validate']!);
    expect(validate).toContain('init -backend=false');
    expect(validate).toMatch(/terraform -chdir=\$TF_ROOT validate/);
    expect(validate).toMatch(/terraform -chdir=\$TF_ROOT test/);
    expect(scriptOf(jobs['ansible:lint']!)).toContain('ansible-lint');
  });

  it('builds the API release archive and the dashboard as artifacts', () => {
    expect(scriptOf(jobs['build:release']!)).toContain('npm run release -- --version "$CI_COMMIT_SHORT_SHA"');
    expect((jobs['build:release']!.artifacts as Yaml).paths).toEqual([
      'artifacts/statuspage-$CI_COMMIT_SHORT_SHA.tar.gz',
    ]);
    expect((jobs['build:web']!.artifacts as Yaml).paths).toEqual(['dist/web/browser/']);
  });

  it('deploys to AWS with an OIDC id_token exchanged for the deploy role, never stored keys', () => {
    for (const name of ['deploy:terraform', 'deploy:app', 'deploy:host', 'deploy:dashboard']) {
      const job = jobs[name]!;
      expect({ name, aud: ((job.id_tokens as Yaml | undefined)?.AWS_ID_TOKEN as Yaml | undefined)?.aud }).toEqual({
        name,
        aud: '$CI_SERVER_URL',
      });
      expect(scriptOf(job)).toContain('aws sts assume-role-with-web-identity');
      expect(scriptOf(job)).toContain('--web-identity-token "$AWS_ID_TOKEN"');
    }
    expect(raw).not.toMatch(/AWS_SECRET_ACCESS_KEY\s*:/);
    const apply = scriptOf(jobs['deploy:terraform']!);
    expect(apply).toMatch(/terraform plan .*-out=tfplan/);
    expect(apply).toContain('terraform apply -input=false tfplan');
    expect(scriptOf(jobs['deploy:app']!)).toContain('playbooks/deploy.yml');
    const dashboard = scriptOf(jobs['deploy:dashboard']!);
    expect(dashboard).toContain('aws s3 sync dist/web/browser');
    // A changed config.json must be picked up on the next load (docs/dashboard.md), as index.html.
    for (const file of ['index.html', 'config.json'])
      expect(dashboard).toContain(
        `aws s3 cp dist/web/browser/${file} "s3://$DASHBOARD_BUCKET/${file}" --cache-control "no-cache"`,
      );
    // Unknown pages: the edge serves 404.html and turns its marker into the 404 (test/infra/edge-functions.spec.ts).
    expect(dashboard).toMatch(/"s3:\/\/\$DASHBOARD_BUCKET\/404\.html" [^\n]*--metadata http-status=404/);
    expect(dashboard).toContain('aws cloudfront create-invalidation');
  });

  it('pushes main to the GitHub mirror with a token from a CI variable', () => {
    const script = scriptOf(jobs['mirror:github']!);
    expect(script).toContain('$GITHUB_MIRROR_TOKEN');
    expect(script).toContain('HEAD:refs/heads/main');
    expect(script).not.toMatch(/https:\/\/[^/\s]*\$GITHUB_MIRROR_TOKEN@/);
  });
});

/** Secret-looking literals, wherever they are in the file. */
export function inlineSecrets(text: string, parsed: Yaml): string[] {
  const findings: string[] = [];
  const patterns: [string, RegExp][] = [
    ['AWS access key', /\b(AKIA|ASIA)[0-9A-Z]{16}\b/],
    ['Slack webhook', /hooks\.slack\.com\/services\/T/],
    ['private key', /-----BEGIN [A-Z ]*PRIVATE KEY-----/],
    ['GitLab token', /\bglpat-[0-9A-Za-z_-]{20}/],
    ['GitHub token', /\b(ghp_[0-9A-Za-z]{36}|github_pat_[0-9A-Za-z_]{20,})/],
    ['password key', /^\s*[\w-]*password[\w-]*\s*:/im],
  ];
  for (const [label, pattern] of patterns) if (pattern.test(text)) findings.push(label);
  const visit = (node: unknown, path: string): void => {
    if (Array.isArray(node)) return node.forEach((item, index) => visit(item, `${path}[${index}]`));
    if (!isMap(node)) return;
    for (const [key, value] of Object.entries(node)) {
      const secretName =
        /(token|secret|password|passwd|private_?key|access_?key|webhook)/i.test(key) &&
        !/^(id_tokens|AWS_ID_TOKEN)$/.test(key);
      const literal = typeof value === 'string' || typeof value === 'number';
      if (secretName && literal && !/^\$\{?[A-Z_][A-Z0-9_]*\}?$/.test(String(value)) && String(value) !== '') {
        findings.push(`${path}.${key} holds a literal value`);
      }
      visit(value, `${path}.${key}`);
    }
  };
  visit(parsed, '');
  return findings;
}

describe('.gitlab-ci.yml secrets', () => {
  it('contains no inline secrets; secrets are only $VARIABLES', () => {
    expect(inlineSecrets(raw, config)).toEqual([]);
  });

  it('would flag inline keys, webhooks, passwords and literal tokens', () => {
    const bad = [
      'variables:',
      // Built at run time so the repository itself never contains a key-shaped string.
      `  AWS_KEY: ${'AKIA'}${'ABCDEFGHIJKLMNOP'}`,
      '  SLACK: https://hooks.slack.com/services/T000/B000/xyz',
      '  DB_PASSWORD: hunter2',
      '  GITHUB_MIRROR_TOKEN: abc123',
    ].join('\n');
    expect(inlineSecrets(bad, parse(bad) as Yaml)).toEqual(
      expect.arrayContaining([
        'AWS access key',
        'Slack webhook',
        'password key',
        '.variables.GITHUB_MIRROR_TOKEN holds a literal value',
      ]),
    );
  });

  it('would flag unpinned images and deploy jobs that are not limited to main', () => {
    expect(['node', 'node:latest', 'registry.example.com:5000/tool', 'image:$TAG'].map(isPinned)).toEqual([
      false,
      false,
      false,
      false,
    ]);
    expect(
      ['node:20.20.2-bookworm', 'hashicorp/terraform:1.9.8', `alpine@sha256:${'a'.repeat(64)}`].map(isPinned),
    ).toEqual([true, true, true]);
    expect(mainOnly({ rules: [{ if: '$CI_COMMIT_BRANCH' }] })).toBe(false);
    expect(mainOnly({ rules: [{ if: '$CI_COMMIT_BRANCH == "main"' }, { when: 'always' }] })).toBe(false);
    expect(mainOnly({ only: ['main'] })).toBe(false);
  });
});
