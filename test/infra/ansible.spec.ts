import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { NODE_ENV, NODE_FLAGS } from '../../scripts/node-runtime.mjs';
import { repoRoot } from './hcl.js';

const ansibleDir = join(repoRoot, 'ansible');
const ROLES = ['base', 'nodejs', 'app', 'nginx', 'cloudwatch_agent', 'dev_env'];
/** Playbooks for the production host; dev.yml configures a developer's own machine. */
const PRODUCTION_PLAYBOOKS = ['playbooks/deploy.yml', 'playbooks/site.yml'];
const TIMEOUT = 120_000;

type Yaml = Record<string, unknown>;
const isMap = (value: unknown): value is Yaml => typeof value === 'object' && value !== null && !Array.isArray(value);
const load = (path: string): unknown => parse(readFileSync(join(ansibleDir, path), 'utf8')) as unknown;
const yamlFiles = (dir: string): string[] =>
  existsSync(join(ansibleDir, dir))
    ? readdirSync(join(ansibleDir, dir))
        .filter((name) => /\.ya?ml$/.test(name))
        .map((name) => join(dir, name))
    : [];
const playbooks = (): string[] => yamlFiles('playbooks');

/** Tasks including those nested in block/rescue/always. */
const flatten = (tasks: unknown): Yaml[] =>
  (Array.isArray(tasks) ? tasks : [])
    .filter(isMap)
    .flatMap((task) => [task, ...['block', 'rescue', 'always'].flatMap((key) => flatten(task[key]))]);

/** Runs in ansible/ with its ansible.cfg, or, with `fromRepoRoot`, the way a developer runs dev.yml (no config). */
function run(
  command: string,
  args: string[],
  { fromRepoRoot = false }: { fromRepoRoot?: boolean } = {},
): { status: number | null; output: string } {
  const env: NodeJS.ProcessEnv = { ...process.env, ANSIBLE_NOCOLOR: '1', NO_COLOR: '1' };
  if (fromRepoRoot) delete env.ANSIBLE_CONFIG;
  else env.ANSIBLE_CONFIG = join(ansibleDir, 'ansible.cfg');
  const result = spawnSync(command, args, {
    cwd: fromRepoRoot ? repoRoot : ansibleDir,
    encoding: 'utf8',
    timeout: TIMEOUT - 5_000,
    env,
  });
  const output = `$ ${command} ${args.join(' ')}\n${result.stdout ?? ''}${result.stderr ?? ''}${result.error ? String(result.error) : ''}`;
  return { status: result.status, output };
}

/** Exit code with the full output attached, so a failure shows what ansible said. */
const expectSuccess = ({ status, output }: { status: number | null; output: string }): void => {
  expect({ status, output }).toEqual({ status: 0, output: expect.any(String) as unknown });
};

describe('ansible playbooks', () => {
  it('has site.yml and deploy.yml for the host, dev.yml for a developer machine', () => {
    expect(playbooks().sort()).toEqual(['playbooks/deploy.yml', 'playbooks/dev.yml', 'playbooks/site.yml']);
  });

  it(
    'passes ansible-playbook --syntax-check for every playbook',
    () => {
      for (const playbook of playbooks()) {
        expectSuccess(
          run('ansible-playbook', ['-i', 'inventories/prod/hosts.example.yml', '--syntax-check', playbook]),
        );
      }
    },
    TIMEOUT,
  );

  it(
    'passes ansible-lint with the production profile, offline',
    () => {
      const config = load('.ansible-lint') as Yaml;
      expect(config).toMatchObject({ offline: true, profile: 'production' });
      const result = run('ansible-lint', ['--offline']);
      expectSuccess(result);
      expect(result.output).toMatch(/Passed with production profile/);
    },
    TIMEOUT,
  );

  it(
    'resolves the static example inventory to the app group, connected over SSM',
    () => {
      const result = run('ansible-inventory', ['-i', 'inventories/prod/hosts.example.yml', '--list']);
      expectSuccess(result);
      const inventory = JSON.parse(result.output.slice(result.output.indexOf('{'))) as {
        role_app?: { hosts?: string[] };
        _meta: { hostvars: Record<string, Yaml> };
      };
      const host = inventory.role_app?.hosts?.[0] ?? '';
      expect(host).toMatch(/^i-[0-9a-f]+$/);
      expect(inventory._meta.hostvars[host]?.ansible_connection).toBe('amazon.aws.aws_ssm');
    },
    TIMEOUT,
  );

  it('targets the app group in every production play with privilege escalation', () => {
    for (const playbook of PRODUCTION_PLAYBOOKS) {
      const plays = load(playbook) as Yaml[];
      for (const play of plays)
        expect({ playbook, hosts: play.hosts, become: play.become }).toEqual({
          playbook,
          hosts: 'role_app',
          become: true,
        });
    }
  });
});

