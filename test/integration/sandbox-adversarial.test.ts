import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RUNS_CPU_SHARES } from '../../server/run/local/cgroups.ts';
import { SANDBOX_NICENESS } from '../../server/run/local/sandbox-step.ts';
import type { Runner } from '../../server/run/runner.ts';
import { processesWithMarker, requireLocalRunner, runProgram, TEST_LIMITS, uniqueMarker } from '../support/sandbox.ts';

// A hostile room member attacking the local sandbox beyond the classics of
// sandbox-hostile.test.ts: host sockets of every kind, other runs, things
// left for the next run, memory file systems as a disk, the scheduler,
// setuid binaries, closed pipes and compiler bombs. docs/security.md lists
// what was tried and what holds.

let runner: Runner;
let workRoot: string;

beforeAll(async () => {
  // A work root of this file's own, so what runs leave behind can be counted.
  workRoot = await mkdtemp(path.join('/dev/shm', 'pairpad-adversarial-'));
  runner = await requireLocalRunner({ workRoot });
});

afterAll(async () => {
  await rm(workRoot, { recursive: true, force: true });
});

async function expectNothingLeft(marker: string): Promise<void> {
  await expect.poll(() => processesWithMarker(marker), { timeout: 10_000, interval: 100 }).toEqual([]);
}

/** Run directories on the host (the runner's own `.etc` and `.stage` aside). */
async function runDirectories(): Promise<string[]> {
  return (await readdir(workRoot)).filter((name) => !name.startsWith('.'));
}

/** A Python probe: `check(name, thunk)` prints `name OK value` or `name ERR ErrorName`. */
const PROBE = [
  'import os, socket, subprocess, sys',
  'def check(name, thunk):',
  '    try:',
  '        print(name, "OK", thunk(), flush=True)',
  '    except Exception as error:',
  '        print(name, "ERR", type(error).__name__, flush=True)',
  'def unix(address):',
  '    s = socket.socket(socket.AF_UNIX)',
  '    s.settimeout(2)',
  '    s.connect(address)',
  '    return "CONNECTED"',
  'def tcp(host, port):',
  '    socket.create_connection((host, port), timeout=2).close()',
  '    return "CONNECTED"',
].join('\n');

