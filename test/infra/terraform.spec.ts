import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  type Block,
  type Body,
  type TfFile,
  checkEncryption,
  checkImdsV2,
  checkNoSsh,
  checkScopedDataGrants,
  dataSources,
  first,
  listFiles,
  repoRoot,
  ingressRules,
  loadTerraform,
  locals,
  nested,
  parseHcl,
  ref,
  resources,
  singleLabelled,
  strings,
  terraformRoot,
  text,
  where,
} from './hcl.js';
import { type TableKey, TABLES, type TableSpec, TTL_ATTRIBUTE } from '../../libs/aws/src/dynamodb/tables.js';

const MODULES = ['network', 'edge', 'compute', 'data', 'alerts', 'ci'];
const ROOT_DIRS = ['terraform/envs/prod', 'terraform/bootstrap'];

type KeyPair = [string, string] | null;
interface TableKeys {
  hash: KeyPair;
  range: KeyPair;
  gsis: Record<string, { hash: KeyPair; range: KeyPair }>;
}

/** The app's own table definitions (libs/aws TABLES) in the shape compared with terraform/modules/data. */
const APP_TABLES: Record<string, TableKeys> = Object.fromEntries(
  Object.entries(TABLES).map(([name, table]): [string, TableKeys] => {
    const spec: TableSpec = table;
    const pair = (key: TableKey | undefined): KeyPair => (key ? [...key] : null);
    return [
      name,
      {
        hash: pair(spec.hash),
        range: pair(spec.range),
        gsis: Object.fromEntries(
          (spec.gsi ?? []).map((gsi) => [gsi.name, { hash: pair(gsi.hash), range: pair(gsi.range) }]),
        ),
      },
    ];
  }),
);
let all: TfFile[];
const inDir = (dir: string): TfFile[] => all.filter((file) => file.dir === dir);
const moduleFiles = (name: string): TfFile[] => inDir(`terraform/modules/${name}`);
const one = (blocks: Block[], description: string): Block => {
  expect({ description, count: blocks.length }).toEqual({ description, count: 1 });
  return blocks[0]!;
};
/** "data.aws_cloudfront_cache_policy.caching_disabled.id" -> the data block it points to. */
const dataFor = (files: TfFile[], expression: unknown): Block | undefined => {
  const match = /^data\.([a-z0-9_]+)\.([a-z0-9_]+)\.id$/.exec(ref(expression) ?? '');
  return match ? dataSources(files, match[1]).find((block) => block.name === match[2]) : undefined;
};
const resourceFor = (files: TfFile[], expression: unknown): Block | undefined => {
  const match = /^([a-z0-9_]+)\.([a-z0-9_]+)\.id$/.exec(ref(expression) ?? '');
  return match ? resources(files, match[1]).find((block) => block.name === match[2]) : undefined;
};

beforeAll(async () => {
  all = await loadTerraform();
});