describe('ansible inventory and collections', () => {
  it('finds the instance with the amazon.aws.aws_ec2 plugin by the tags Terraform sets', () => {
    const inventory = load('inventories/prod/aws_ec2.yml') as Yaml;
    expect(inventory.plugin).toBe('amazon.aws.aws_ec2');
    expect(inventory.filters).toMatchObject({
      'tag:Project': 'statuspage',
      'tag:Role': 'app',
      'instance-state-name': 'running',
    });
    expect(inventory.compose).toMatchObject({ ansible_host: 'instance_id' });
    const compute = readFileSync(join(repoRoot, 'terraform/envs/prod/main.tf'), 'utf8');
    expect(compute).toMatch(/instance_tags\s*=\s*\{\s*Role\s*=\s*"app"\s*\}/);
  });

  it('connects over SSM with the transfer bucket, never SSH', () => {
    const vars = load('inventories/prod/group_vars/all.yml') as Yaml;
    expect(vars.ansible_connection).toBe('amazon.aws.aws_ssm');
    expect(vars.ansible_aws_ssm_bucket_name).toBe('{{ ssm_transfer_bucket }}');
    expect(Object.keys(vars).filter((key) => /ssh/i.test(key))).toEqual([]);
  });

  it('declares the collections it uses in requirements.yml', () => {
    const requirements = load('requirements.yml') as { collections: { name: string }[] };
    expect(requirements.collections.map((c) => c.name)).toEqual(
      expect.arrayContaining(['amazon.aws', 'community.general']),
    );
  });
});

describe('ansible roles (geerlingguy style)', () => {
  it('has exactly the documented roles, each with defaults, tasks, meta and a README', () => {
    expect(readdirSync(join(ansibleDir, 'roles')).sort()).toEqual([...ROLES].sort());
    for (const role of ROLES) {
      for (const file of ['defaults/main.yml', 'tasks/main.yml', 'meta/main.yml', 'README.md']) {
        expect({ role, file, exists: existsSync(join(ansibleDir, 'roles', role, file)) }).toEqual({
          role,
          file,
          exists: true,
        });
      }
    }
  });

  it.each(ROLES)('prefixes every default of role %s with the role name', (role) => {
    const defaults = load(`roles/${role}/defaults/main.yml`) as Yaml;
    const unprefixed = Object.keys(defaults).filter((key) => !key.startsWith(`${role}_`));
    expect(unprefixed).toEqual([]);
  });

  it.each(ROLES)('names every task of role %s with a full sentence', (role) => {
    const tasks = yamlFiles(`roles/${role}/tasks`).flatMap((file) =>
      flatten(load(file)).map((task) => ({ file, name: task.name })),
    );
    expect(tasks.length).toBeGreaterThan(0);
    const bad = tasks.filter(({ name }) => typeof name !== 'string' || !/^[A-Z].*\S\.$/.test(name));
    expect(bad).toEqual([]);
  });

  it('tests a service configuration in a handler that runs before every reload or restart of it', () => {
    const checks: Record<string, RegExp> = {
      'Reload nginx': /nginx -t/,
      'Reload sshd': /sshd -t/,
      'Restart the CloudWatch agent': /fetch-config/,
      'Reload systemd': /systemd-analyze verify/,
    };
    for (const role of ROLES) {
      const handlers = flatten(
        existsSync(join(ansibleDir, 'roles', role, 'handlers/main.yml')) ? load(`roles/${role}/handlers/main.yml`) : [],
      );
      handlers.forEach((handler, index) => {
        const pattern = checks[String(handler.name)];
        if (!pattern) return;
        const earlier = handlers.slice(0, index).map((h) => JSON.stringify(h));
        expect({ role, handler: handler.name, tested: earlier.some((h) => pattern.test(h)) }).toEqual({
          role,
          handler: handler.name,
          tested: true,
        });
      });
    }
    const nginxHandlers = flatten(load('roles/nginx/handlers/main.yml')).map((h) => h.name);
    expect(nginxHandlers).toEqual(['Test the nginx configuration', 'Reload nginx']);
  });

  it('marks every template as Ansible managed', () => {
    const templates = ROLES.flatMap((role) => {
      const dir = join(ansibleDir, 'roles', role, 'templates');
      return existsSync(dir) ? readdirSync(dir).map((name) => join(dir, name)) : [];
    });
    expect(templates.length).toBeGreaterThanOrEqual(6);
    for (const template of templates) {
      expect({
        template,
        managed: readFileSync(template, 'utf8').split('\n').slice(0, 3).join('\n').includes('ansible_managed'),
      }).toEqual({ template, managed: true });
    }
  });
});

