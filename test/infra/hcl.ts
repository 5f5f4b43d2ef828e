/**
 * Loads every Terraform file of the repository through @cdktf/hcl2json (the HCL parser Terraform itself uses,
 * compiled to WASM) and offers small typed accessors plus the policy checks the infra specs assert. Each check
 * returns a list of human-readable violations so the specs can show exactly what is wrong, and so the same check
 * can be run against a known-bad fixture to prove it is able to fail.
 */
import { parse } from '@cdktf/hcl2json';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

export type Body = Record<string, unknown>;

export interface TfFile {
  /** Path relative to the repository root, e.g. terraform/modules/network/main.tf. */
  path: string;
  /** Directory relative to the repository root, e.g. terraform/modules/network. */
  dir: string;
  json: Body;
}

export interface Block {
  type: string;
  name: string;
  body: Body;
  file: TfFile;
}

export const repoRoot = join(dirname(new URL(import.meta.url).pathname), '..', '..');
export const terraformRoot = join(repoRoot, 'terraform');

export function listFiles(dir: string, suffix: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (entry.name.startsWith('.')) return [];
    const full = join(dir, entry.name);
    if (entry.isDirectory()) return listFiles(full, suffix);
    return entry.name.endsWith(suffix) ? [full] : [];
  });
}

export async function parseHcl(path: string, contents: string, root = repoRoot): Promise<TfFile> {
  const json = (await parse(path, contents)) as Body;
  const rel = relative(root, path) || path;
  return { path: rel, dir: dirname(rel), json };
}

export async function loadTerraform(dir = terraformRoot): Promise<TfFile[]> {
  const files = listFiles(dir, '.tf');
  return Promise.all(files.map((file) => parseHcl(file, readFileSync(file, 'utf8'))));
}