describe('terraform layout', () => {
  it.each(MODULES)('module %s has main.tf, variables.tf, outputs.tf, versions.tf and a README', (name) => {
    const dir = join(terraformRoot, 'modules', name);
    for (const file of ['main.tf', 'variables.tf', 'outputs.tf', 'versions.tf', 'README.md']) {
      expect({ file, exists: existsSync(join(dir, file)) }).toEqual({ file, exists: true });
    }
  });

  it('has no module outside the documented set', () => {
    expect(readdirSync(join(terraformRoot, 'modules')).sort()).toEqual([...MODULES].sort());
  });

  it.each(ROOT_DIRS)('root configuration %s has the four standard files and a README', (dir) => {
    for (const file of ['main.tf', 'variables.tf', 'outputs.tf', 'versions.tf', 'README.md']) {
      expect({ file, exists: existsSync(join(terraformRoot, '..', dir, file)) }).toEqual({ file, exists: true });
    }
  });

  it('keeps every infrastructure file out of .gitignore rules, so the repository alone can deploy', () => {
    const files = [
      ...listFiles(terraformRoot, '').filter((file) => !/\.terraform|tfstate|\.tfvars$|backend\.hcl$/.test(file)),
      ...listFiles(join(repoRoot, 'ansible'), ''),
    ];
    expect(files.length).toBeGreaterThan(50);
    const ignored = spawnSync('git', ['check-ignore', '--no-index', ...files], { cwd: repoRoot, encoding: 'utf8' });
    expect(ignored.stdout.split('\n').filter(Boolean)).toEqual([]);
  });

  it('parses every .tf file and finds resources in every module', () => {
    expect(all.length).toBeGreaterThanOrEqual(MODULES.length * 4 + ROOT_DIRS.length * 4);
    for (const name of MODULES)
      expect({ name, resources: resources(moduleFiles(name)).length > 0 }).toEqual({ name, resources: true });
  });

  it.each([
    ['network', 'aws_vpc'],
    ['edge', 'aws_cloudfront_distribution'],
    ['edge', 'aws_s3_bucket'],
    ['compute', 'aws_instance'],
    ['compute', 'aws_lb'],
    ['data', 'aws_dynamodb_table'],
    ['alerts', 'aws_sns_topic'],
    ['ci', 'aws_iam_role'],
  ])('names the primary resource of module %s (%s) "this"', (name, type) => {
    expect(resources(moduleFiles(name), type).map((block) => block.name)).toContain('this');
  });

  // 5.81 made aws_iam_openid_connect_provider.thumbprint_list optional (modules/ci relies on it).
  it('pins the AWS provider to 5.81 or later within major version 5 everywhere', () => {
    const terraformBlocks = all.flatMap((file) => nested(file.json, 'terraform').map((body) => ({ file, body })));
    expect(terraformBlocks.length).toBeGreaterThanOrEqual(MODULES.length + ROOT_DIRS.length);
    for (const { file, body } of terraformBlocks) {
      const aws = first(body, 'required_providers')?.aws as Body | undefined;
      expect({ file: file.path, version: aws?.version }).toEqual({ file: file.path, version: '>= 5.81, < 6.0' });
    }
  });

  // CI and the offline machines mirror hashicorp/aws only; any other provider would stop `terraform init`.
  it('needs no provider but hashicorp/aws (terraform_data is built in)', () => {
    const required = all.flatMap((file) =>
      nested(file.json, 'terraform').flatMap((body) =>
        Object.entries(first(body, 'required_providers') ?? {}).map(([name, spec]) => ({
          file: file.path,
          name,
          source: (spec as Body).source,
        })),
      ),
    );
    expect(required.filter((provider) => provider.source !== 'hashicorp/aws').map((p) => p.file)).toEqual([]);
    const foreign = [...resources(all), ...dataSources(all)].filter(
      (block) => !block.type.startsWith('aws_') && block.type !== 'terraform_data',
    );
    expect(foreign.map(where)).toEqual([]);
  });
});

describe('terraform variables', () => {
  it('gives every variable in every module and environment a type and a description', () => {
    const variables = singleLabelled(all, 'variable');
    expect(variables.length).toBeGreaterThan(40);
    const missing = variables.filter(
      (variable) =>
        typeof variable.body.type !== 'string' ||
        typeof variable.body.description !== 'string' ||
        variable.body.description.trim().length < 10,
    );
    expect(missing.map(where)).toEqual([]);
  });

  it.each(ROOT_DIRS)('validates every root variable of %s (booleans: nullable = false)', (dir) => {
    const variables = singleLabelled(inDir(dir), 'variable');
    expect(variables.length).toBeGreaterThan(0);
    const unvalidated = variables.filter((variable) => {
      // A bool has no invalid value except null, which nullable = false rejects.
      if (variable.body.type === '${bool}') return variable.body.nullable !== false;
      const validations = nested(variable.body, 'validation');
      return validations.length === 0 || validations.some((v) => !v.condition || !v.error_message);
    });
    expect(unvalidated.map(where)).toEqual([]);
  });

  it('keeps secrets out of variable defaults and tfvars examples', () => {
    const suspicious = singleLabelled(all, 'variable').filter(
      (variable) => /secret|token|password/i.test(variable.name) && variable.body.default !== undefined,
    );
    expect(suspicious.map(where)).toEqual([]);
  });
});