/** The counts of the PLAY RECAP line for localhost. */
function recap(output: string): Record<string, number> {
  const line = output.split('\n').find((text) => /^localhost\s+:/.test(text)) ?? '';
  return Object.fromEntries([...line.matchAll(/(\w+)=(\d+)/g)].map(([, key, value]) => [key!, Number(value)]));
}

describe('the developer playbook (dev.yml)', () => {
  let checkout: string;
  beforeEach(() => {
    // A throwaway checkout: running against this repository would write the git config its worktrees share.
    checkout = mkdtempSync(join(tmpdir(), 'dev-env-'));
    const init = spawnSync('git', ['init', '--quiet', checkout], { encoding: 'utf8' });
    expect(init.status).toBe(0);
    mkdirSync(join(checkout, '.githooks'));
  });
  afterEach(() => rmSync(checkout, { recursive: true, force: true }));

  /** Only checks and hooks: installing packages needs root and the network, which a spec must not assume. */
  const devPlaybook = (repoDir: string): string[] => [
    'ansible/playbooks/dev.yml',
    '-e',
    JSON.stringify({ dev_env_repo_dir: repoDir, dev_env_packages: [], dev_env_node_packages: [] }),
  ];

  it('applies the dev_env role to localhost over a local connection, escalating only to install packages', () => {
    const plays = load('playbooks/dev.yml') as Yaml[];
    expect(plays).toEqual([
      expect.objectContaining({ hosts: 'localhost', connection: 'local', roles: [{ role: 'dev_env' }] }),
    ]);
    expect(plays[0]!.become).toBeUndefined();
    const escalated = flatten(load('roles/dev_env/tasks/main.yml')).filter((task) => task.become !== undefined);
    expect(escalated.map((task) => [Object.keys(task).find((key) => key.includes('.')), task.become])).toEqual([
      ['ansible.builtin.apt', '{{ dev_env_become }}'],
      ['ansible.builtin.apt', '{{ dev_env_become }}'],
    ]);
  });

  it('installs what the README names and checks the Node.js version package.json requires', () => {
    const defaults = load('roles/dev_env/defaults/main.yml') as Yaml;
    expect(defaults.dev_env_packages).toEqual(expect.arrayContaining(['chromium', 'wrk', 'ansible-lint']));
    // nginx for the benchmarks: nginx-light where Debian still has it (12), nginx from 13 on.
    expect(JSON.stringify(defaults.dev_env_packages)).toMatch(/nginx-light.*< 13 else 'nginx'/);
    const engines = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { engines: { node: string } })
      .engines.node;
    expect(`>=${String(defaults.dev_env_node_min_version)}`).toBe(engines);
    expect((defaults.dev_env_daily_commands as { command: string }[]).map((entry) => entry.command)).toEqual(
      expect.arrayContaining(['npm start', 'npm test', 'npm run lint', 'npm run bench', 'npm run rehearse']),
    );
  });

  it(
    'sets core.hooksPath from the repository root, and a second run changes nothing',
    () => {
      const first = run('ansible-playbook', devPlaybook(checkout), { fromRepoRoot: true });
      expectSuccess(first);
      expect(recap(first.output)).toMatchObject({ changed: 1, failed: 0 });
      const hooksPath = spawnSync('git', ['-C', checkout, 'config', '--local', 'core.hooksPath'], { encoding: 'utf8' });
      expect(hooksPath.stdout.trim()).toBe('.githooks');
      expect(first.output).toMatch(/"npm run bench +# /);
      const second = run('ansible-playbook', devPlaybook(checkout), { fromRepoRoot: true });
      expectSuccess(second);
      expect(recap(second.output)).toMatchObject({ changed: 0, failed: 0 });
    },
    TIMEOUT,
  );

  it(
    'refuses a dev_env_repo_dir that is not a checkout of this repository, naming the variable and value',
    () => {
      rmSync(join(checkout, '.githooks'), { recursive: true });
      const result = run('ansible-playbook', devPlaybook(checkout), { fromRepoRoot: true });
      expect(result.status).not.toBe(0);
      expect(result.output).toContain(`dev_env_repo_dir: '${checkout}' has no .githooks directory`);
      expect(recap(result.output)).toMatchObject({ failed: 1 });
    },
    TIMEOUT,
  );
});

