/**
 * The rehearsal host's root filesystem: Debian 13 from Debian's own packages (debootstrap), with what the Ansible
 * roles install already in it, built once and cached under a key of everything that shapes it — so only the first
 * run pays for debootstrap, and a changed package list builds a new one instead of reusing a stale one.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const SUITE = 'trixie';
export const MIRROR = process.env.REHEARSAL_DEBIAN_MIRROR ?? 'http://deb.debian.org/debian';
export const CACHE_DIR = process.env.REHEARSAL_CACHE_DIR ?? '/var/cache/statuspage-rehearsal';
/** The login Ansible uses: an administrator with passwordless sudo, like ec2-user on Amazon Linux. */
export const ADMIN_USER = 'admin';

/** What debootstrap installs: enough to boot with systemd, log in over SSH and run Ansible modules. */
const BOOT_PACKAGES = [
  'systemd',
  'systemd-sysv',
  'dbus',
  'sudo',
  'openssh-server',
  'python3',
  'python3-apt',
  'ca-certificates',
  'iproute2',
  'procps',
];

/**
 * What the roles install (base, nodejs, app, nginx, cloudwatch_agent's export) and what dev.yml checks for, put in
 * the image so a rehearsal needs no package download once the image exists. The roles still run their package
 * tasks, which then find everything present.
 */
const ROLE_PACKAGES = [
  'unattended-upgrades',
  'jq',
  'tar',
  'gzip',
  'logrotate',
  'tzdata',
  'nodejs',
  'awscli',
  'nginx',
  'rsyslog',
  // dev.yml (a developer's machine): ansible to run it, npm and git, the benchmark tools.
  'ansible',
  'npm',
  'git',
  'wrk',
  'curl',
];

/** Runs inside the new root once: the admin login, and nothing that would bind the host's ports at boot. */
const PREPARE = `
set -eu
useradd --create-home --shell /bin/bash --groups sudo ${ADMIN_USER}
install -d -m 0700 -o ${ADMIN_USER} -g ${ADMIN_USER} /home/${ADMIN_USER}/.ssh
printf '%s ALL=(ALL) NOPASSWD:ALL\\n' ${ADMIN_USER} > /etc/sudoers.d/90-${ADMIN_USER}
chmod 0440 /etc/sudoers.d/90-${ADMIN_USER}
# The container shares the host's network: nginx must not take port 80 before the nginx role configures it.
systemctl disable nginx.service
echo rehearsal > /etc/hostname
apt-get clean
`;

/** Cache key of the image: a new suite, mirror, package or preparation step builds a new image. */
export function imageKey(): string {
  return createHash('sha256')
    .update(JSON.stringify({ SUITE, MIRROR, BOOT_PACKAGES, ROLE_PACKAGES, PREPARE }))
    .digest('hex')
    .slice(0, 16);
}

function run(command: string, args: string[], timeoutMs: number): void {
  const result = spawnSync(command, args, { encoding: 'utf8', timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 });
  if (result.status !== 0) {
    const tail = `${result.stdout ?? ''}${result.stderr ?? ''}`.split('\n').slice(-40).join('\n');
    throw new Error(`${command} ${args.join(' ')} failed (${result.status ?? result.signal}):\n${tail}`);
  }
}

/**
 * Path of the cached image, building it first when it is missing (about 2–4 min here). Built in a temporary
 * directory and renamed into place, so an interrupted build is never mistaken for a finished one. Older images
 * (other keys) are removed.
 */
export function ensureRootfs(log: (line: string) => void = () => undefined): string {
  const key = imageKey();
  const image = join(CACHE_DIR, `debian-${SUITE}-${key}`);
  if (existsSync(join(image, 'etc', 'os-release'))) {
    log(`root filesystem cached: ${image}`);
    return image;
  }
  mkdirSync(CACHE_DIR, { recursive: true });
  const building = `${image}.building-${process.pid}`;
  rmSync(building, { recursive: true, force: true });
  try {
    log(`building the root filesystem with debootstrap (${SUITE}, ${MIRROR}) into ${building}`);
    run(
      'debootstrap',
      ['--variant=minbase', `--include=${BOOT_PACKAGES.join(',')}`, SUITE, building, MIRROR],
      20 * 60_000,
    );
    // apt inside the new root (not debootstrap) resolves virtual packages and recommends-free dependency sets.
    // policy-rc.d keeps package scripts from starting services on the host while installing.
    writeFileSync(join(building, 'usr/sbin/policy-rc.d'), '#!/bin/sh\nexit 101\n', { mode: 0o755 });
    const script = [
      'set -eu',
      'export DEBIAN_FRONTEND=noninteractive',
      'apt-get update -qq',
      `apt-get install -y -qq --no-install-recommends ${ROLE_PACKAGES.join(' ')}`,
      'rm -f /usr/sbin/policy-rc.d',
      PREPARE,
    ].join('\n');
    // nspawn (not plain chroot) gives the package scripts a real /proc, /dev and the host's resolv.conf.
    run(
      'systemd-nspawn',
      ['--quiet', '--register=no', '--keep-unit', '-D', building, '/bin/sh', '-c', script],
      20 * 60_000,
    );
    renameSync(building, image);
  } catch (error) {
    rmSync(building, { recursive: true, force: true });
    throw error;
  }
  for (const entry of readdirSync(CACHE_DIR)) {
    const path = join(CACHE_DIR, entry);
    if (path !== image && entry.startsWith(`debian-${SUITE}-`) && !entry.includes('.building-'))
      rmSync(path, { recursive: true, force: true });
  }
  log(`root filesystem ready: ${image}`);
  return image;
}