describe('network security', () => {
  it('has no SSH rule and no port 22 anywhere', () => {
    expect(checkNoSsh(all)).toEqual([]);
  });

  it('lets the instance be reached only from the ALB security group on the app port', () => {
    const network = moduleFiles('network');
    const toInstance = ingressRules(network).filter(
      (rule) => ref(rule.body.security_group_id) === 'aws_security_group.instance.id',
    );
    const rule = one(toInstance, 'ingress rules on the instance security group');
    expect(ref(rule.body.referenced_security_group_id)).toBe('aws_security_group.alb.id');
    expect(rule.body.cidr_ipv4 ?? rule.body.cidr_ipv6 ?? rule.body.prefix_list_id).toBeUndefined();
    expect(rule.body.ip_protocol).toBe('tcp');
    expect(ref(rule.body.from_port)).toBe('var.app_port');
    expect(ref(rule.body.to_port)).toBe('var.app_port');
  });

  it('opens the ALB on 443 only, from the CloudFront origin-facing prefix list by default', () => {
    const network = moduleFiles('network');
    const toAlb = ingressRules(network).filter(
      (rule) => ref(rule.body.security_group_id) === 'aws_security_group.alb.id',
    );
    expect(toAlb.length).toBeGreaterThan(0);
    for (const rule of toAlb)
      expect({ rule: where(rule), from: rule.body.from_port, to: rule.body.to_port }).toEqual({
        rule: where(rule),
        from: 443,
        to: 443,
      });
    const prefixList = one(dataSources(network, 'aws_ec2_managed_prefix_list'), 'CloudFront prefix list');
    expect(prefixList.body.name).toBe('com.amazonaws.global.cloudfront.origin-facing');
    const variable = singleLabelled(network, 'variable').find((v) => v.name === 'alb_ingress_from_cloudfront_only');
    expect(variable?.body.default).toBe(true);
  });

  it('attaches no inline rules to security groups (rules are separate resources)', () => {
    const inline = resources(all, 'aws_security_group').filter(
      (sg) => sg.body.ingress !== undefined || sg.body.egress !== undefined,
    );
    expect(inline.map(where)).toEqual([]);
  });
});