describe('the app role', () => {
  const unit = (): string => readFileSync(join(ansibleDir, 'roles/app/templates/statuspage.service.j2'), 'utf8');

  it('runs the single NestJS process under a hardened systemd unit as a dedicated user', () => {
    const text = unit();
    for (const line of [
      'Restart=on-failure',
      'NoNewPrivileges=true',
      'ProtectSystem=strict',
      'PrivateTmp=true',
      'User={{ app_user }}',
      'EnvironmentFile={{ app_env_file }}',
      'CapabilityBoundingSet=',
    ]) {
      expect(text.split('\n')).toContain(line);
    }
    expect(text).toMatch(/^ExecStart=\{\{ app_node_binary \}\} \{\{ app_node_options \}\} \{\{ app_entrypoint \}\}$/m);
    expect(text).not.toMatch(/^MemoryDenyWriteExecute=true/m);
    const defaults = load('roles/app/defaults/main.yml') as Yaml;
    expect(defaults.app_entrypoint).toBe('dist/api/apps/api/src/main.js');
    expect(defaults.app_user).not.toBe('root');
    expect(defaults.app_health_check_url).toBe('http://127.0.0.1:{{ app_port }}/api/health');
  });

  it('starts Node with the same V8 flags and malloc arenas as npm start (scripts/node-runtime.mjs)', () => {
    const defaults = load('roles/app/defaults/main.yml') as Yaml;
    // The unit's own lines with the role's defaults filled in, as the template module renders them.
    const rendered = unit().replace(
      /\{\{ (app_node_options|app_malloc_arena_max|app_entrypoint) \}\}/g,
      (_, key: string) => String(defaults[key]),
    );
    const execStart = /^ExecStart=\{\{ app_node_binary \}\} (.*)$/m.exec(rendered)?.[1]?.split(' ') ?? [];
    expect(execStart.slice(0, -1)).toEqual(NODE_FLAGS);
    expect(execStart.at(-1)).toBe('dist/api/apps/api/src/main.js');
    const environment = [...rendered.matchAll(/^Environment=(\w+)=(.*)$/gm)].map(([, key, value]) => [key, value]);
    expect(Object.fromEntries(environment)).toEqual(NODE_ENV);
    // A heap limit makes V8 abort the process when it is reached: the flags must never carry one.
    expect(NODE_FLAGS.join(' ')).not.toMatch(/max-old-space-size|max-heap-size/);
  });

  it('renders the env file from SSM with mode 0600 and never logs the secrets', () => {
    const tasks = flatten(load('roles/app/tasks/config.yml'));
    const read = tasks.find((task) => JSON.stringify(task).includes('get-parameters-by-path'));
    expect(read?.no_log).toBe(true);
    const envFile = tasks.find(
      (task) => (task['ansible.builtin.template'] as Yaml | undefined)?.dest === '{{ app_env_file }}',
    );
    expect(envFile?.['ansible.builtin.template']).toMatchObject({ mode: '0600', owner: 'root' });
    expect(envFile?.no_log).toBe(true);
    const env = readFileSync(join(ansibleDir, 'roles/app/templates/statuspage.env.j2'), 'utf8');
    for (const variable of [
      'PORT',
      'STATUS_CONFIG',
      'DATA_DIR',
      'AWS_REGION',
      'DYNAMODB_TABLE_PREFIX',
      'STORAGE',
      'SNS_TOPIC_ARN',
      'SUBSCRIBERS_TOPIC_ARN',
      'SUBSCRIBE_PER_IP_PER_HOUR',
      'SUBSCRIBE_GLOBAL_PER_HOUR',
      'METRICS_PORT',
      'METRICS_HOST',
      'PUBLIC_BASE_URL',
      'TRUST_PROXY_HOPS',
      'TARGET_ALLOW_CIDRS',
      'LOG_FORMAT',
      'REPLICA_ID',
      'REPLICA_LEASE',
    ]) {
      expect(env).toMatch(new RegExp(`^${variable}=`, 'm'));
    }
    const defaults = load('roles/app/defaults/main.yml') as Yaml;
    expect(Object.keys(defaults.app_ssm_parameters as Yaml).sort()).toEqual([
      'ADMIN_TOKEN_HASHES',
      'SLACK_WEBHOOK_URL',
    ]);
  });

  it('checks /api/health after every restart, and rolls back to the previous release when that fails', () => {
    const activate = load('roles/app/tasks/activate.yml') as Yaml[];
    const block = activate[0]!;
    for (const key of ['block', 'rescue'] as const) {
      const tasks = (block[key] as Yaml[]).map((task) => JSON.stringify(task));
      const restart = tasks.findIndex((task) => task.includes('"state":"restarted"'));
      const health = tasks.findIndex((task) => task.includes('health.yml'));
      expect({ key, restart: restart >= 0, healthAfterRestart: health > restart }).toEqual({
        key,
        restart: true,
        healthAfterRestart: true,
      });
    }
    const rescue = JSON.stringify(block.rescue);
    expect(rescue).toContain('app_previous_release');
    expect(JSON.stringify((block.rescue as Yaml[]).at(-1))).toContain('ansible.builtin.fail');
    // deploy.yml runs the same role tasks, so both playbooks share one activation path.
    expect(JSON.stringify(load('roles/app/tasks/deploy.yml'))).toContain('main.yml');
    expect(JSON.stringify(load('roles/app/tasks/main.yml'))).toContain('activate.yml');
    const health = flatten(load('roles/app/tasks/health.yml'))[0]!;
    expect(health['ansible.builtin.uri']).toMatchObject({ url: '{{ app_health_check_url }}', status_code: 200 });
    expect(health.until).toBe('app_health.status == 200');
  });

  it('deploys one replica at a time and stops the rolling deploy at the first host that fails (rolled back)', () => {
    const [play] = load('playbooks/deploy.yml') as Yaml[];
    expect(play).toMatchObject({ hosts: 'role_app', serial: 1, max_fail_percentage: 0, any_errors_fatal: true });
    // every host gets a stable replica name (a restarted replica takes its shards back at once)
    const defaults = load('roles/app/defaults/main.yml') as Yaml;
    expect(defaults.app_replica_id).toContain('inventory_hostname');
  });

  it('verifies the unit file with systemd before the app is restarted with it', () => {
    const main = flatten(load('roles/app/tasks/main.yml')).map((task) => JSON.stringify(task));
    const unit = main.findIndex((task) => task.includes('statuspage.service.j2'));
    const verify = main.findIndex((task) => task.includes('systemd-analyze verify'));
    const activate = main.findIndex((task) => task.includes('activate.yml'));
    expect(unit).toBeGreaterThanOrEqual(0);
    expect(verify).toBeGreaterThan(unit);
    expect(activate).toBeGreaterThan(verify);
  });

  it('installs a Node.js that satisfies package.json: nodejs22 on Amazon Linux 2023, nodejs on Debian 13', () => {
    const engines = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { engines: { node: string } })
      .engines.node;
    const defaults = load('roles/nodejs/defaults/main.yml') as Yaml;
    expect(engines).toBe(`>=${String(defaults.nodejs_minimum_version).replace(/\.0$/, '')}`);
    expect((load('roles/nodejs/vars/RedHat.yml') as Yaml).__nodejs_packages).toEqual(['nodejs22']);
    expect((load('roles/nodejs/vars/Debian.yml') as Yaml).__nodejs_packages).toEqual(['nodejs']);
  });
});

