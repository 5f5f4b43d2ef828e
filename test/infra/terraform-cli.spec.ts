/**
 * The real Terraform CLI against the real configurations, offline: fmt, init + validate of both root configurations
 * with nothing but the hashicorp/aws provider, `terraform test` of envs/prod (mocked AWS), and a plan of the data
 * module compared with the tables the app itself creates (libs/aws). In CI (CI=true) a missing terraform binary or
 * provider mirror fails this suite; elsewhere the suite is skipped with a warning that says what was not checked.
 */
import { readFileSync } from 'node:fs';
import { createTableInput, TABLES, TTL_ATTRIBUTE, type TableName } from '../../libs/aws/src/dynamodb/tables.js';
import {
  COMMAND_TIMEOUT_MS,
  type CommandResult,
  onCi,
  pluginMirror,
  terraformAvailability,
  TerraformWorkspace,
} from './terraform-cli.js';

const TEST_TIMEOUT_MS = COMMAND_TIMEOUT_MS + 60_000;
const ROOT_CONFIGURATIONS = ['terraform/bootstrap', 'terraform/envs/prod'];
const availability = terraformAvailability();

/** Status and output together, so a failure prints what Terraform said. */
const expectSuccess = (result: CommandResult): void => {
  expect({ command: result.command, status: result.status, output: result.status === 0 ? '' : result.output }).toEqual({
    command: result.command,
    status: 0,
    output: '',
  });
};