describe('compute', () => {
  it('requires IMDSv2 with a hop limit of 1 on every instance', () => {
    expect(resources(all, 'aws_instance').length).toBeGreaterThan(0);
    expect(checkImdsV2(all)).toEqual([]);
  });

  it('runs Amazon Linux 2023 on a t2.small by default with a 30 GiB gp3 root volume', () => {
    const compute = moduleFiles('compute');
    const ami = one(dataSources(compute, 'aws_ami'), 'AMI lookup');
    expect(strings(first(ami.body, 'filter')?.values)).toEqual(['al2023-ami-2023.*-x86_64']);
    expect(ami.body.owners).toEqual(['amazon']);
    const variables = singleLabelled(compute, 'variable');
    expect(variables.find((v) => v.name === 'instance_type')?.body.default).toBe('t2.small');
    expect(variables.find((v) => v.name === 'root_volume_size')?.body.default).toBe(30);
    const instance = one(resources(compute, 'aws_instance'), 'instance');
    expect(ref(first(instance.body, 'root_block_device')?.volume_size)).toBe('var.root_volume_size');
    expect(instance.body.key_name).toBeUndefined();
  });

  it('offers replicas as an Auto Scaling group: every subnet, the target group, ELB health checks, instance refresh', () => {
    const compute = moduleFiles('compute');
    const group = one(resources(compute, 'aws_autoscaling_group'), 'Auto Scaling group');
    expect(ref(group.body.count)).toBe('local.autoscaling ? 1 : 0');
    expect(ref(group.body.vpc_zone_identifier)).toBe('var.subnet_ids');
    expect(strings(group.body.target_group_arns).map(ref)).toEqual(['aws_lb_target_group.this.arn']);
    expect(group.body.health_check_type).toBe('ELB');
    expect(ref(group.body.health_check_grace_period)).toBe('var.autoscaling.health_check_grace_period');
    expect(first(group.body, 'instance_refresh')?.strategy).toBe('Rolling');
    const template = one(resources(compute, 'aws_launch_template'), 'launch template');
    expect(ref(first(template.body, 'iam_instance_profile')?.name)).toBe('aws_iam_instance_profile.this.name');
    // the single instance and its target group attachment exist only without the group
    for (const type of ['aws_instance', 'aws_lb_target_group_attachment'])
      expect(ref(one(resources(compute, type), type).body.count)).toBe('local.autoscaling ? 0 : 1');
    const prod = singleLabelled(inDir('terraform/envs/prod'), 'variable').find((v) => v.name === 'replicas');
    expect(prod?.body.default).toBe(1);
  });

  it('health-checks /api/health on the target group', () => {
    const compute = moduleFiles('compute');
    const group = one(resources(compute, 'aws_lb_target_group'), 'target group');
    expect(ref(first(group.body, 'health_check')?.path)).toBe('var.health_check_path');
    expect(singleLabelled(compute, 'variable').find((v) => v.name === 'health_check_path')?.body.default).toBe(
      '/api/health',
    );
  });

  it('serves HTTPS only and forwards to the app only when the CloudFront origin header is present', () => {
    const compute = moduleFiles('compute');
    const listeners = resources(compute, 'aws_lb_listener');
    const listener = one(listeners, 'ALB listener');
    expect(listener.body.protocol).toBe('HTTPS');
    expect(listener.body.port).toBe(443);
    const fallback = first(listener.body, 'default_action');
    expect(fallback?.type).toBe('fixed-response');
    expect(first(fallback, 'fixed_response')?.status_code).toBe('403');

    const rule = one(resources(compute, 'aws_lb_listener_rule'), 'listener rule');
    expect(first(rule.body, 'action')?.type).toBe('forward');
    const header = first(first(rule.body, 'condition'), 'http_header');
    expect(ref(header?.http_header_name)).toBe('var.origin_verify_header_name');
    expect(strings(header?.values).map(ref)).toEqual(['var.origin_verify_secret']);
  });

  it('sends the same header name and secret from CloudFront and shares one generated secret in the environment', () => {
    const edge = moduleFiles('edge');
    const distribution = one(resources(edge, 'aws_cloudfront_distribution'), 'distribution');
    const apiOrigin = nested(distribution.body, 'origin').find((origin) => first(origin, 'custom_origin_config'));
    const header = first(apiOrigin, 'custom_header');
    expect(ref(header?.name)).toBe('var.origin_verify_header_name');
    expect(ref(header?.value)).toBe('var.origin_verify_secret');
    expect(first(apiOrigin, 'custom_origin_config')?.origin_protocol_policy).toBe('https-only');

    const defaults = ['compute', 'edge'].map(
      (name) =>
        singleLabelled(moduleFiles(name), 'variable').find((v) => v.name === 'origin_verify_header_name')?.body.default,
    );
    expect(defaults[0]).toBe(defaults[1]);
    for (const name of ['compute', 'edge']) {
      const secret = singleLabelled(moduleFiles(name), 'variable').find((v) => v.name === 'origin_verify_secret');
      expect({ name, sensitive: secret?.body.sensitive }).toEqual({ name, sensitive: true });
    }

    const prod = inDir('terraform/envs/prod');
    const modules = singleLabelled(prod, 'module');
    const secretOf = (name: string): string | undefined =>
      ref(modules.find((m) => m.name === name)?.body.origin_verify_secret);
    expect(secretOf('compute')).toBe('local.origin_verify_secret');
    expect(secretOf('edge')).toBe('local.origin_verify_secret');
    expect(locals(prod).origin_verify_secret).toBe('${sensitive(terraform_data.origin_verify.output)}');
  });

  it('keeps the AWS-generated origin secret stable across plans until it is replaced on purpose', () => {
    const prod = inDir('terraform/envs/prod');
    const holder = one(resources(prod, 'terraform_data'), 'terraform_data holding the origin secret');
    expect(holder.name).toBe('origin_verify');
    expect(holder.body.input).toBe(
      '${sensitive(data.aws_secretsmanager_random_password.origin_verify.random_password)}',
    );
    // Without ignore_changes every plan would take GetRandomPassword's new answer and rewrite CloudFront and the ALB.
    expect(strings(first(holder.body, 'lifecycle')?.ignore_changes).map(ref)).toEqual(['input']);
    const generator = one(dataSources(prod, 'aws_secretsmanager_random_password'), 'password generator');
    expect(generator.body).toMatchObject({ exclude_punctuation: true });
    expect(Number(generator.body.password_length)).toBeGreaterThanOrEqual(32);
  });

  it('grants the instance role DynamoDB, SNS, SSM and logs without wildcards, plus SSM core', () => {
    expect(checkScopedDataGrants(all)).toEqual([]);
    const compute = moduleFiles('compute');
    const doc = dataSources(compute, 'aws_iam_policy_document').find((d) => d.name === 'app')!;
    const statements = nested(doc.body, 'statement');
    const bySid = (sid: string): Body | undefined => statements.find((s) => s.sid === sid);
    expect(strings(bySid('PublishAlerts')?.actions)).toEqual(['sns:Publish']);
    expect(strings(bySid('PublishAlerts')?.resources).map(ref)).toEqual(['var.sns_topic_arn']);
    expect(ref(bySid('DynamoDbDataPlane')?.resources)).toBe('var.dynamodb_table_arns');
    expect(ref(bySid('DynamoDbIndexQueries')?.resources)).toBe('var.dynamodb_index_arns');
    expect(strings(bySid('ReadAppParameters')?.actions).sort()).toEqual([
      'ssm:GetParameter',
      'ssm:GetParameters',
      'ssm:GetParametersByPath',
    ]);
    expect(strings(bySid('ReadAppParameters')?.resources).map(ref)).toEqual([
      'local.ssm_path_arn',
      '${local.ssm_path_arn}/*',
    ]);
    const attachments = resources(compute, 'aws_iam_role_policy_attachment').map((a) => text(a.body.policy_arn));
    expect(attachments).toEqual([expect.stringMatching(/:iam::aws:policy\/AmazonSSMManagedInstanceCore$/)]);
    const dynamic = nested(first(doc.body, 'dynamic'), 'statement');
    const logs = dynamic.flatMap((d) => nested(d, 'content'));
    expect(strings(logs[0]?.actions)).toEqual(['logs:CreateLogStream', 'logs:DescribeLogStreams', 'logs:PutLogEvents']);
    // sns:Subscribe exists only in the visitor statement, whose one resource is the subscribers topic variable.
    const visitors = logs.find((content) => text(content.sid) === 'VisitorSubscriptions');
    expect(strings(visitors?.actions)).toEqual(['sns:Publish', 'sns:Subscribe']);
    expect(strings(visitors?.resources).map(ref)).toEqual(['statement.value']);
    expect(dynamic.map((d) => ref(d.for_each))).toContain(
      'var.subscribers_topic_arn == null ? [] : [var.subscribers_topic_arn]',
    );
    expect(statements.filter((s) => strings(s.actions).includes('sns:Subscribe'))).toEqual([]);
  });

  it('attaches IAM policies only from policy documents (so the wildcard check sees them)', () => {
    const inline = [...resources(all, 'aws_iam_role_policy'), ...resources(all, 'aws_iam_policy')].filter(
      (policy) => !/^data\.aws_iam_policy_document\.[a-z0-9_]+\.json$/.test(ref(policy.body.policy) ?? ''),
    );
    expect(inline.map(where)).toEqual([]);
  });
});

