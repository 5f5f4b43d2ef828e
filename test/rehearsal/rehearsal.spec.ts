/**
 * Deploy rehearsal: the production path (release archive → Ansible → systemd → nginx) converged on a real booted
 * host — a Debian 13 container with systemd as PID 1 — with local stand-ins for DynamoDB, SSM and SNS on the
 * host's loopback. Runs in `npm test` and alone with `npm run rehearse`. Needs root, systemd-nspawn, debootstrap,
 * ansible-playbook and a built app (`npm run build`); in CI a missing piece fails, elsewhere the suite says loudly
 * what it skipped.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, lstatSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Server } from 'node:http';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ensureTables, tableNames } from '@app/aws';
import dynalite from 'dynalite';
import { parse } from 'yaml';
import { NODE_ENV, NODE_FLAGS } from '../../scripts/node-runtime.mjs';
import { freePort } from '../support/app-process.js';
import { SlackReceiver } from '../support/slack-receiver.js';
import { SnsReceiver } from '../support/sns-receiver.js';
import { SsmStub } from '../support/ssm-stub.js';
import { BootedHost } from './booted-host.js';
import { exec, type CommandResult } from './exec.js';
import { ensureRootfs } from './rootfs.js';

const repoRoot = resolve(import.meta.dirname, '../..');
const ansibleDir = join(repoRoot, 'ansible');
const MINUTE = 60_000;

async function missingPrerequisites(): Promise<string[]> {
  const missing: string[] = [];
  if (process.getuid?.() !== 0) missing.push('root (systemd-nspawn and debootstrap need it)');
  for (const [command, args] of [
    ['systemd-nspawn', ['--version']],
    ['debootstrap', ['--version']],
    ['ansible-playbook', ['--version']],
    ['ssh', ['-V']],
  ] as const) {
    const found = await exec(command, [...args]).catch(() => null);
    if (found === null || found.status !== 0) missing.push(command);
  }
  if (!existsSync(join(repoRoot, 'dist/api/apps/api/src/main.js'))) missing.push('a build (npm run build)');
  return missing;
}

const missing = await missingPrerequisites();
if (missing.length > 0) {
  if (process.env.CI === 'true') throw new Error(`deploy rehearsal cannot run in CI, missing: ${missing.join(', ')}`);
  console.warn(`SKIPPED the deploy rehearsal (test/rehearsal), missing: ${missing.join(', ')}`);
}

interface Recap {
  ok: number;
  changed: number;
  unreachable: number;
  failed: number;
}

function recap(output: string, host = 'rehearsal'): Recap {
  const match = new RegExp(`${host}\\s+:\\s+ok=(\\d+)\\s+changed=(\\d+)\\s+unreachable=(\\d+)\\s+failed=(\\d+)`).exec(
    output,
  );
  if (!match) throw new Error(`no PLAY RECAP for ${host} in:\n${output.slice(-4000)}`);
  const [ok = 0, changed = 0, unreachable = 0, failed = 0] = match.slice(1).map(Number);
  return { ok, changed, unreachable, failed };
}

/** The task names that reported "changed", to say what a non-idempotent run changed. */
function changedTasks(output: string): string[] {
  const names: string[] = [];
  let task = '';
  for (const line of output.split('\n')) {
    const header = /^TASK \[(.*)\]/.exec(line);
    if (header) task = header[1] ?? '';
    else if (line.startsWith('changed:')) names.push(task);
  }
  return [...new Set(names)];
}

