/**
 * Runs the real Terraform CLI offline. Providers come from a filesystem mirror (TF_PLUGIN_MIRROR, default
 * /opt/tf-plugins) through a CLI config written for the run, and every command works on a throw-away copy of
 * terraform/ (without .terraform dirs, lock files, state, tfvars or backend.hcl), so nothing is written into the
 * repository and a developer's own terraform.tfvars cannot change the result.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { terraformRoot } from './hcl.js';

/** mock_provider / override_data (1.7) and issensitive() (1.8) in tests/plan.tftest.hcl. */
const MINIMUM_VERSION = [1, 8, 0] as const;
/** Generous: `terraform test` of envs/prod takes ~30 s on an idle 2-core machine. */
export const COMMAND_TIMEOUT_MS = 300_000;

export const pluginMirror = process.env.TF_PLUGIN_MIRROR ?? '/opt/tf-plugins';
export const onCi = process.env.CI === 'true';

export type Availability = { ok: true; version: string } | { ok: false; reason: string };

export interface CommandResult {
  command: string;
  status: number | null;
  output: string;
  seconds: number;
}

/**
 * The child sees none of the caller's TF_* or AWS_* variables: a TF_VAR_, TF_CLI_ARGS, TF_DATA_DIR or
 * TF_CLI_CONFIG_FILE (this machine sets one that does not exist) or an AWS_PROFILE must not change the outcome.
 */
function isolatedEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !key.startsWith('TF_') && !key.startsWith('AWS_')),
  );
  return { ...env, TF_IN_AUTOMATION: '1', CHECKPOINT_DISABLE: '1', ...extra };
}

function olderThan(version: string, minimum: readonly number[]): boolean {
  const parts = version.split(/[.-]/).map((part) => Number.parseInt(part, 10));
  for (const [index, wanted] of minimum.entries()) {
    const have = parts[index] ?? 0;
    if (have !== wanted) return have < wanted;
  }
  return false;
}

export function terraformAvailability(): Availability {
  const probe = spawnSync('terraform', ['version', '-json'], { encoding: 'utf8', env: isolatedEnv({}) });
  if (probe.error !== undefined || probe.status !== 0) {
    return { ok: false, reason: `no working terraform binary on PATH (${probe.error?.message ?? probe.stderr})` };
  }
  const version = (JSON.parse(probe.stdout) as { terraform_version: string }).terraform_version;
  if (olderThan(version, MINIMUM_VERSION)) {
    return { ok: false, reason: `terraform ${version} is older than ${MINIMUM_VERSION.join('.')}` };
  }
  const aws = join(pluginMirror, 'registry.terraform.io', 'hashicorp', 'aws');
  if (!existsSync(aws) || readdirSync(aws).length === 0) {
    return { ok: false, reason: `no hashicorp/aws provider in the filesystem mirror ${aws} (set TF_PLUGIN_MIRROR)` };
  }
  return { ok: true, version };
}

const NOT_COPIED = /^(\.terraform|\.terraform\.lock\.hcl|terraform\.tfstate.*|.*\.tfvars|backend\.hcl|tfplan)$/;

/** A temporary copy of terraform/ plus a CLI config that installs only hashicorp/aws, from the mirror. */
export class TerraformWorkspace {
  /** The copy of terraform/: `${root}/terraform/envs/prod` etc. */
  readonly root: string;
  private readonly env: NodeJS.ProcessEnv;

  constructor() {
    this.root = mkdtempSync(join(tmpdir(), 'statuspage-terraform-'));
    cpSync(terraformRoot, join(this.root, 'terraform'), {
      recursive: true,
      filter: (source) => !NOT_COPIED.test(basename(source)),
    });
    const config = join(this.root, 'cli.tfrc');
    writeFileSync(
      config,
      [
        'provider_installation {',
        '  filesystem_mirror {',
        `    path    = ${JSON.stringify(pluginMirror)}`,
        '    include = ["registry.terraform.io/hashicorp/aws"]',
        '  }',
        '}',
        '',
      ].join('\n'),
    );
    this.env = isolatedEnv({ TF_CLI_CONFIG_FILE: config });
  }

  path(relative: string): string {
    return join(this.root, relative);
  }

  write(relative: string, contents: string): void {
    mkdirSync(dirname(this.path(relative)), { recursive: true });
    writeFileSync(this.path(relative), contents);
  }

  /** Runs terraform with `-chdir=<dir>` (relative to the workspace root, or absolute). */
  run(dir: string, args: string[]): CommandResult {
    const chdir = dir.startsWith('/') ? dir : this.path(dir);
    const started = process.hrtime.bigint();
    const result = spawnSync('terraform', [`-chdir=${chdir}`, ...args], {
      encoding: 'utf8',
      env: this.env,
      timeout: COMMAND_TIMEOUT_MS,
      maxBuffer: 64 * 1024 * 1024,
    });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const command = `terraform -chdir=${dir} ${args.join(' ')}`;
    const failure = result.error ? `\n${result.error.message}` : '';
    return { command, status: result.status, output: `${result.stdout}${result.stderr}${failure}`, seconds };
  }

  dispose(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}