describe('encryption', () => {
  it('encrypts the root volume, every DynamoDB table and every S3 bucket, and blocks public access on buckets', () => {
    expect(resources(all, 'aws_s3_bucket').length).toBeGreaterThanOrEqual(3);
    expect(checkEncryption(all)).toEqual([]);
  });
});

describe('edge', () => {
  let edge: TfFile[];
  let distribution: Block;
  beforeAll(() => {
    edge = moduleFiles('edge');
    distribution = resources(edge, 'aws_cloudfront_distribution')[0]!;
  });

  it('reads the dashboard bucket through Origin Access Control only', () => {
    const oac = one(resources(edge, 'aws_cloudfront_origin_access_control'), 'OAC');
    expect(oac.body).toMatchObject({
      origin_access_control_origin_type: 's3',
      signing_behavior: 'always',
      signing_protocol: 'sigv4',
    });
    const s3Origin = nested(distribution.body, 'origin').find(
      (origin) => origin.origin_access_control_id !== undefined,
    );
    expect(ref(s3Origin?.origin_access_control_id)).toBe('aws_cloudfront_origin_access_control.this.id');
    expect(ref(s3Origin?.domain_name)).toBe('aws_s3_bucket.this.bucket_regional_domain_name');
    expect(first(s3Origin, 's3_origin_config')).toBeUndefined();

    const policy = dataSources(edge, 'aws_iam_policy_document').find((d) => d.name === 'bucket')!;
    const allow = nested(policy.body, 'statement').find((s) => s.effect !== 'Deny')!;
    expect(first(allow, 'principals')?.identifiers).toEqual(['cloudfront.amazonaws.com']);
    expect(first(allow, 'condition')).toMatchObject({
      variable: 'AWS:SourceArn',
      values: ['${aws_cloudfront_distribution.this.arn}'],
    });
    expect(resources(edge, 'aws_s3_bucket_website_configuration')).toEqual([]);
  });

  it('routes /api/admin/* uncached, forwarding Authorization, for every write method — before /api/*', () => {
    const behaviours = nested(distribution.body, 'ordered_cache_behavior');
    const patterns = behaviours.map((b) => b.path_pattern);
    expect(patterns.indexOf('/api/admin/*')).toBeGreaterThanOrEqual(0);
    expect(patterns.indexOf('/api/admin/*')).toBeLessThan(patterns.indexOf('/api/*'));

    const admin = behaviours.find((b) => b.path_pattern === '/api/admin/*')!;
    expect(dataFor(edge, admin.cache_policy_id)?.body.name).toBe('Managed-CachingDisabled');
    // An origin request policy cannot whitelist Authorization; only the managed all-viewer policies forward it.
    expect(dataFor(edge, admin.origin_request_policy_id)?.body.name).toMatch(/^Managed-AllViewer(ExceptHostHeader)?$/);
    expect(strings(admin.allowed_methods)).toEqual(expect.arrayContaining(['POST', 'PUT', 'PATCH', 'DELETE']));
    expect(admin.viewer_protocol_policy).toBe('https-only');
    expect(ref(admin.target_origin_id)).toBe('local.api_origin_id');
  });

  it('caches /api/* (status and public GETs) only as the origin Cache-Control says, without forwarding credentials', () => {
    const api = nested(distribution.body, 'ordered_cache_behavior').find((b) => b.path_pattern === '/api/*')!;
    expect(ref(api.target_origin_id)).toBe('local.api_origin_id');
    const cachePolicy = resourceFor(edge, api.cache_policy_id);
    expect(cachePolicy?.body).toMatchObject({ min_ttl: 0, default_ttl: 0 });
    const originPolicy = resourceFor(edge, api.origin_request_policy_id);
    const headers = first(originPolicy?.body, 'headers_config');
    expect(headers?.header_behavior).toBe('whitelist');
    expect(strings(first(headers, 'headers')?.items).map((h) => h.toLowerCase())).not.toContain('authorization');
    expect(first(first(originPolicy?.body, 'cookies_config'), 'cookies')).toBeUndefined();
  });

  it('serves the dashboard from S3 by default over HTTPS with a us-east-1, DNS-validated certificate', () => {
    const fallback = first(distribution.body, 'default_cache_behavior')!;
    expect(ref(fallback.target_origin_id)).toBe('local.s3_origin_id');
    expect(fallback.viewer_protocol_policy).toBe('redirect-to-https');
    const certificate = one(resources(edge, 'aws_acm_certificate'), 'CloudFront certificate');
    expect(ref(certificate.body.provider)).toBe('aws.us_east_1');
    expect(certificate.body.validation_method).toBe('DNS');
    expect(ref(first(distribution.body, 'viewer_certificate')?.acm_certificate_arn)).toBe(
      'aws_acm_certificate_validation.this.certificate_arn',
    );
    const aliases = resources(edge, 'aws_route53_record').filter((r) => first(r.body, 'alias'));
    expect(aliases.length).toBeGreaterThan(0);
  });
});

