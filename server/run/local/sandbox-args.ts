import { randomBytes } from 'node:crypto';
import { lstat, mkdir, readdir, readlink, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { BOX, BUILD } from './toolchains.ts';
import type { SandboxIdentity } from './workdir.ts';

/**
 * What every sandbox sees of the host, worked out once at start: `/usr`
 * and the top-level links into it (`/bin`, `/lib`, …, binds where they are
 * real directories), and a handful of `/etc` files the toolchains read. Any
 * `/etc` path not listed here, `/home`, `/root`, `/srv`, `/var`, the
 * server's directory and data directory do not exist inside.
 */
export interface SystemView {
  args: string[];
  /** Whether this bubblewrap knows `--disable-userns` (0.8) and `--size` (0.7). */
  disableUserns: boolean;
  tmpfsSize: boolean;
}

const TOP_LEVEL = ['bin', 'sbin', 'lib', 'lib32', 'lib64', 'libx32'];
/** `/etc` entries the dynamic loader, `cc` (via alternatives) and the JDK (`/etc/java-*`) read. */
const ETC_ENTRIES = ['ld.so.cache', 'ld.so.conf', 'ld.so.conf.d', 'alternatives', 'localtime'];

/** Builds the {@link SystemView}; `etcDir` receives the sandbox's own passwd, group and hosts. */
export async function describeSystemView(etcDir: string, identity: SandboxIdentity, bwrapHelp: string): Promise<SystemView> {
  const args = ['--ro-bind', '/usr', '/usr'];
  for (const name of TOP_LEVEL) {
    const info = await lstat(`/${name}`).catch(() => undefined);
    if (info?.isSymbolicLink()) args.push('--symlink', await readlink(`/${name}`), `/${name}`);
    else if (info?.isDirectory()) args.push('--ro-bind', `/${name}`, `/${name}`);
  }
  const etc = await readdir('/etc').catch(() => [] as string[]);
  for (const name of etc) {
    if (ETC_ENTRIES.includes(name) || /^java-\d+-openjdk$/.test(name)) args.push('--ro-bind', `/etc/${name}`, `/etc/${name}`);
  }
  // Names for the sandbox's user, and localhost, without showing the host's files.
  await mkdir(etcDir, { recursive: true, mode: 0o755 });
  const own: Record<string, string> = {
    passwd: `nobody:x:${identity.uid}:${identity.gid}:nobody:/tmp:/usr/sbin/nologin\n`,
    group: `nogroup:x:${identity.gid}:\n`,
    hosts: '127.0.0.1 localhost\n::1 localhost\n',
  };
  for (const [name, content] of Object.entries(own)) {
    // Written aside and renamed: another runner on this work root may be starting a sandbox that binds it.
    const file = path.join(etcDir, name);
    const aside = `${file}.${randomBytes(4).toString('hex')}`;
    await writeFile(aside, content, { mode: 0o644 });
    await rename(aside, file);
    args.push('--ro-bind', file, `/etc/${name}`);
  }
  return { args, disableUserns: bwrapHelp.includes('--disable-userns'), tmpfsSize: bwrapHelp.includes('--size') };
}

/** What differs between two sandboxes: the run's directories, the step's needs. */
export interface SandboxSpec {
  view: SystemView;
  identity: SandboxIdentity;
  box: string;
  build: string;
  /** The compile step writes `/build`; the program only reads it. */
  buildWritable: boolean;
  /** Host paths shown read-only (reachable by the sandbox user; see `StagedBind`). */
  binds: readonly { source: string; target: string }[];
  env: Readonly<Record<string, string>>;
  tmpfsBytes: number;
  argv: readonly string[];
}

/** The environment every program starts with (`--clearenv`: nothing of the server's). */
export const BASE_ENV: Readonly<Record<string, string>> = {
  PATH: '/usr/local/bin:/usr/bin:/bin',
  HOME: '/tmp',
  TMPDIR: '/tmp',
  LANG: 'C.UTF-8',
  USER: 'nobody',
  TERM: 'dumb',
};

/** `--size` for the next `--tmpfs`, where bubblewrap knows it. */
function sized(spec: SandboxSpec): string[] {
  return spec.view.tmpfsSize ? ['--size', String(spec.tmpfsBytes)] : [];
}

/**
 * The bubblewrap command line of one sandbox: every namespace new (so no
 * network but a loopback of its own, its own pids and `/proc`), no
 * capabilities, no further user namespaces, a new session (no terminal to
 * push keystrokes into), killed with its parent, the root file system
 * read-only except the working directory and a private `/tmp`. Bubblewrap
 * writes its child's pid, then its exit code, as JSON on fd 3.
 */
export function bubblewrapArgs(spec: SandboxSpec): string[] {
  const args = [
    '--unshare-all', '--unshare-user', ...(spec.view.disableUserns ? ['--disable-userns'] : []),
    '--die-with-parent', '--new-session', '--cap-drop', 'ALL',
    '--uid', String(spec.identity.uid), '--gid', String(spec.identity.gid), '--hostname', 'pairpad',
    ...spec.view.args,
    '--proc', '/proc', '--dev', '/dev',
    // bubblewrap's /dev is a writable tmpfs of no size, and its /dev/shm a folder in it: without a memory
    // cgroup (cgroup v2 only, or a server not root) a program could fill the host's memory there. /dev/shm
    // gets a sized tmpfs of its own, and /dev is made read-only (its device nodes are binds: they still work).
    ...sized(spec), '--tmpfs', '/dev/shm', '--remount-ro', '/dev',
    ...sized(spec), '--tmpfs', '/tmp',
    '--bind', spec.box, BOX,
    spec.buildWritable ? '--bind' : '--ro-bind', spec.build, BUILD,
  ];
  for (const bind of spec.binds) args.push('--ro-bind', bind.source, bind.target);
  args.push('--remount-ro', '/', '--chdir', BOX, '--clearenv');
  for (const [name, value] of Object.entries({ ...BASE_ENV, ...spec.env })) args.push('--setenv', name, value);
  args.push('--json-status-fd', '3', '--', ...spec.argv);
  return args;
}
