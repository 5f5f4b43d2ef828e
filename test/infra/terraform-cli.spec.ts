/**
 * Runs the real Terraform CLI where this machine has it. `terraform fmt -check` needs only the binary; validating
 * needs provider plugins, which offline machines get from a filesystem mirror (TF_PLUGIN_MIRROR, default
 * /opt/tf-plugins). CI runs the complete `terraform validate` and `terraform test` in the terraform:validate job.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { repoRoot, terraformRoot } from './hcl.js';

const TIMEOUT = 120_000;
const hasTerraform = spawnSync('terraform', ['version'], { encoding: 'utf8' }).status === 0;
const mirror = process.env.TF_PLUGIN_MIRROR ?? '/opt/tf-plugins';
const hasAwsProvider = existsSync(join(mirror, 'registry.terraform.io', 'hashicorp', 'aws'));

function terraform(
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv = {},
): { status: number | null; output: string } {
  const result = spawnSync('terraform', args, {
    cwd,
    encoding: 'utf8',
    timeout: TIMEOUT - 10_000,
    env: { ...process.env, TF_IN_AUTOMATION: '1', CHECKPOINT_DISABLE: '1', ...env },
  });
  return { status: result.status, output: `$ terraform ${args.join(' ')}\n${result.stdout}${result.stderr}` };
}

const expectSuccess = (result: { status: number | null; output: string }): void => {
  expect(result).toEqual({ status: 0, output: expect.any(String) as unknown });
};

(hasTerraform ? describe : describe.skip)('terraform CLI (binary found on PATH)', () => {
  it(
    'is formatted as terraform fmt wants',
    () => {
      expectSuccess(terraform(['fmt', '-check', '-recursive', '-diff', 'terraform'], repoRoot));
    },
    TIMEOUT,
  );

  (hasAwsProvider ? it : it.skip)(
    `validates the AWS-only modules wired together like envs/prod (provider from ${mirror})`,
    () => {
      const dir = mkdtempSync(join(tmpdir(), 'tf-validate-'));
      try {
        const source = (name: string): string => relative(dir, join(terraformRoot, 'modules', name));
        writeFileSync(
          join(dir, 'cli.tfrc'),
          `provider_installation {\n  filesystem_mirror {\n    path    = "${mirror}"\n    include = ["registry.terraform.io/hashicorp/aws"]\n  }\n}\n`,
        );
        writeFileSync(
          join(dir, 'main.tf'),
          `
terraform {
  required_providers {
    aws = { source = "hashicorp/aws" }
  }
}
provider "aws" { region = "eu-central-1" }
provider "aws" {
  alias  = "us_east_1"
  region = "us-east-1"
}
module "network" {
  source = "${source('network')}"
  name   = "statuspage-prod"
}
module "data" {
  source = "${source('data')}"
}
module "alerts" {
  source                  = "${source('alerts')}"
  name                    = "statuspage-prod"
  alb_arn_suffix          = module.compute.alb_arn_suffix
  target_group_arn_suffix = module.compute.target_group_arn_suffix
  instance_id             = module.compute.instance_id
  dynamodb_table_names    = module.data.table_names
}
module "compute" {
  source                     = "${source('compute')}"
  name                       = "statuspage-prod"
  vpc_id                     = module.network.vpc_id
  subnet_ids                 = module.network.public_subnet_ids
  alb_security_group_id      = module.network.alb_security_group_id
  instance_security_group_id = module.network.instance_security_group_id
  zone_id                    = "Z123456"
  origin_domain_name         = "origin.status.example.com"
  origin_verify_secret       = "not-a-real-secret"
  dynamodb_table_arns        = values(module.data.table_arns)
  dynamodb_index_arns        = module.data.index_arns
  sns_topic_arn              = module.alerts.sns_topic_arn
  ssm_parameter_path         = "/statuspage/prod/"
  log_group_arn              = module.alerts.log_group_arn
}
module "edge" {
  source = "${source('edge')}"
  providers = {
    aws           = aws
    aws.us_east_1 = aws.us_east_1
  }
  name                   = "statuspage-prod"
  domain_name            = "status.example.com"
  zone_id                = "Z123456"
  api_origin_domain_name = module.compute.origin_domain_name
  origin_verify_secret   = "not-a-real-secret"
}
`,
        );
        const env = { TF_CLI_CONFIG_FILE: join(dir, 'cli.tfrc'), TF_DATA_DIR: join(dir, '.terraform') };
        expectSuccess(terraform(['init', '-backend=false', '-input=false', '-no-color'], dir, env));
        expectSuccess(terraform(['validate', '-no-color'], dir, env));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
    TIMEOUT,
  );
});