describe('data', () => {
  // The parsed HCL needs no terraform binary; terraform-cli.spec.ts compares the planned tables as well.
  it('declares exactly the tables, keys and GSIs of the app (libs/aws TABLES) in one map', () => {
    const tables = locals(moduleFiles('data')).tables as Record<string, Body>;
    const simplify = (key: unknown): KeyPair =>
      key === null || key === undefined ? null : [text((key as Body).name), text((key as Body).type)];
    const actual = Object.fromEntries(
      Object.entries(tables).map(([name, table]) => [
        name,
        {
          hash: simplify(table.hash_key),
          range: simplify(table.range_key),
          gsis: Object.fromEntries(
            Object.entries((table.gsis ?? {}) as Record<string, Body>).map(([gsi, def]) => [
              gsi,
              { hash: simplify(def.hash_key), range: simplify(def.range_key) },
            ]),
          ),
        },
      ]),
    );
    expect(Object.keys(APP_TABLES).length).toBeGreaterThanOrEqual(6);
    expect(actual).toEqual(APP_TABLES);
  });

  it('creates every table on-demand with TTL on the app TTL attribute, PITR, SSE and ALL-projected GSIs', () => {
    const data = moduleFiles('data');
    const table = one(resources(data, 'aws_dynamodb_table'), 'table resource');
    expect(ref(table.body.for_each)).toBe('local.tables');
    expect(table.body.billing_mode).toBe('PAY_PER_REQUEST');
    expect(ref(table.body.name)).toBe('${var.table_prefix}${each.key}');
    expect(ref(first(table.body, 'ttl')?.attribute_name)).toBe('local.ttl_attribute');
    expect(first(table.body, 'ttl')?.enabled).toBe(true);
    expect(locals(data).ttl_attribute).toBe(TTL_ATTRIBUTE);
    const gsi = nested(first(table.body, 'dynamic'), 'global_secondary_index').flatMap((d) => nested(d, 'content'));
    expect(gsi[0]?.projection_type).toBe('ALL');
    expect(singleLabelled(data, 'variable').find((v) => v.name === 'table_prefix')?.body.default).toBe('statuspage-');
  });
});

