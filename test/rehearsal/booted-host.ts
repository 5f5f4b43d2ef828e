/**
 * A real host for Ansible: the cached Debian root booted with systemd as PID 1 by `systemd-nspawn -b`, on a
 * throw-away overlay (the image stays pristine), sharing the host's network. sshd listens on a loopback port of
 * the host with a key generated for this run, which is how Ansible and the checks reach it.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  appendFileSync,
  chownSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { exec, type CommandResult } from './exec.js';
import { ADMIN_USER } from './rootfs.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const RUNS_DIR = '/var/tmp';
const RUN_PREFIX = 'statuspage-rehearsal-';

const alive = (pid: number | undefined): boolean => {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export class BootedHost {
  /** The container's root as the host sees it (files can be read from here directly). */
  readonly root: string;
  readonly privateKey: string;
  readonly consoleLog: string;
  private readonly workDir: string;
  private overlay = false;
  private child: ChildProcess | null = null;

  constructor(
    private readonly image: string,
    readonly sshPort: number,
    readonly machine = `statuspage-rehearsal-${randomBytes(3).toString('hex')}`,
  ) {
    this.workDir = mkdtempSync(join(RUNS_DIR, RUN_PREFIX));
    this.root = join(this.workDir, 'root');
    this.privateKey = join(this.workDir, 'id_ed25519');
    this.consoleLog = join(this.workDir, 'console.log');
  }

  /**
   * Powers off and removes the hosts of runs whose test process died (Ctrl-C, a killed CI job), so they never pile
   * up holding the host's ports.
   */
  static sweepAbandoned(): void {
    for (const name of readdirSync(RUNS_DIR).filter((entry) => entry.startsWith(RUN_PREFIX))) {
      const dir = join(RUNS_DIR, name);
      let owner: { owner?: number; nspawn?: number } = {};
      try {
        owner = JSON.parse(readFileSync(join(dir, 'owner.json'), 'utf8')) as typeof owner;
      } catch {
        // Not started yet by a live run, or from before owner.json existed: judged by the owner below.
      }
      if (alive(owner.owner)) continue;
      if (alive(owner.nspawn)) {
        process.kill(owner.nspawn!, 'SIGKILL');
        spawnSync('sleep', ['1']);
      }
      spawnSync('umount', [join(dir, 'root')]);
      rmSync(dir, { recursive: true, force: true });
    }
  }

  /** Copy-on-write view of the image (overlayfs), or a full copy where overlay mounts are not allowed. */
  private prepareRoot(): void {
    for (const dir of ['upper', 'work', 'root']) mkdirSync(join(this.workDir, dir));
    const mount = spawnSync('mount', [
      '-t',
      'overlay',
      'overlay',
      '-o',
      `lowerdir=${this.image},upperdir=${join(this.workDir, 'upper')},workdir=${join(this.workDir, 'work')}`,
      this.root,
    ]);
    this.overlay = mount.status === 0;
    if (!this.overlay) cpSync(this.image, this.root, { recursive: true, verbatimSymlinks: true });
  }

  /** This run's SSH key and listening port, written before the first boot as cloud-init would on EC2. */
  private provisionAccess(): void {
    const keygen = spawnSync('ssh-keygen', [
      '-q',
      '-t',
      'ed25519',
      '-N',
      '',
      '-C',
      this.machine,
      '-f',
      this.privateKey,
    ]);
    if (keygen.status !== 0) throw new Error(`ssh-keygen failed: ${String(keygen.stderr)}`);
    const passwd = readFileSync(join(this.root, 'etc/passwd'), 'utf8');
    const entry = passwd.split('\n').find((line) => line.startsWith(`${ADMIN_USER}:`));
    if (!entry) throw new Error(`the image has no ${ADMIN_USER} user`);
    const [uid = 0, gid = 0] = entry.split(':').slice(2, 4).map(Number);
    const ssh = join(this.root, 'home', ADMIN_USER, '.ssh');
    writeFileSync(join(ssh, 'authorized_keys'), readFileSync(`${this.privateKey}.pub`), { mode: 0o600 });
    chownSync(join(ssh, 'authorized_keys'), uid, gid);
    // As cloud-init does on EC2: the host name resolves (sudo complains otherwise).
    writeFileSync(join(this.root, 'etc/hosts'), '127.0.0.1 localhost\n127.0.1.1 rehearsal\n::1 localhost\n');
    writeFileSync(
      join(this.root, 'etc/ssh/sshd_config.d/05-rehearsal-listen.conf'),
      `# Written before first boot by the rehearsal (the host network is shared: loopback only).\nPort ${this.sshPort}\nListenAddress 127.0.0.1\n`,
    );
  }

  async boot(timeoutMs = 120_000): Promise<void> {
    this.prepareRoot();
    this.provisionAccess();
    this.child = spawn(
      'systemd-nspawn',
      ['--quiet', '--register=no', '--keep-unit', `--machine=${this.machine}`, '-D', this.root, '-b'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    writeFileSync(join(this.workDir, 'owner.json'), JSON.stringify({ owner: process.pid, nspawn: this.child.pid }));
    const record = (chunk: Buffer) => appendFileSync(this.consoleLog, chunk);
    this.child.stdout!.on('data', record);
    this.child.stderr!.on('data', record);
    let exited = false;
    this.child.once('exit', () => (exited = true));

    const deadline = Date.now() + timeoutMs;
    while (!(await portOpen(this.sshPort))) {
      if (exited) throw new Error(`the container exited while booting:\n${this.console()}`);
      if (Date.now() > deadline) throw new Error(`sshd did not listen within ${timeoutMs} ms:\n${this.console()}`);
      await sleep(250);
    }
    // Booted far enough to log in; wait until systemd has finished starting everything.
    const state = await this.ssh('systemctl is-system-running --wait', Math.max(deadline - Date.now(), 10_000));
    if (!['running', 'degraded'].includes(state.stdout.trim()))
      throw new Error(`system state "${state.stdout.trim()}": ${state.stderr}\n${this.console()}`);
  }

  console(): string {
    try {
      return readFileSync(this.consoleLog, 'utf8').split('\n').slice(-60).join('\n');
    } catch {
      return '(no console output)';
    }
  }

  /** Options every ssh to this host uses (also handed to Ansible). */
  sshOptions(): string[] {
    return [
      '-o',
      'StrictHostKeyChecking=no',
      '-o',
      'UserKnownHostsFile=/dev/null',
      '-o',
      'IdentitiesOnly=yes',
      '-o',
      'LogLevel=ERROR',
      '-o',
      'BatchMode=yes',
    ];
  }

  /** Runs a shell command as the admin user (prefix `sudo` for root). */
  ssh(command: string, timeoutMs = 60_000): Promise<CommandResult> {
    return exec(
      'ssh',
      [...this.sshOptions(), '-i', this.privateKey, '-p', String(this.sshPort), `${ADMIN_USER}@127.0.0.1`, command],
      { timeoutMs },
    );
  }

  /** Copies a file from this machine into the host, owned by the admin user. */
  async copyIn(local: string, remote: string): Promise<void> {
    const copied = await exec(
      'scp',
      [
        ...this.sshOptions(),
        '-i',
        this.privateKey,
        '-P',
        String(this.sshPort),
        local,
        `${ADMIN_USER}@127.0.0.1:${remote}`,
      ],
      { timeoutMs: 5 * 60_000 },
    );
    if (copied.status !== 0) throw new Error(`scp ${local} → ${remote} failed: ${copied.stderr}`);
  }

  /** Files written since boot (the overlay's upper layer), or the whole root without an overlay. */
  changedFiles(): string {
    return this.overlay ? join(this.workDir, 'upper') : this.root;
  }

  /** Orderly poweroff (nspawn turns SIGTERM into one), SIGKILL after 30 s; then the overlay goes away. */
  async destroy(): Promise<void> {
    const child = this.child;
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      await exited;
      clearTimeout(timer);
    }
    if (this.overlay) spawnSync('umount', [this.root]);
    rmSync(this.workDir, { recursive: true, force: true });
  }
}