if (!availability.ok && onCi) {
  describe('terraform CLI', () => {
    it('is installed with the hashicorp/aws provider mirror (required when CI=true)', () => {
      throw new Error(
        `${availability.reason}. CI must provide terraform >= 1.8 and the aws provider under TF_PLUGIN_MIRROR.`,
      );
    });
  });
} else if (!availability.ok) {
  console.warn(
    `SKIPPED test/infra/terraform-cli.spec.ts: ${availability.reason}. Not checked here: terraform fmt, ` +
      'init + validate of terraform/bootstrap and terraform/envs/prod, terraform test of envs/prod, and the ' +
      'DynamoDB tables against libs/aws. CI (CI=true) runs them and fails without terraform.',
  );
  describe.skip('terraform CLI (not installed, see the warning above)', () => {
    it('runs fmt, validate, test and the table plan', () => undefined);
  });
} else {
  describe(`terraform CLI ${availability.version} (aws provider from ${pluginMirror})`, () => {
    let workspace: TerraformWorkspace;

    beforeAll(() => {
      workspace = new TerraformWorkspace();
    });

    afterAll(() => {
      workspace.dispose();
    });

    const init = (dir: string): void => {
      expectSuccess(workspace.run(dir, ['init', '-backend=false', '-input=false', '-no-color']));
    };

    it(
      'finds every .tf and .tftest.hcl file formatted as terraform fmt wants',
      () => {
        expectSuccess(workspace.run('.', ['fmt', '-check', '-recursive', '-diff', '-no-color', 'terraform']));
      },
      TEST_TIMEOUT_MS,
    );

    it.each(ROOT_CONFIGURATIONS)(
      'initialises %s with the hashicorp/aws provider alone and validates it',
      (dir) => {
        init(dir);
        const lock = readFileSync(workspace.path(`${dir}/.terraform.lock.hcl`), 'utf8');
        expect([...lock.matchAll(/^provider "([^"]+)"/gm)].map((match) => match[1])).toEqual([
          'registry.terraform.io/hashicorp/aws',
        ]);
        // -no-tests: `terraform test` validates the test files as it runs them; `validate` would wrongly reject the
        // run that tests the edge module on its own (hashicorp/terraform#28490, configuration_aliases in a root).
        expectSuccess(workspace.run(dir, ['validate', '-no-tests', '-no-color']));
      },
      TEST_TIMEOUT_MS,
    );

    it(
      'passes every run of terraform test in envs/prod (the composition and each module, against mocked AWS)',
      () => {
        const dir = 'terraform/envs/prod';
        init(dir);
        const result = workspace.run(dir, ['test', '-no-color']);
        expectSuccess(result);
        // Every run block must have run and passed: a skipped run would hide its assertions.
        const runs = [...readFileSync(workspace.path(`${dir}/tests/plan.tftest.hcl`), 'utf8').matchAll(/^run "/gm)];
        expect(runs.length).toBeGreaterThanOrEqual(15);
        expect(result.output).toContain(`Success! ${runs.length} passed, 0 failed.`);
        // The visitor subscriptions' grant and topic policy (the runs that assert sns:Subscribe is scoped).
        for (const run of ['apply', 'compute', 'compute_without_subscriptions', 'alerts'])
          expect(result.output).toMatch(new RegExp(`run "${run}"\\.\\.\\. pass`));
      },
      TEST_TIMEOUT_MS,
    );

    it(
      'plans exactly the DynamoDB tables, keys, indexes and TTL attribute that libs/aws defines',
      () => {
        const prefix = 'statuspage-';
        const dir = 'tables';
        // Plans the real data module with placeholder credentials: creating tables needs no AWS call at plan time.
        workspace.write(
          `${dir}/main.tf`,
          `provider "aws" {
  region                      = "eu-central-1"
  access_key                  = "offline"
  secret_key                  = "offline"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
}

module "data" {
  source       = "../terraform/modules/data"
  table_prefix = "${prefix}"
}
`,
        );
        init(dir);
        expectSuccess(
          workspace.run(dir, ['plan', '-out=tfplan', '-input=false', '-refresh=false', '-lock=false', '-no-color']),
        );
        const show = workspace.run(dir, ['show', '-json', 'tfplan']);
        expectSuccess(show);

        const planned = plannedTables(JSON.parse(show.output) as Plan);
        const fromApp = Object.fromEntries(
          (Object.keys(TABLES) as TableName[]).map((name) => [`${prefix}${name}`, appTable(name, `${prefix}${name}`)]),
        );
        expect(planned).toEqual(fromApp);
      },
      TEST_TIMEOUT_MS,
    );
  });
}

/** One table as both sides describe it; attribute and index order do not matter to DynamoDB. */
interface TableShape {
  billingMode: string;
  hashKey: string;
  rangeKey: string | null;
  attributes: Record<string, string>;
  indexes: Record<string, { hashKey: string; rangeKey: string | null; projection: string }>;
  ttlAttribute: string | null;
}

const sorted = <T>(entries: [string, T][]): Record<string, T> =>
  Object.fromEntries(entries.sort(([a], [b]) => a.localeCompare(b)));

/** The CreateTable input the app sends locally, plus the TTL attribute its adapters write. */
function appTable(name: TableName, physicalName: string): TableShape {
  const input = createTableInput(name, physicalName);
  const key = (schema: { AttributeName?: string; KeyType?: string }[] | undefined, type: 'HASH' | 'RANGE') =>
    schema?.find((element) => element.KeyType === type)?.AttributeName ?? null;
  return {
    billingMode: input.BillingMode ?? 'PROVISIONED',
    hashKey: key(input.KeySchema, 'HASH') ?? '',
    rangeKey: key(input.KeySchema, 'RANGE'),
    attributes: sorted(
      (input.AttributeDefinitions ?? []).map((attribute) => [
        attribute.AttributeName ?? '',
        attribute.AttributeType ?? '',
      ]),
    ),
    indexes: sorted(
      (input.GlobalSecondaryIndexes ?? []).map((index) => [
        index.IndexName ?? '',
        {
          hashKey: key(index.KeySchema, 'HASH') ?? '',
          rangeKey: key(index.KeySchema, 'RANGE'),
          projection: index.Projection?.ProjectionType ?? '',
        },
      ]),
    ),
    ttlAttribute: TTL_ATTRIBUTE,
  };
}

interface PlannedTable {
  name: string;
  billing_mode: string;
  hash_key: string;
  range_key: string | null;
  attribute: { name: string; type: string }[];
  global_secondary_index: { name: string; hash_key: string; range_key: string | null; projection_type: string }[];
  ttl: { attribute_name: string; enabled: boolean }[];
}

interface PlanModule {
  resources?: { type: string; values: PlannedTable }[];
  child_modules?: PlanModule[];
}

interface Plan {
  planned_values: { root_module: PlanModule };
}

function plannedTables(plan: Plan): Record<string, TableShape> {
  const resources = (module: PlanModule): { type: string; values: PlannedTable }[] => [
    ...(module.resources ?? []),
    ...(module.child_modules ?? []).flatMap(resources),
  ];
  return sorted(
    resources(plan.planned_values.root_module)
      .filter((resource) => resource.type === 'aws_dynamodb_table')
      .map(({ values: table }) => [
        table.name,
        {
          billingMode: table.billing_mode,
          hashKey: table.hash_key,
          rangeKey: table.range_key,
          attributes: sorted(table.attribute.map((attribute) => [attribute.name, attribute.type])),
          indexes: sorted(
            table.global_secondary_index.map((index) => [
              index.name,
              { hashKey: index.hash_key, rangeKey: index.range_key, projection: index.projection_type },
            ]),
          ),
          ttlAttribute: table.ttl.find((ttl) => ttl.enabled)?.attribute_name ?? null,
        },
      ]),
  );
}
