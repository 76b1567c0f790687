import { execFile } from 'node:child_process';
import { access, constants, realpath, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Language } from '../../../shared/protocol.ts';
import type { RunJob, RunLimits, Runtime } from '../runner.ts';

const run = promisify(execFile);

/** A host file or directory shown read-only in the sandbox at `target`. */
export interface ReadOnlyBind {
  source: string;
  target: string;
}

/** One step of a run, as a command inside the sandbox (its working directory is `/box`). */
export interface StepCommand {
  argv: string[];
  /** Added to the sandbox's minimal environment. */
  env?: Record<string, string>;
}

/** How one installed language compiles and runs a room's program. */
export interface Toolchain {
  runtime: Runtime;
  /** What the toolchain needs beyond `/usr` (a toolchain under `/root`, a binary in `node_modules`). */
  binds: ReadOnlyBind[];
  /** The compile step, writing into `/build`; undefined for interpreted languages. */
  compile?(job: RunJob): StepCommand;
  run(job: RunJob): StepCommand;
}

/** Where the sandbox finds a room's files, and where compilers write. */
export const BOX = '/box';
export const BUILD = '/build';

/** The path as given, or `./path` for one starting with `-`, so it is never read as an option. */
function local(file: string): string {
  return file.startsWith('-') ? `./${file}` : file;
}

function filesWithExtension(job: RunJob, extensions: readonly string[]): string[] {
  return job.files.map((file) => file.path).filter((file) => extensions.some((extension) => file.endsWith(extension)));
}

/** JVM flags that size it to the run's memory limit (the JVM cannot see the cgroup from inside the sandbox). */
function jvmFlags(limits: RunLimits): string[] {
  return [
    `-XX:MaxRAM=${limits.memoryMb}m`, '-XX:MaxRAMPercentage=60', '-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1',
    '-XX:-UsePerfData', '-Xss1m', '-XX:ReservedCodeCacheSize=32m',
  ];
}

/** The class `java` starts: the entry file's name, in the package it declares. */
export function javaMainClass(job: RunJob): string {
  const entry = job.files.find((file) => file.path === job.entry);
  const name = path.posix.basename(job.entry).replace(/\.java$/, '');
  const declared = /^\s*package\s+([\p{L}_$][\p{L}\p{N}_$]*(?:\s*\.\s*[\p{L}_$][\p{L}\p{N}_$]*)*)\s*;/mu.exec(entry?.content ?? '');
  return declared ? `${declared[1]!.replace(/\s+/g, '')}.${name}` : name;
}

async function firstLine(file: string, args: string[]): Promise<string | undefined> {
  try {
    // HOME: rustup's proxy finds its toolchains under it.
    const { stdout, stderr } = await run(file, args, { timeout: 15_000, env: { PATH: '/usr/bin:/bin', LANG: 'C.UTF-8', HOME: os.homedir() } });
    return (stdout.trim() || stderr.trim()).split('\n')[0]?.trim();
  } catch {
    return undefined;
  }
}

async function executable(file: string, resolve = true): Promise<string | undefined> {
  try {
    await access(file, constants.X_OK);
    return resolve ? await realpath(file) : file;
  } catch {
    return undefined;
  }
}

/** The first of `names` found in `dirs`, resolved through symlinks (`/usr/bin/java` → the JDK's). */
async function findExecutable(names: readonly string[], dirs: readonly string[], resolve = true): Promise<string | undefined> {
  for (const dir of dirs) {
    for (const name of names) {
      const found = await executable(path.join(dir, name), resolve);
      if (found) return found;
    }
  }
  return undefined;
}

/** True when `file` lies under `/usr`, which every sandbox sees read-only anyway. */
function underUsr(file: string): boolean {
  return file.startsWith('/usr/');
}

/** What the toolchain detection looks in besides the system directories. */
export interface ToolchainSearch {
  /** Directories searched for compilers after `/usr/bin` (the server's PATH, `~/.cargo/bin`, `/usr/local/go/bin`). */
  extraPath: readonly string[];
}

const SYSTEM_BIN = ['/usr/local/bin', '/usr/bin'];

/**
 * Finds the installed toolchains, each probed once for its version (in
 * parallel, with `execFile`: nothing blocks the loop). The `python3` on a
 * developer's PATH may be a pyenv shim, so the system's is preferred.
 */
export async function detectToolchains(search: ToolchainSearch): Promise<Map<Language, Toolchain>> {
  const dirs = [...SYSTEM_BIN, ...search.extraPath.filter((dir) => path.isAbsolute(dir) && !dir.includes('pyenv'))];
  const found = await Promise.all([
    detectPython(), detectNode(), detectC(dirs), detectJava(), detectShell(), detectRust(dirs), detectGo(dirs),
  ]);
  const toolchains = new Map<Language, Toolchain>();
  for (const group of found) for (const toolchain of group) toolchains.set(toolchain.runtime.language, toolchain);
  return toolchains;
}