(missing.length > 0 ? describe.skip : describe)('deploy rehearsal on a booted Debian 13 host', () => {
  const work = mkdtempSync(join(tmpdir(), 'rehearsal-'));
  const adminToken = `sp_${randomBytes(24).toString('hex')}`;
  const adminTokenHash = createHash('sha256').update(adminToken).digest('hex');
  const awsSecretKey = randomBytes(30).toString('base64url');
  const slack = new SlackReceiver();
  const sns = new SnsReceiver();
  let ssm: SsmStub;
  let dynamo: Server;
  let host: BootedHost;
  let nginxUrl = '';
  let appPort = 0;
  let varsFile = '';
  const archives: Record<'good' | 'broken', string> = { good: '', broken: '' };
  const secrets = (): string[] => [adminTokenHash, awsSecretKey, new URL(slack.url).pathname];
  const shippedServices = (
    parse(readFileSync(join(repoRoot, 'config/services.yaml'), 'utf8')) as { services: { id: string }[] }
  ).services.map((service) => service.id);

  async function playbook(name: string, extra: Record<string, string> = {}): Promise<CommandResult & Recap> {
    const args = ['-i', 'inventories/rehearsal/hosts.yml', '-e', `@${varsFile}`];
    for (const [key, value] of Object.entries(extra)) args.push('-e', `${key}=${value}`);
    const result = await exec('ansible-playbook', [...args, `playbooks/${name}`], {
      cwd: ansibleDir,
      timeoutMs: 15 * MINUTE,
      env: {
        ...process.env,
        ANSIBLE_CONFIG: join(ansibleDir, 'ansible.cfg'),
        ANSIBLE_NOCOLOR: '1',
        ANSIBLE_FORCE_COLOR: '0',
        ANSIBLE_LOCAL_TEMP: join(work, 'ansible-local'),
      },
    });
    writeFileSync(join(work, `${name}-${Date.now()}.log`), result.stdout + result.stderr);
    return { ...result, ...recap(result.stdout) };
  }

  const sudo = async (command: string): Promise<string> => {
    const result = await host.ssh(`sudo ${command}`);
    if (result.status !== 0) throw new Error(`sudo ${command} → ${result.status}: ${result.stderr}${result.stdout}`);
    return result.stdout;
  };

  const unit = async (properties: string[]): Promise<Record<string, string>> => {
    const out = await sudo(`systemctl show statuspage -p ${properties.join(',')}`);
    const pairs = out
      .trim()
      .split('\n')
      .map((line): [string, string] => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]);
    return Object.fromEntries(pairs);
  };

  const currentRelease = async (): Promise<string> => (await sudo('readlink /opt/statuspage/current')).trim();

  beforeAll(async () => {
    const started = Date.now();
    const log = (line: string) =>
      process.stderr.write(`[rehearsal +${Math.round((Date.now() - started) / 1000)}s] ${line}\n`);
    await slack.start('/services/T0REHEARSAL/B0REHEARSAL/' + randomBytes(12).toString('hex'));
    await sns.start();
    dynamo = (dynalite as unknown as (options: object) => Server)({ createTableMs: 0 });
    await new Promise<void>((done) => dynamo.listen(0, '127.0.0.1', done));
    const dynamoPort = (dynamo.address() as { port: number }).port;
    // In AWS, Terraform (modules/data) creates the tables and the app only uses them (STORAGE=aws); here the same
    // definitions, which test/infra proves equal to Terraform's, create them in the stand-in.
    const client = new DynamoDBClient({
      endpoint: `http://127.0.0.1:${dynamoPort}`,
      region: 'eu-central-1',
      credentials: { accessKeyId: 'rehearsal', secretAccessKey: 'rehearsal' },
    });
    await ensureTables(client, tableNames('statuspage-'));
    client.destroy();
    ssm = await new SsmStub({
      '/statuspage/rehearsal/admin_token_hashes': adminTokenHash,
      '/statuspage/rehearsal/slack_webhook_url': slack.url,
      '/statuspage/rehearsal/aws_access_key_id': 'REHEARSALACCESSKEY',
      '/statuspage/rehearsal/aws_secret_access_key': awsSecretKey,
    }).start();

    log('packing the release with scripts/release.mjs');
    const released = await exec('node', ['scripts/release.mjs', '--version', 'rehearsal', '--out', work], {
      cwd: repoRoot,
      timeoutMs: 5 * MINUTE,
    });
    if (released.status !== 0) throw new Error(`npm run release failed: ${released.stderr}`);
    archives.good = released.stdout.trim().split('\n').pop()!;
    // A release that crashes at boot, like the first-boot crash this rehearsal exists to catch.
    const unpacked = join(work, 'broken');
    await exec('mkdir', ['-p', unpacked]);
    await exec('tar', ['-xzf', archives.good, '-C', unpacked]);
    writeFileSync(
      join(unpacked, 'dist/api/apps/api/src/main.js'),
      "throw new Error('rehearsal: this release is broken on purpose');\n",
    );
    archives.broken = join(work, 'statuspage-broken.tar.gz');
    await exec('tar', ['-czf', archives.broken, '-C', unpacked, '.']);

    // Before the image cache prunes old images: an abandoned run's container may still have one mounted.
    BootedHost.sweepAbandoned();
    const image = ensureRootfs(log);
    host = new BootedHost(image, await freePort());
    log(`booting ${host.machine}`);
    await host.boot();
    log('booted');

    appPort = await freePort();
    const nginxPort = await freePort();
    nginxUrl = `http://127.0.0.1:${nginxPort}`;
    varsFile = join(work, 'vars.json');
    writeFileSync(
      varsFile,
      JSON.stringify({
        ansible_port: host.sshPort,
        ansible_ssh_private_key_file: host.privateKey,
        ansible_ssh_common_args: host.sshOptions().join(' '),
        base_sshd_port: host.sshPort,
        app_port: appPort,
        nginx_listen_port: nginxPort,
        app_public_base_url: nginxUrl,
        app_sns_topic_arn: 'arn:aws:sns:eu-central-1:123456789012:statuspage-rehearsal-alerts',
        app_aws_cli_environment: {
          AWS_ENDPOINT_URL_SSM: ssm.url,
          AWS_ACCESS_KEY_ID: 'REHEARSALACCESSKEY',
          AWS_SECRET_ACCESS_KEY: 'rehearsal-cli-secret',
        },
        app_extra_env: {
          AWS_ENDPOINT_URL_DYNAMODB: `http://127.0.0.1:${dynamoPort}`,
          AWS_ENDPOINT_URL_SNS: sns.url,
        },
        app_release_archive: archives.good,
        app_release_version: 'rehearsal-a',
      }),
      { mode: 0o600 },
    );
  }, 30 * MINUTE);

  afterAll(async () => {
    await host?.destroy();
    await Promise.all([slack.stop(), sns.stop(), ssm?.stop()]);
    await new Promise<void>((done) => (dynamo ? dynamo.close(() => done()) : done()));
    if (process.env.REHEARSAL_KEEP !== '1') rmSync(work, { recursive: true, force: true });
    else process.stderr.write(`rehearsal logs kept in ${work}\n`);
  }, 2 * MINUTE);

  it(
    'site.yml converges the host, and the app serves the shipped services and the dashboard through nginx',
    async () => {
      const site = await playbook('site.yml');
      expect({ failed: site.failed, unreachable: site.unreachable, status: site.status }).toEqual({
        failed: 0,
        unreachable: 0,
        status: 0,
      });
      expect(ssm.calls.map((call) => call.target)).toContain('AmazonSSM.GetParametersByPath');

      const health = await fetch(`${nginxUrl}/api/health`);
      expect(health.status).toBe(200);
      const status = (await (await fetch(`${nginxUrl}/api/status`)).json()) as { services: { id: string }[] };
      expect(status.services.map((service) => service.id).sort()).toEqual([...shippedServices].sort());
      // Under the unit's hardening the checks run (on the probe thread): the shipped services' first checks come
      // within their 30 s interval of the start. Their hosts do not resolve here, so they fail, but are taken.
      let checked = 0;
      for (const deadline = Date.now() + 90_000; checked === 0 && Date.now() < deadline;) {
        await new Promise((done) => setTimeout(done, 2000));
        const now = (await (await fetch(`${nginxUrl}/api/status`)).json()) as { services: { lastCheck: unknown }[] };
        checked = now.services.filter((service) => service.lastCheck !== null).length;
      }
      expect(checked).toBeGreaterThan(0);
      // On the probe thread, not the main-thread fallback a release without the thread's file would fall to.
      const ready = (await (await fetch(`${nginxUrl}/api/health`)).json()) as {
        details: { scheduler: { probesRunOn: string } };
      };
      expect(ready.details.scheduler.probesRunOn).toBe('probe thread');
      const page = await fetch(`${nginxUrl}/incidents/anything`);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toMatch(/text\/html/);
      expect(await page.text()).toMatch(/<app-root/);
    },
    20 * MINUTE,
  );

  it('runs the app as its own user under the hardened unit it declares', async () => {
    const declared = (await sudo('cat /etc/systemd/system/statuspage.service'))
      .split('\n')
      .map((line) =>
        /^(NoNewPrivileges|ProtectSystem|ProtectHome|PrivateTmp|PrivateDevices|ProtectKernelTunables|ProtectKernelModules|ProtectControlGroups|RestrictSUIDSGID|LockPersonality|RestrictNamespaces|UMask|User|Group|MemoryMax)=(.*)$/.exec(
          line,
        ),
      )
      .flatMap((match): [string, string][] => (match ? [[match[1] ?? '', match[2] ?? '']] : []));
    expect(declared.length).toBeGreaterThanOrEqual(14);
    const shown = await unit([...declared.map(([key]) => key), 'ActiveState', 'SubState', 'MainPID']);
    expect(shown).toMatchObject({ ActiveState: 'active', SubState: 'running', User: 'statuspage' });
    // systemctl show prints booleans as yes/no and RestrictNamespaces as its inverse list; compare the meaning.
    const normalise = (key: string, value: string): string => {
      if (value === 'true') return 'yes';
      if (value === 'false') return 'no';
      if (key === 'RestrictNamespaces' && value === 'yes') return 'yes';
      if (key === 'MemoryMax') return String(Number.parseInt(value, 10) * 1024 * 1024);
      return value;
    };
    for (const [key, value] of declared) {
      const actual = key === 'RestrictNamespaces' ? (shown[key] === '' ? 'no' : 'yes') : shown[key];
      expect({ [key]: actual }).toEqual({ [key]: normalise(key, value) });
    }
    const owner = (await sudo(`ps -o user= -p ${shown.MainPID}`)).trim();
    expect(owner).toBe('statuspage');
    // The running process has the V8 flags and malloc setting npm start uses (scripts/node-runtime.mjs).
    const argv = (await sudo(`cat /proc/${shown.MainPID}/cmdline`)).split('\0');
    expect(argv.slice(1, 1 + NODE_FLAGS.length)).toEqual(NODE_FLAGS);
    const environ = (await sudo(`cat /proc/${shown.MainPID}/environ`)).split('\0');
    for (const [key, value] of Object.entries(NODE_ENV)) expect(environ).toContain(`${key}=${value}`);
    const security = await sudo('systemd-analyze security statuspage --no-pager');
    const exposure = /Overall exposure level for statuspage\.service:\s+([\d.]+)/.exec(security);
    expect(exposure).not.toBeNull();
    expect(Number(exposure![1])).toBeLessThan(5);
  });

  it('passes nginx -t and sends the app JSON lines to the journal (and their export for CloudWatch)', async () => {
    await expect(sudo('nginx -t 2>&1')).resolves.toMatch(/test is successful/);
    // Everything the app wrote (its syslog identifier; systemd's own lines about the unit are not the app's).
    const lines = (await sudo('journalctl -t statuspage -o cat --no-pager')).split('\n').filter(Boolean);
    expect(lines.length).toBeGreaterThan(0);
    const parsed = lines.map((line) => JSON.parse(line) as { message?: unknown; context?: unknown });
    expect(parsed.some((entry) => typeof entry.message === 'string' && /listening on/.test(entry.message))).toBe(true);
    // Nothing from the probe thread's supervisor: it logs only a thread that failed, exited, hung or could not start.
    expect(parsed.filter((entry) => entry.context === 'ProbeThread')).toEqual([]);
    const exported = (await sudo('cat /var/log/statuspage/app.log')).split('\n').filter(Boolean);
    expect(exported.length).toBeGreaterThan(0);
    expect(() => exported.map((line) => JSON.parse(line) as unknown)).not.toThrow();
    expect((await sudo('stat -c %a:%U /var/log/statuspage/app.log')).trim()).toBe('640:root');
  });

  it('hardens sshd as the base role declares', async () => {
    const effective = await sudo('sshd -T');
    for (const setting of [
      'permitrootlogin no',
      'passwordauthentication no',
      'kbdinteractiveauthentication no',
      'x11forwarding no',
      'allowtcpforwarding no',
      'maxauthtries 3',
      'allowgroups sudo',
      `listenaddress 127.0.0.1:${host.sshPort}`,
    ])
      expect(effective).toContain(setting);
  });

  it('keeps every secret out of world-readable files and out of the journal', async () => {
    expect((await sudo('stat -c %a:%U:%G /etc/statuspage/statuspage.env')).trim()).toBe('600:root:root');
    const env = await sudo('cat /etc/statuspage/statuspage.env');
    for (const secret of secrets()) expect(env).toContain(secret);

    const leaks: string[] = [];
    const walk = (dir: string): void => {
      for (const name of readdirSync(dir)) {
        const path = join(dir, name);
        const stat = lstatSync(path);
        if (stat.isDirectory()) walk(path);
        else if (stat.isFile() && stat.mode & 0o004 && stat.size < 32 * 1024 * 1024) {
          const text = readFileSync(path).toString('latin1');
          for (const secret of secrets()) if (text.includes(secret)) leaks.push(`${path} contains a secret`);
        }
      }
    };
    walk(host.changedFiles());
    expect(leaks).toEqual([]);
    const journal = await sudo('journalctl --no-pager -o cat');
    for (const secret of secrets()) expect(journal.includes(secret)).toBe(false);
  });

  it(
    'dev.yml prepares a developer checkout on the host, idempotently',
    async () => {
      // The checkout as a developer would have it: the tracked files of this working tree, in a git repository.
      const files = await exec('git', ['ls-files', '-z'], { cwd: repoRoot });
      writeFileSync(join(work, 'files'), files.stdout);
      const archive = join(work, 'checkout.tar');
      await exec('tar', ['--null', '-T', join(work, 'files'), '-cf', archive], { cwd: repoRoot });
      await host.copyIn(archive, '/home/admin/checkout.tar');
      const setup = await host.ssh(
        'mkdir -p statuspage && tar -xf checkout.tar -C statuspage && cd statuspage && git init -q && git add -A && ' +
          'git -c user.email=rehearsal@localhost -c user.name=rehearsal commit -qm checkout',
      );
      expect(setup).toMatchObject({ status: 0 });
      // Every package the role asks for by default exists in Debian 13 (installing them all here would download
      // chromium on every run; the run below installs only packages the image already has).
      const defaults = [
        '- hosts: localhost',
        '  connection: local',
        '  gather_subset: [min]',
        '  vars_files: [/home/admin/statuspage/ansible/roles/dev_env/defaults/main.yml]',
        '  tasks: [{ ansible.builtin.debug: { var: dev_env_packages } }]',
      ].join('\n');
      const packages = await host.ssh(
        `cd statuspage && printf '%s\\n' '${defaults}' > /tmp/defaults.yml && ANSIBLE_STDOUT_CALLBACK=json ansible-playbook /tmp/defaults.yml`,
      );
      const report = JSON.parse(packages.stdout) as {
        plays: { tasks: { hosts: { localhost: { dev_env_packages: string[] } } }[] }[];
      };
      const wanted = report.plays[0]!.tasks.at(-1)!.hosts.localhost;
      expect(wanted.dev_env_packages).toContain('nginx');
      const available = await host.ssh(
        `apt-cache show --no-all-versions ${wanted.dev_env_packages.join(' ')} >/dev/null`,
      );
      expect(available).toMatchObject({ status: 0, stderr: '' });

      const devPlaybook = () =>
        host.ssh(
          `cd statuspage && ANSIBLE_NOCOLOR=1 ansible-playbook ansible/playbooks/dev.yml -e '{"dev_env_packages": ["git", "wrk", "nginx"]}'`,
          10 * MINUTE,
        );
      const first = await devPlaybook();
      expect({ status: first.status, failed: recap(first.stdout, 'localhost').failed }).toEqual({
        status: 0,
        failed: 0,
      });
      expect(first.stdout).toContain('npm run rehearse');
      const second = await devPlaybook();
      expect(recap(second.stdout, 'localhost')).toMatchObject({ changed: 0, failed: 0 });
      expect((await host.ssh('git -C statuspage config core.hooksPath')).stdout.trim()).toBe('.githooks');
    },
    20 * MINUTE,
  );

  it(
    'a second site.yml run changes nothing (idempotence)',
    async () => {
      const again = await playbook('site.yml');
      expect({ failed: again.failed, changedTasks: changedTasks(again.stdout) }).toEqual({
        failed: 0,
        changedTasks: [],
      });
      expect(again.changed).toBe(0);
    },
    20 * MINUTE,
  );

  it(
    'deploy.yml switches the symlink to a new release and restarts the app',
    async () => {
      const before = await unit(['MainPID']);
      const deploy = await playbook('deploy.yml', { app_release_version: 'rehearsal-b' });
      expect({ failed: deploy.failed, status: deploy.status }).toEqual({ failed: 0, status: 0 });
      expect(await currentRelease()).toBe('/opt/statuspage/releases/rehearsal-b');
      const after = await unit(['MainPID', 'ActiveState']);
      expect(after.ActiveState).toBe('active');
      expect(after.MainPID).not.toBe(before.MainPID);
      expect((await fetch(`${nginxUrl}/api/health`)).status).toBe(200);
    },
    20 * MINUTE,
  );

  it(
    'rolls a release that fails its health check back, and the previous one keeps serving',
    async () => {
      const deploy = await playbook('deploy.yml', {
        app_release_archive: archives.broken,
        app_release_version: 'rehearsal-broken',
      });
      expect(deploy.status).not.toBe(0);
      expect(deploy.stdout).toContain('Rolled back to /opt/statuspage/releases/rehearsal-b, which is healthy');
      expect(await currentRelease()).toBe('/opt/statuspage/releases/rehearsal-b');
      expect((await unit(['ActiveState'])).ActiveState).toBe('active');
      const status = await fetch(`${nginxUrl}/api/status`);
      expect(status.status).toBe(200);
      const journal = await sudo('journalctl -u statuspage -o cat --no-pager');
      expect(journal).toContain('rehearsal: this release is broken on purpose');
    },
    20 * MINUTE,
  );
});