describe('alerts', () => {
  it('alarms on ALB 5xx, unhealthy hosts, EC2 status checks and DynamoDB throttles into the SNS topic', () => {
    const alarms = resources(moduleFiles('alerts'), 'aws_cloudwatch_metric_alarm');
    const metrics = alarms.flatMap((alarm) => [
      text(alarm.body.metric_name),
      ...nested(alarm.body, 'metric_query').flatMap((q) => nested(q, 'metric').map((m) => text(m.metric_name))),
    ]);
    expect(metrics).toEqual(
      expect.arrayContaining([
        'HTTPCode_ELB_5XX_Count',
        'HTTPCode_Target_5XX_Count',
        'UnHealthyHostCount',
        'StatusCheckFailed',
        'ReadThrottleEvents',
        'WriteThrottleEvents',
      ]),
    );
    for (const alarm of alarms)
      expect({ alarm: where(alarm), actions: ref(alarm.body.alarm_actions) }).toEqual({
        alarm: where(alarm),
        actions: 'local.alarm_actions',
      });
    const subscription = one(resources(moduleFiles('alerts'), 'aws_sns_topic_subscription'), 'e-mail subscription');
    expect(subscription.body.protocol).toBe('email');
  });
});

describe('ci', () => {
  it('trusts only GitLab id_tokens of one project on main', () => {
    const ci = moduleFiles('ci');
    const assume = dataSources(ci, 'aws_iam_policy_document').find((d) => d.name === 'assume')!;
    const statement = nested(assume.body, 'statement')[0]!;
    expect(strings(statement.actions)).toEqual(['sts:AssumeRoleWithWebIdentity']);
    const conditions = nested(statement, 'condition');
    const sub = conditions.find((c) => text(c.variable).endsWith(':sub'));
    expect(sub?.test).toBe('StringEquals');
    expect(strings(sub?.values)).toEqual([
      'project_path:${var.gitlab_project_path}:ref_type:branch:ref:${var.gitlab_branch}',
    ]);
    expect(conditions.find((c) => text(c.variable).endsWith(':aud'))?.test).toBe('StringEquals');
    const branch = singleLabelled(inDir('terraform/envs/prod'), 'variable').find((v) => v.name === 'gitlab_branch');
    expect(branch?.body.default).toBe('main');
    const provider = one(resources(ci, 'aws_iam_openid_connect_provider'), 'OIDC provider');
    expect(provider.body.url).toBe('${var.gitlab_url}');
    // IAM trusts GitLab's certificate through its own root CA library; a pinned thumbprint would only go stale.
    expect(provider.body.thumbprint_list).toBeUndefined();
  });

  it('keeps remote state in S3 with locking', () => {
    const backend = first(
      nested(inDir('terraform/envs/prod').find((f) => f.path.endsWith('versions.tf'))?.json, 'terraform')[0],
      'backend',
    );
    const s3 = first(backend, 's3');
    expect(s3?.encrypt).toBe(true);
    expect(typeof s3?.key).toBe('string');
    const lock = resources(inDir('terraform/bootstrap'), 'aws_dynamodb_table');
    expect(one(lock, 'lock table').body.hash_key).toBe('LockID');
    expect(existsSync(join(terraformRoot, 'envs/prod/terraform.tfvars.example'))).toBe(true);
    expect(existsSync(join(terraformRoot, 'envs/prod/backend.hcl.example'))).toBe(true);
  });
});