async function detectPython(): Promise<Toolchain[]> {
  const python = await findExecutable(['python3'], SYSTEM_BIN);
  if (!python || !underUsr(python)) return [];
  const version = (await firstLine(python, ['--version']))?.replace(/^Python\s+/, '');
  if (!version) return [];
  return [{
    runtime: { language: 'python', version, aliases: ['py', 'python3'] },
    binds: [],
    run: (job) => ({
      argv: [python, '-s', local(job.entry), ...job.args],
      // Unbuffered, so the room sees output as it is printed; no __pycache__ among the room's files.
      env: { PYTHONUNBUFFERED: '1', PYTHONDONTWRITEBYTECODE: '1', PYTHONIOENCODING: 'utf-8' },
    }),
  }];
}

/** The esbuild binary shipped with the `esbuild` package (the native one for this platform). */
async function findEsbuild(): Promise<string | undefined> {
  try {
    const require = createRequire(import.meta.url);
    const packageDir = path.dirname(require.resolve('esbuild/package.json'));
    const candidates = [path.join(packageDir, 'bin', 'esbuild')];
    try {
      candidates.unshift(require.resolve(`@esbuild/${process.platform}-${process.arch}/bin/esbuild`));
    } catch {
      // Installed without the optional platform package: esbuild's own bin may be native.
    }
    for (const candidate of candidates) {
      const file = await executable(candidate);
      if (file && (await firstLine(file, ['--version']))) return file;
    }
  } catch {
    // Not installed.
  }
  return undefined;
}

async function detectNode(): Promise<Toolchain[]> {
  // The server's own Node, shown at /opt/node when it is not under /usr (nvm, a tarball).
  const own = await realpath(process.execPath);
  const prefix = path.dirname(path.dirname(own));
  const binds: ReadOnlyBind[] = underUsr(own) ? [] : [{ source: prefix, target: '/opt/node' }];
  const node = underUsr(own) ? own : path.posix.join('/opt/node', path.relative(prefix, own));
  const version = process.versions.node;
  const major = Number(version.split('.')[0]);
  const nodeFlags = (limits: RunLimits) => [
    // Node 20 and 21 read a `.js` with `import` as CommonJS unless told to look.
    ...(major < 22 ? ['--experimental-detect-module'] : []),
    `--max-old-space-size=${Math.max(16, Math.floor(limits.memoryMb * 0.75))}`,
    '--disable-warning=ExperimentalWarning',
  ];
  const env = { NODE_OPTIONS: '', NODE_DISABLE_COLORS: '1' };
  const toolchains: Toolchain[] = [{
    runtime: { language: 'javascript', version, aliases: ['js', 'node', 'nodejs'] },
    binds,
    run: (job) => ({ argv: [node, ...nodeFlags(job.limits), local(job.entry), ...job.args], env }),
  }];
  const esbuild = await findEsbuild();
  if (esbuild) {
    toolchains.push({
      runtime: { language: 'typescript', version, aliases: ['ts', 'tsx'] },
      binds: [...binds, { source: esbuild, target: '/opt/esbuild' }],
      // Type-stripped and bundled (the entry and what it imports) by esbuild inside the sandbox, like tsx does.
      compile: (job) => ({
        argv: [
          '/opt/esbuild', local(job.entry), '--bundle', '--platform=node', '--format=esm', `--outfile=${BUILD}/main.mjs`,
          '--log-level=warning', '--color=false',
          "--banner:js=import { createRequire as __pairpadRequire } from 'node:module'; const require = __pairpadRequire(import.meta.url);",
        ],
      }),
      run: (job) => ({ argv: [node, ...nodeFlags(job.limits), `${BUILD}/main.mjs`, ...job.args], env }),
    });
  }
  return toolchains;
}

async function detectC(dirs: readonly string[]): Promise<Toolchain[]> {
  const toolchains: Toolchain[] = [];
  const gcc = await findExecutable(['gcc'], dirs);
  const gccVersion = gcc && underUsr(gcc) ? await firstLine(gcc, ['-dumpfullversion']) : undefined;
  if (gcc && gccVersion) {
    toolchains.push({
      runtime: { language: 'c', version: gccVersion, aliases: ['gcc'] },
      binds: [],
      compile: (job) => ({ argv: [gcc, '-O2', '-pipe', '-o', `${BUILD}/main`, ...filesWithExtension(job, ['.c']).map(local), '-lm'] }),
      run: (job) => ({ argv: [`${BUILD}/main`, ...job.args] }),
    });
  }
  const gxx = await findExecutable(['g++'], dirs);
  const gxxVersion = gxx && underUsr(gxx) ? await firstLine(gxx, ['-dumpfullversion']) : undefined;
  if (gxx && gxxVersion) {
    toolchains.push({
      runtime: { language: 'cpp', version: gxxVersion, aliases: ['c++', 'g++'] },
      binds: [],
      compile: (job) => ({
        argv: [gxx, '-O2', '-pipe', '-o', `${BUILD}/main`, ...filesWithExtension(job, ['.cpp', '.cc', '.cxx', '.c++']).map(local), '-lm'],
      }),
      run: (job) => ({ argv: [`${BUILD}/main`, ...job.args] }),
    });
  }
  return toolchains;
}