describe('ansible roles across operating systems and controllers', () => {
  it('gives every per-OS vars file the same keys for Amazon Linux 2023 (RedHat) and Debian', () => {
    for (const role of ROLES) {
      const dir = join(ansibleDir, 'roles', role, 'vars');
      if (!existsSync(dir)) continue;
      expect({ role, files: readdirSync(dir).sort() }).toEqual({ role, files: ['Debian.yml', 'RedHat.yml'] });
      const keys = (os: string) => Object.keys(load(`roles/${role}/vars/${os}.yml`) as Yaml).sort();
      expect({ role, keys: keys('Debian') }).toEqual({ role, keys: keys('RedHat') });
      const tasks = JSON.stringify(load(`roles/${role}/tasks/${role === 'nginx' ? 'setup' : 'main'}.yml`));
      expect(tasks).toContain('{{ ansible_facts.os_family }}.yml');
    }
  });

  // The app role once copied config/services.yml while the repository ships services.yaml: the copy was skipped
  // silently and every fresh host exited 1 at its first start.
  it('points every controller-side path in role defaults at a file that exists in the repository', () => {
    const paths: string[] = [];
    for (const role of ROLES) {
      for (const [key, value] of Object.entries(load(`roles/${role}/defaults/main.yml`) as Yaml)) {
        if (typeof value === 'string' && value.includes('{{ playbook_dir }}'))
          paths.push(`${key}=${value.replace('{{ playbook_dir }}', join(ansibleDir, 'playbooks'))}`);
      }
    }
    expect(paths.length).toBeGreaterThan(0);
    for (const entry of paths) {
      const path = entry.slice(entry.indexOf('=') + 1);
      expect({ entry, exists: existsSync(path) }).toEqual({ entry, exists: true });
    }
  });
});