describe('the policy checks can fail', () => {
  const fixture = (hcl: string): Promise<TfFile[]> => parseHcl('fixture/main.tf', hcl).then((file) => [file]);

  it('flags SSH from anywhere, an all-ports rule and an inline SSH block', async () => {
    const bad = await fixture(`
      resource "aws_vpc_security_group_ingress_rule" "ssh" {
        security_group_id = "sg-1"
        ip_protocol = "tcp"
        from_port = 22
        to_port = 22
        cidr_ipv4 = "0.0.0.0/0"
      }
      resource "aws_vpc_security_group_ingress_rule" "everything" {
        security_group_id = "sg-1"
        ip_protocol = "-1"
        cidr_ipv4 = "10.0.0.0/8"
      }
      resource "aws_security_group" "legacy" {
        ingress {
          from_port = 0
          to_port = 1024
          protocol = "tcp"
          cidr_blocks = ["0.0.0.0/0"]
        }
      }`);
    expect(checkNoSsh(bad)).toHaveLength(3);
  });

  it('flags IMDSv1 and a hop limit above 1', async () => {
    const bad = await fixture(`
      resource "aws_instance" "a" {
        metadata_options {
          http_tokens = "optional"
          http_put_response_hop_limit = 2
        }
      }`);
    expect(checkImdsV2(bad)).toHaveLength(2);
  });

  it('flags an unencrypted volume, table and bucket', async () => {
    const bad = await fixture(`
      resource "aws_instance" "a" {
        root_block_device {
          volume_type = "gp2"
        }
      }
      resource "aws_dynamodb_table" "t" {
        point_in_time_recovery { enabled = true }
      }
      resource "aws_s3_bucket" "b" {}
      resource "aws_s3_bucket_public_access_block" "b" {
        bucket = aws_s3_bucket.b.id
        block_public_acls = true
        block_public_policy = true
        ignore_public_acls = true
        restrict_public_buckets = false
      }`);
    expect(checkEncryption(bad)).toEqual([
      expect.stringContaining('encrypted must be true'),
      expect.stringContaining('volume_type must be gp3'),
      expect.stringContaining('server_side_encryption'),
      expect.stringContaining('no server-side encryption'),
      expect.stringContaining('restrict_public_buckets'),
    ]);
  });

  it('flags an unencrypted or non-gp3 launch template volume and IMDSv1 on a launch template', async () => {
    const bad = await fixture(`
      resource "aws_launch_template" "lt" {
        metadata_options {
          http_tokens = "optional"
          http_put_response_hop_limit = 1
        }
        block_device_mappings {
          device_name = "/dev/xvda"
          ebs {
            volume_type = "gp2"
          }
        }
      }`);
    expect(checkEncryption(bad)).toEqual([
      expect.stringContaining('must be encrypted'),
      expect.stringContaining('must be gp3'),
    ]);
    expect(checkImdsV2(bad)).toEqual([expect.stringContaining('http_tokens')]);
  });

  it('flags wildcard DynamoDB and SNS grants', async () => {
    const bad = await fixture(`
      data "aws_iam_policy_document" "p" {
        statement {
          actions = ["dynamodb:*"]
          resources = ["arn:aws:dynamodb:eu-central-1:123456789012:table/x"]
        }
        statement {
          actions = ["sns:Publish"]
          resources = ["*"]
        }
        statement {
          actions = ["*"]
          resources = ["arn:aws:s3:::b"]
        }
      }`);
    expect(checkScopedDataGrants(bad)).toHaveLength(3);
  });
});