async function detectJava(): Promise<Toolchain[]> {
  const javac = await findExecutable(['javac'], SYSTEM_BIN);
  const java = javac ? await executable(path.join(path.dirname(javac), 'java')) : undefined;
  if (!javac || !java || !underUsr(javac) || !underUsr(java)) return [];
  const version = (await firstLine(javac, ['-version']))?.replace(/^javac\s+/, '');
  if (!version) return [];
  return [{
    runtime: { language: 'java', version, aliases: ['javac'] },
    binds: [],
    compile: (job) => ({
      argv: [
        javac, ...jvmFlags(job.limits).map((flag) => `-J${flag}`), '-encoding', 'UTF-8', '-d', BUILD,
        ...filesWithExtension(job, ['.java']).map(local),
      ],
    }),
    run: (job) => ({ argv: [java, ...jvmFlags(job.limits), '-cp', `${BUILD}:${BOX}`, javaMainClass(job), ...job.args] }),
  }];
}

async function detectShell(): Promise<Toolchain[]> {
  const bash = await findExecutable(['bash'], SYSTEM_BIN);
  if (!bash || !underUsr(bash)) return [];
  const version = (await firstLine(bash, ['-c', 'echo "$BASH_VERSION"']))?.replace(/\(.*$/, '');
  if (!version) return [];
  return [{
    runtime: { language: 'shell', version, aliases: ['bash', 'sh'] },
    binds: [],
    run: (job) => ({ argv: [bash, local(job.entry), ...job.args] }),
  }];
}

async function detectRust(dirs: readonly string[]): Promise<Toolchain[]> {
  // Not resolved: rustup's proxy is one binary that acts on the name it was called by.
  const rustc = await findExecutable(['rustc'], dirs, false);
  if (!rustc) return [];
  // `rustc` may be rustup's proxy under ~/.cargo: only the toolchain it points to is shown, at /opt/rust.
  const sysroot = await firstLine(rustc, ['--print', 'sysroot']);
  if (!sysroot || !path.isAbsolute(sysroot)) return [];
  const real = await executable(path.join(sysroot, 'bin', 'rustc'));
  const version = real ? (await firstLine(real, ['--version']))?.split(/\s+/)[1] : undefined;
  if (!real || !version) return [];
  return [{
    runtime: { language: 'rust', version, aliases: ['rs'] },
    binds: [{ source: sysroot, target: '/opt/rust' }],
    compile: (job) => ({
      argv: ['/opt/rust/bin/rustc', '--edition', '2021', '-O', '-C', 'codegen-units=1', '-o', `${BUILD}/main`, local(job.entry)],
    }),
    run: (job) => ({ argv: [`${BUILD}/main`, ...job.args] }),
  }];
}

async function detectGo(dirs: readonly string[]): Promise<Toolchain[]> {
  const go = await findExecutable(['go'], [...dirs, '/usr/local/go/bin', '/usr/lib/go/bin']);
  if (!go) return [];
  const goroot = path.dirname(path.dirname(go));
  if (!(await stat(path.join(goroot, 'src')).catch(() => undefined))) return [];
  const version = (await firstLine(go, ['version']))?.split(/\s+/)[2]?.replace(/^go/, '');
  if (!version) return [];
  const binds = underUsr(goroot) ? [] : [{ source: goroot, target: '/opt/go' }];
  const goBinary = underUsr(goroot) ? go : '/opt/go/bin/go';
  return [{
    runtime: { language: 'go', version, aliases: ['golang'] },
    binds,
    compile: (job) => {
      const folder = path.posix.dirname(job.entry);
      const sources = filesWithExtension(job, ['.go']).filter((file) => path.posix.dirname(file) === folder && !file.endsWith('_test.go'));
      return {
        argv: [goBinary, 'build', '-o', `${BUILD}/main`, ...sources.map(local)],
        env: { GOCACHE: '/tmp/go-cache', GOPATH: '/tmp/go', GO111MODULE: 'off', CGO_ENABLED: '0', GOFLAGS: '', GOTOOLCHAIN: 'local' },
      };
    },
    run: (job) => ({ argv: [`${BUILD}/main`, ...job.args] }),
  }];
}