describe('adversarial programs', () => {
  it('reaches no socket of the host: unix, abstract, IPv6 loopback', async () => {
    const code = [
      PROBE,
      // Filesystem sockets of the services beside the server (their directories are not there).
      'for address in ["/var/run/postgresql/.s.PGSQL.5432", "/var/run/redis/redis-server.sock", "/var/run/dbus/system_bus_socket", "/tmp/.X11-unix/X0", "/run/systemd/private"]:',
      '    check(address, lambda: unix(address))',
      // Abstract sockets belong to the network namespace: the sandbox has its own.
      'for name in ["/tmp/.X11-unix/X0", "/tmp/dbus-session"]:',
      '    check("@" + name, lambda: unix("\\0" + name))',
      'for port in [5432, 6379, 3000]:',
      '    check("::1:%d" % port, lambda: tcp("::1", port))',
      'check("interfaces", lambda: [name for _, name in socket.if_nameindex()])',
    ].join('\n');
    const result = await runProgram(runner, 'python', 'main.py', code);
    expect(result.outcome, result.output).toMatchObject({ status: 'finished', exitCode: 0 });
    expect(result.stdout).not.toContain('CONNECTED');
    expect(result.stdout).toMatch(/@\/tmp\/\.X11-unix\/X0 ERR ConnectionRefusedError/);
    expect(result.stdout).toMatch(/::1:5432 ERR ConnectionRefusedError/);
    expect(result.stdout).toContain("interfaces OK ['lo']");
  });

  it('sees neither the host\'s /dev/shm, /sys, nor the other run beside it', async () => {
    const secret = uniqueMarker('neighbour');
    // The first run leaves a secret in every writable place it has, says so, then waits.
    const first = new AbortController();
    let ready!: () => void;
    const isReady = new Promise<void>((resolve) => { ready = resolve; });
    const firstDone = runner.run(
      {
        runId: 'neighbour-a', language: 'shell', entry: 'main.sh', stdin: '', args: [secret],
        files: [{ path: 'main.sh', content: 'for d in /box /tmp /dev/shm; do echo "$1" > "$d/$1"; done\necho ready\nexec sleep 60\n' }],
        limits: { ...TEST_LIMITS, wallMs: 60_000 },
      },
      (_stream, chunk) => { if (chunk.includes('ready')) ready(); },
      first.signal,
    );
    try {
      await isReady;
      const code = [
        PROBE,
        'check("shm", lambda: os.listdir("/dev/shm"))',
        'check("sys", lambda: os.listdir("/sys"))',
        'check("pids", lambda: len([p for p in os.listdir("/proc") if p.isdigit()]))',
        'found = []',
        'for top in ["/box", "/tmp", "/dev", "/build", "/etc", "/"]:',
        '    for where, dirs, files in os.walk(top):',
        '        if where.startswith(("/proc", "/usr")): dirs[:] = []; continue',
        '        found += [os.path.join(where, f) for f in files if sys.argv[1] in f]',
        'print("FOUND", found)',
      ].join('\n');
      const second = await runProgram(runner, 'python', 'main.py', code, { args: [secret] });
      expect(second.outcome, second.output).toMatchObject({ status: 'finished', exitCode: 0 });
      expect(second.stdout).toContain('shm OK []');
      expect(second.stdout).toContain('sys ERR FileNotFoundError');
      expect(second.stdout).toContain('FOUND []');
      expect(Number(/pids OK (\d+)/.exec(second.stdout)![1])).toBeLessThan(5);
      // Nor did the first run's secret reach the host's /dev/shm.
      expect((await readdir('/dev/shm')).filter((name) => name.includes(secret))).toEqual([]);
    } finally {
      first.abort();
      expect((await firstDone).status).toBe('canceled');
    }
    await expectNothingLeft(secret);
  });

  it('leaves nothing for the next run: no files, no processes, no run directory', async () => {
    const marker = uniqueMarker('persist');
    const plant = [
      'for d in /box /tmp /dev/shm; do echo planted > "$d/planted"; done',
      'ln -s /etc/passwd /box/link; mkdir -p /box/deep/er; chmod 000 /box/deep',
      // A daemon, detached and with its pipes closed, meant to serve the next run.
      `setsid sh -c 'exec >&- 2>&- <&-; exec python3 -c "import time; time.sleep(120)" ${marker}' &`,
      'echo planted',
    ].join('\n');
    const planted = await runProgram(runner, 'shell', 'main.sh', plant);
    expect(planted.outcome, planted.output).toMatchObject({ status: 'finished', exitCode: 0 });
    await expectNothingLeft(marker);
    expect(await runDirectories()).toEqual([]);
    const look = await runProgram(runner, 'shell', 'main.sh', 'ls -A /box /tmp /dev/shm; ps -e -o args= | grep -c [t]ime.sleep\n');
    expect(look.stdout).not.toContain('link');
    expect(look.stdout).toMatch(/^\/box:\nmain\.sh\n\n\/dev\/shm:\n\n\/tmp:\n0\n$/);
  });

  it('the memory file systems are no disk: /box, /tmp and /dev/shm fill up only to the memory limit; /dev is read-only', async () => {
    for (const dir of ['/box', '/tmp', '/dev/shm']) {
      // 1 MiB files stay under the file-size limit; 400 of them are far over 64 MiB.
      const code = `import os\nfor n in range(400):\n    with open("${dir}/f%d" % n, "wb") as f:\n        f.write(b"x" * 1048576)\nprint("wrote all")\n`;
      const result = await runProgram(runner, 'python', 'main.py', code, { limits: { memoryMb: 64 } });
      expect(result.outcome.status, `${dir}: ${result.output}`).toBe('killed');
      expect(result.outcome.message).toMatch(/memory limit \(64 MiB\)/);
      expect(result.stdout).not.toContain('wrote all');
    }
    // /dev is bubblewrap's tmpfs of no size: read-only, so it bounds nothing even without a memory cgroup.
    const dev = await runProgram(runner, 'shell', 'main.sh', 'echo x > /dev/planted && echo wrote; echo x > /dev/null && echo null ok; head -c 1048576 /dev/zero > /dev/shm/ok && echo shm ok\n');
    expect(dev.stdout).toBe('null ok\nshm ok\n');
    expect(dev.stderr).toMatch(/Read-only file system/);
    // Empty files cost kernel memory (inodes), charged to the run as well.
    const inodes = await runProgram(runner, 'python', 'main.py', 'n = 0\nwhile True:\n    open("/box/e%d" % n, "w").close()\n    n += 1\n', { limits: { memoryMb: 64 } });
    expect(inodes.outcome.status).toBe('killed');
    expect(await runDirectories()).toEqual([]);
  });

  it('runs at a lower priority than the server and cannot raise it', async () => {
    const code = `${PROBE}\ncheck("nice", lambda: os.nice(0))\ncheck("raise", lambda: os.nice(-${SANDBOX_NICENESS}))\ncheck("renice", lambda: os.setpriority(os.PRIO_PROCESS, 0, 0))\n`;
    const result = await runProgram(runner, 'python', 'main.py', code);
    expect(result.outcome, result.output).toMatchObject({ status: 'finished', exitCode: 0 });
    expect(result.stdout).toContain(`nice OK ${SANDBOX_NICENESS}`);
    expect(result.stdout).toContain('raise ERR PermissionError');
    expect(result.stdout).toContain('renice ERR PermissionError');
  });

  // nice alone is void across sessions (autogroup), and bubblewrap starts a new session.
  it.runIf(existsSync('/sys/fs/cgroup/cpu/cpu.shares') && process.getuid?.() === 0)('weighs all runs together at a fraction of the server in the cpu cgroup', async () => {
    const marker = uniqueMarker('cpu-weight');
    const running = runProgram(runner, 'shell', 'main.sh', `exec sleep 3 # ${marker}\n`, { args: [marker] });
    let pids: number[] = [];
    for (let attempt = 0; attempt < 100 && pids.length === 0; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 30));
      pids = await processesWithMarker(marker);
    }
    expect(pids.length).toBeGreaterThan(0);
    const cpuLines = await Promise.all(pids.map(async (pid) => (await readFile(`/proc/${pid}/cgroup`, 'utf8')).split('\n').find((line) => /^\d+:cpu:/.test(line)) ?? ''));
    for (const line of cpuLines) expect(line).toMatch(/:cpu:.*\/pairpad-runs$/);
    const group = path.join('/sys/fs/cgroup/cpu', cpuLines[0]!.split(':')[2]!);
    expect(Number(await readFile(path.join(group, 'cpu.shares'), 'utf8'))).toBe(RUNS_CPU_SHARES);
    expect((await running).outcome).toMatchObject({ status: 'finished', exitCode: 0 });
  });

  it('setuid binaries give no privilege, and no namespace can be made', async () => {
    const code = [
      'grep NoNewPrivs /proc/self/status',
      'su -c id root </dev/null 2>&1 | head -1; echo "su=$?"',
      'mount -t tmpfs none /tmp 2>&1; echo "mount=$?"',
      'unshare -r id 2>&1; echo "unshare=$?"',
      'id -u',
    ].join('\n');
    const result = await runProgram(runner, 'shell', 'main.sh', `${code}\n`);
    expect(result.outcome, result.output).toMatchObject({ status: 'finished', exitCode: 0 });
    expect(result.stdout).toMatch(/NoNewPrivs:\s+1/);
    expect(result.stdout).toMatch(/mount=(?!0)\d+/);
    expect(result.stdout).toMatch(/unshare=(?!0)\d+/);
    expect(result.stdout).not.toMatch(/uid=0/);
    expect(result.stdout).toMatch(/65534\n$/);
  });

  it('a program that closes its output and keeps running is timed out and gone', async () => {
    const marker = uniqueMarker('closed');
    const result = await runProgram(runner, 'shell', 'main.sh', 'echo before\nexec >&- 2>&- <&-\nexec python3 -c "import time; time.sleep(120)" "$1"\n', {
      args: [marker],
      limits: { wallMs: 2_000 },
    });
    expect(result.outcome.status).toBe('timed_out');
    expect(result.stdout).toBe('before\n');
    await expectNothingLeft(marker);
  });

  it('a compile bomb (#include "/dev/zero") is stopped, and so is one canceled mid-compile', async () => {
    const bomb = '#include "/dev/zero"\nint main(void) { return 0; }\n';
    const stopped = await runProgram(runner, 'c', 'main.c', bomb, { limits: { compileMs: 20_000 } });
    expect(['killed', 'timed_out'], stopped.output).toContain(stopped.outcome.status);
    expect(stopped.outcome.message).toMatch(/the compiler was killed|compiling took longer/);
    const controller = new AbortController();
    // The source file is named after a marker, so this compile's cc1 can be told from others on the machine.
    const marker = uniqueMarker('compile');
    const canceled = runProgram(runner, 'c', `${marker}.c`, bomb, { signal: controller.signal, limits: { compileMs: 60_000 } });
    // Canceled once the compiler is really at work.
    await expect.poll(async () => (await processesWithMarker(marker)).length > 0, { timeout: 20_000, interval: 50 }).toBe(true);
    controller.abort();
    expect((await canceled).outcome.status).toBe('canceled');
    await expectNothingLeft(marker);
    await expect.poll(() => processesWithMarker(workRoot), { timeout: 10_000, interval: 100 }).toEqual([]);
    expect(await runDirectories()).toEqual([]);
  });
});