export function isBody(value: unknown): value is Body {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** hcl2json renders every nested block as an array of bodies; attributes stay scalars, lists or objects. */
export function nested(body: Body | undefined, key: string): Body[] {
  const value = body?.[key];
  if (Array.isArray(value)) return value.filter(isBody);
  return isBody(value) ? [value] : [];
}

export function first(body: Body | undefined, key: string): Body | undefined {
  return nested(body, key)[0];
}

export function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** Scalar attribute as text ('' for blocks, lists and absent values). */
export function text(value: unknown): string {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? String(value) : '';
}

export function strings(value: unknown): string[] {
  if (Array.isArray(value)) return value.filter((item): item is string => typeof item === 'string');
  return typeof value === 'string' ? [value] : [];
}

function labelled(files: TfFile[], kind: 'resource' | 'data', type?: string): Block[] {
  return files.flatMap((file) => {
    const byType = file.json[kind];
    if (!isBody(byType)) return [];
    return Object.entries(byType)
      .filter(([blockType]) => type === undefined || blockType === type)
      .flatMap(([blockType, byName]) =>
        isBody(byName)
          ? Object.entries(byName).flatMap(([name, bodies]) =>
              (Array.isArray(bodies) ? bodies : [bodies])
                .filter(isBody)
                .map((body) => ({ type: blockType, name, body, file })),
            )
          : [],
      );
  });
}

export const resources = (files: TfFile[], type?: string): Block[] => labelled(files, 'resource', type);
export const dataSources = (files: TfFile[], type?: string): Block[] => labelled(files, 'data', type);

/** Blocks without a type label (variable, output, module) in the same Block shape. */
export function singleLabelled(files: TfFile[], kind: 'variable' | 'output' | 'module'): Block[] {
  return files.flatMap((file) => {
    const byName = file.json[kind];
    if (!isBody(byName)) return [];
    return Object.entries(byName).flatMap(([name, bodies]) =>
      (Array.isArray(bodies) ? bodies : [bodies]).filter(isBody).map((body) => ({ type: kind, name, body, file })),
    );
  });
}

export function locals(files: TfFile[]): Body {
  return Object.assign({}, ...files.flatMap((file) => nested(file.json, 'locals'))) as Body;
}

export const where = (block: Block): string => `${block.file.path}: ${block.type}.${block.name}`;

/** "${aws_security_group.alb.id}" -> "aws_security_group.alb.id"; literals stay as they are. */
export function ref(value: unknown): string | undefined {
  const text = str(value);
  if (text === undefined) return undefined;
  const single = text.startsWith('${') && text.endsWith('}') && !text.includes('${', 2);
  return single ? text.slice(2, -1).trim() : text;
}

function portRange(body: Body): { from: number | undefined; to: number | undefined; all: boolean } {
  const protocol = (text(body.ip_protocol) || text(body.protocol)).toLowerCase();
  const all = protocol === '-1' || protocol === 'all';
  const num = (value: unknown): number | undefined => (typeof value === 'number' ? value : undefined);
  return { from: num(body.from_port), to: num(body.to_port), all };
}

const OPEN_CIDRS = ['0.0.0.0/0', '::/0'];

/** Every ingress rule in every shape Terraform allows: standalone rules, legacy rules and inline blocks. */
export function ingressRules(files: TfFile[]): Block[] {
  const standalone = resources(files, 'aws_vpc_security_group_ingress_rule');
  const legacy = resources(files, 'aws_security_group_rule').filter((block) => block.body.type === 'ingress');
  const inline = resources(files, 'aws_security_group').flatMap((block) =>
    nested(block.body, 'ingress').map((body) => ({ ...block, body, name: `${block.name}(inline ingress)` })),
  );
  return [...standalone, ...legacy, ...inline];
}

export function checkNoSsh(files: TfFile[]): string[] {
  return ingressRules(files).flatMap((rule) => {
    const { from, to, all } = portRange(rule.body);
    const cidrs = [
      ...strings(rule.body.cidr_ipv4),
      ...strings(rule.body.cidr_ipv6),
      ...strings(rule.body.cidr_blocks),
      ...strings(rule.body.ipv6_cidr_blocks),
    ];
    const problems: string[] = [];
    if (all) problems.push(`${where(rule)} allows every protocol and port`);
    if (from !== undefined && to !== undefined && from <= 22 && to >= 22) {
      problems.push(`${where(rule)} opens port 22 (SSH) — use SSM Session Manager`);
    }
    if (from === undefined || to === undefined) {
      const open = cidrs.filter((cidr) => OPEN_CIDRS.includes(cidr));
      if (open.length > 0) problems.push(`${where(rule)} opens a computed port range to ${open.join(', ')}`);
    }
    if (/\bssh\b/i.test(text(rule.body.description))) problems.push(`${where(rule)} is described as SSH`);
    return problems;
  });
}

export function checkImdsV2(files: TfFile[]): string[] {
  const hosts = [...resources(files, 'aws_instance'), ...resources(files, 'aws_launch_template')];
  return hosts.flatMap((host) => {
    const options = first(host.body, 'metadata_options');
    const problems: string[] = [];
    if (options?.http_tokens !== 'required')
      problems.push(`${where(host)}: metadata_options.http_tokens must be "required"`);
    if (options?.http_put_response_hop_limit !== 1) {
      problems.push(`${where(host)}: metadata_options.http_put_response_hop_limit must be 1`);
    }
    if (options?.http_endpoint === 'disabled')
      problems.push(`${where(host)}: IMDS disabled, the SDK cannot get credentials`);
    return problems;
  });
}

export function checkEncryption(files: TfFile[]): string[] {
  const problems: string[] = [];
  for (const instance of resources(files, 'aws_instance')) {
    const root = first(instance.body, 'root_block_device');
    if (root?.encrypted !== true) problems.push(`${where(instance)}: root_block_device.encrypted must be true`);
    if (root?.volume_type !== 'gp3') problems.push(`${where(instance)}: root_block_device.volume_type must be gp3`);
    for (const ebs of nested(instance.body, 'ebs_block_device')) {
      if (ebs.encrypted !== true) problems.push(`${where(instance)}: every ebs_block_device must be encrypted`);
    }
  }
  for (const template of resources(files, 'aws_launch_template')) {
    for (const mapping of nested(template.body, 'block_device_mappings')) {
      const ebs = first(mapping, 'ebs');
      if (ebs?.encrypted !== true)
        problems.push(`${where(template)}: every block_device_mappings ebs must be encrypted`);
      if (ebs?.volume_type !== 'gp3') problems.push(`${where(template)}: block_device_mappings ebs must be gp3`);
    }
  }
  for (const table of resources(files, 'aws_dynamodb_table')) {
    if (first(table.body, 'server_side_encryption')?.enabled !== true) {
      problems.push(`${where(table)}: server_side_encryption.enabled must be true`);
    }
    if (first(table.body, 'point_in_time_recovery')?.enabled !== true) {
      problems.push(`${where(table)}: point_in_time_recovery.enabled must be true`);
    }
  }
  for (const bucket of resources(files, 'aws_s3_bucket')) {
    const sameDir = files.filter((file) => file.dir === bucket.file.dir);
    // aws_s3_bucket.x.id, or aws_s3_bucket.x[0].id for a bucket that exists only in one mode (count)
    const bucketRef = new RegExp(`^aws_s3_bucket\\.${bucket.name}(\\[0\\])?\\.(id|bucket)$`);
    const sse = resources(sameDir, 'aws_s3_bucket_server_side_encryption_configuration').find((config) =>
      bucketRef.test(ref(config.body.bucket) ?? ''),
    );
    const algorithm = first(first(sse?.body, 'rule'), 'apply_server_side_encryption_by_default')?.sse_algorithm;
    if (!['AES256', 'aws:kms', 'aws:kms:dsse'].includes(String(algorithm))) {
      problems.push(`${where(bucket)}: no server-side encryption configuration`);
    }
    const block = resources(sameDir, 'aws_s3_bucket_public_access_block').find((config) =>
      bucketRef.test(ref(config.body.bucket) ?? ''),
    );
    for (const flag of ['block_public_acls', 'block_public_policy', 'ignore_public_acls', 'restrict_public_buckets']) {
      if (block?.body[flag] !== true) problems.push(`${where(bucket)}: public access block ${flag} must be true`);
    }
  }
  return problems;
}

/** DynamoDB and SNS grants in IAM policy documents must name actions and resources, never wildcards. */
export function checkScopedDataGrants(files: TfFile[]): string[] {
  return dataSources(files, 'aws_iam_policy_document').flatMap((doc) => {
    const statements = [
      ...nested(doc.body, 'statement'),
      ...nested(first(doc.body, 'dynamic'), 'statement').flatMap((dyn) => nested(dyn, 'content')),
    ];
    return statements.flatMap((statement) => {
      if (statement.effect === 'Deny') return [];
      const actions = strings(statement.actions);
      const resourcesOf = strings(statement.resources);
      const sid = `${where(doc)} statement ${text(statement.sid) || '?'}`;
      const problems: string[] = [];
      if (actions.includes('*')) problems.push(`${sid}: action "*"`);
      const dataActions = actions.filter((action) => /^(dynamodb|sns):/i.test(action));
      if (dataActions.length === 0) return problems;
      for (const action of dataActions) {
        if (action.includes('*')) problems.push(`${sid}: wildcard action ${action}`);
      }
      if (statement.resources === undefined) problems.push(`${sid}: no resources`);
      if (resourcesOf.some((resource) => resource === '*' || /:\*$/.test(resource))) {
        problems.push(`${sid}: resource "*" on ${dataActions.join(', ')}`);
      }
      if (statement.not_resources !== undefined || statement.not_actions !== undefined) {
        problems.push(`${sid}: not_actions/not_resources widen the grant`);
      }
      return problems;
    });
  });
}
