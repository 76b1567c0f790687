import { mkdtemp, readFile, rm, writeFile, access } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalRunner } from '../../server/run/local/local-runner.ts';
import type { Runner } from '../../server/run/runner.ts';
import { processesWithMarker, requireLocalRunner, runProgram, uniqueMarker } from '../support/sandbox.ts';

// Hostile programs, each really run in the sandbox: contained, reported as
// what they are, and nothing of theirs left running afterwards.

const SECRET_ENV = 'PAIRPAD_SANDBOX_TEST_SECRET';
const secretValue = `env-secret-${Math.random().toString(36).slice(2)}`;
let runner: Runner;
let dataDir: string;

beforeAll(async () => {
  // The server's own environment holds a secret; no program may see it.
  process.env[SECRET_ENV] = secretValue;
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'pairpad-sandbox-data-'));
  await writeFile(path.join(dataDir, 'secret.txt'), 'data-dir-secret');
  runner = await requireLocalRunner({ forbiddenRoots: [dataDir] });
});

afterAll(async () => {
  delete process.env[SECRET_ENV];
  await rm(dataDir, { recursive: true, force: true });
});

async function expectNothingLeft(marker: string): Promise<void> {
  await expect.poll(() => processesWithMarker(marker), { timeout: 10_000, interval: 100 }).toEqual([]);
}

describe('hostile programs', () => {
  it('a fork bomb is stopped at the process limit', async () => {
    const marker = uniqueMarker('forkbomb');
    // Every process forks forever and shrugs off a refused fork.
    const python = 'import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass\n';
    const result = await runProgram(runner, 'python', 'main.py', python, { args: [marker], limits: { processes: 32, wallMs: 15_000 } });
    expect(result.outcome.status).toBe('killed');
    expect(result.outcome.message).toMatch(/process limit \(32\)/);
    await expectNothingLeft(marker);
    // The shell classic, with its parent waiting.
    const shellMarker = uniqueMarker('forkbomb-shell');
    const shell = await runProgram(runner, 'shell', 'main.sh', 'bomb() { bomb | bomb & }\nbomb\nsleep 30\n', {
      args: [shellMarker],
      limits: { processes: 32, wallMs: 15_000 },
    });
    expect(shell.outcome.status).toBe('killed');
    expect(shell.outcome.message).toMatch(/process limit \(32\)/);
    await expectNothingLeft(shellMarker);
  });

  it('an infinite loop is stopped at the wall-time limit', async () => {
    const marker = uniqueMarker('loop');
    const result = await runProgram(runner, 'python', 'main.py', 'while True:\n    pass\n', { args: [marker], limits: { wallMs: 2_000 } });
    expect(result.outcome.status).toBe('timed_out');
    expect(result.outcome.message).toMatch(/longer than 2000 ms/);
    await expectNothingLeft(marker);
  });

  it('an infinite loop spread over processes is stopped at the CPU-time limit', async () => {
    const marker = uniqueMarker('cpu');
    const result = await runProgram(runner, 'shell', 'main.sh', 'spin() { while :; do :; done; }\nspin & spin & spin\n', {
      args: [marker],
      limits: { cpuMs: 1_000, wallMs: 120_000 },
    });
    expect(result.outcome.status).toBe('killed');
    expect(result.outcome.message).toMatch(/CPU time limit/);
    expect(result.outcome.cpuMs).toBeGreaterThanOrEqual(1_000);
    await expectNothingLeft(marker);
  });

  it('a memory bomb is killed at the memory limit', async () => {
    const marker = uniqueMarker('memory');
    const result = await runProgram(runner, 'python', 'main.py', 'blocks = []\nwhile True:\n    blocks.append(bytearray(8 * 1024 * 1024))\n', {
      args: [marker],
      limits: { memoryMb: 64 },
    });
    expect(result.outcome.status).toBe('killed');
    expect(result.outcome.message).toMatch(/memory limit \(64 MiB\)/);
    await expectNothingLeft(marker);
  });

  it('100 MB of output keeps only the limit, and the program is stopped as a runaway', async () => {
    const marker = uniqueMarker('output');
    const result = await runProgram(runner, 'python', 'main.py', 'import sys\nline = "x" * 1023 + "\\n"\nfor _ in range(100 * 1024):\n    sys.stdout.write(line)\n', {
      args: [marker],
      limits: { outputBytes: 64 * 1024 },
    });
    expect(result.outcome.truncated).toBe(true);
    expect(Buffer.byteLength(result.output)).toBeLessThanOrEqual(64 * 1024);
    expect(result.output.length).toBeGreaterThan(60 * 1024);
    expect(result.outcome.status).toBe('killed');
    expect(result.outcome.message).toMatch(/output/);
    // Batched: a handful of calls, not one per line.
    expect(result.chunks).toBeLessThan(100);
    await expectNothingLeft(marker);
  });

  it('a program printing 10,000 lines a second is streamed in order, in batches', async () => {
    const code = [
      'import sys, time',
      'start = time.monotonic()',
      'for i in range(15000):',
      '    print(i, file=sys.stderr if i % 1000 == 999 else sys.stdout)',
      '    while time.monotonic() - start < i / 10000:',
      '        pass',
    ].join('\n');
    const result = await runProgram(runner, 'python', 'main.py', code, { limits: { outputBytes: 1024 * 1024 } });
    expect(result.outcome).toMatchObject({ status: 'finished', exitCode: 0, truncated: false });
    // Each stream is in order; across the two pipes, order is as the server reads them (see docs/security.md).
    const lines = (text: string) => text.trim().split('\n').map(Number);
    const all = Array.from({ length: 15000 }, (_, i) => i);
    expect(lines(result.stdout)).toEqual(all.filter((i) => i % 1000 !== 999));
    expect(lines(result.stderr)).toEqual(all.filter((i) => i % 1000 === 999));
    expect(result.output.length).toBe(result.stdout.length + result.stderr.length);
    // The room gets far fewer messages than lines (each stderr line forces a batch of its own).
    expect(result.chunks).toBeLessThan(15000 / 10);
  });

  it('cannot read /etc/shadow, the data directory, the server\'s files or its environment', async () => {
    const shadow = await readFile('/etc/shadow', 'utf8').catch(() => '');
    const code = [
      'import os',
      `for path in ["/etc/shadow", "/etc/passwd", ${JSON.stringify(path.join(dataDir, 'secret.txt'))}, ${JSON.stringify(path.join(process.cwd(), 'package.json'))}, "/root/.bashrc", "/proc/1/environ", "/proc/self/environ"]:`,
      '    try:',
      '        with open(path, "rb") as f:',
      '            print(path, "READ", f.read().replace(b"\\0", b" ").decode("utf-8", "replace"))',
      '    except OSError as error:',
      '        print(path, "DENIED", type(error).__name__)',
      'print("ROOT", sorted(os.listdir("/")))',
      'print("PIDS", sorted(int(p) for p in os.listdir("/proc") if p.isdigit()))',
      'print("ENV", dict(os.environ))',
    ].join('\n');
    const result = await runProgram(runner, 'python', 'main.py', code);
    expect(result.outcome, result.output).toMatchObject({ status: 'finished', exitCode: 0 });
    expect(result.stdout).toMatch(/\/etc\/shadow DENIED FileNotFoundError/);
    expect(result.stdout).toMatch(/secret\.txt DENIED FileNotFoundError/);
    expect(result.stdout).toMatch(/package\.json DENIED FileNotFoundError/);
    expect(result.stdout).toMatch(/\/root\/\.bashrc DENIED FileNotFoundError/);
    expect(result.stdout).not.toContain('data-dir-secret');
    expect(result.stdout).not.toContain(secretValue);
    if (shadow) expect(result.stdout).not.toContain(shadow.split('\n')[0]);
    // /proc/1 is the sandbox's own init: its environment is not the server's.
    expect(result.stdout).toMatch(/\/proc\/1\/environ (READ|DENIED)/);
    const root = JSON.parse(/ROOT (.*)/.exec(result.stdout)![1]!.replace(/'/g, '"')) as string[];
    for (const hidden of ['root', 'home', 'work', 'srv', 'var', 'opt', 'mnt']) expect(root).not.toContain(hidden);
    const pids = JSON.parse(/PIDS (.*)/.exec(result.stdout)![1]!) as number[];
    expect(pids.length).toBeLessThan(5);
  });

  it('the work directory may not be inside the data directory', async () => {
    await expect(createLocalRunner({ workRoot: path.join(dataDir, 'runs'), forbiddenRoots: [dataDir] })).rejects.toThrow(/must not be inside/);
  });

  it('cannot write outside its working directory and /tmp', async () => {
    const code = [
      'import os',
      'for path in ["/usr/evil", "/etc/evil", "/evil", "/box/../evil", "/proc/evil", "/dev/evil", "/build/evil", "/tmp/ok", "ok.txt", "sub/../ok2.txt"]:',
      '    try:',
      '        with open(path, "w") as f:',
      '            f.write("x")',
      '        print(path, "WROTE")',
      '    except OSError as error:',
      '        print(path, "DENIED")',
    ].join('\n');
    const result = await runProgram(runner, 'python', 'main.py', code, { files: [{ path: 'sub/keep.txt', content: '' }] });
    expect(result.outcome).toMatchObject({ status: 'finished', exitCode: 0 });
    for (const denied of ['/usr/evil', '/etc/evil', '/evil', '/box/../evil', '/proc/evil', '/build/evil']) {
      expect(result.stdout).toContain(`${denied} DENIED`);
    }
    // /tmp and /dev are the sandbox's own memory file systems, gone with it.
    for (const allowed of ['/tmp/ok', 'ok.txt', 'sub/../ok2.txt']) expect(result.stdout).toContain(`${allowed} WROTE`);
    for (const host of ['/evil', '/usr/evil', '/etc/evil', '/tmp/ok', '/dev/shm/private']) await expect(access(host)).rejects.toThrow();
  });

  it('has no network: neither Postgres on 127.0.0.1:5432 nor a port open on the host', async () => {
    let connections = 0;
    const server = net.createServer((socket) => {
      connections++;
      socket.destroy();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as net.AddressInfo).port;
    try {
      const code = [
        'import socket',
        `for host, port in [("127.0.0.1", 5432), ("127.0.0.1", ${port}), ("1.1.1.1", 80)]:`,
        '    try:',
        '        socket.create_connection((host, port), timeout=2).close()',
        '        print(host, port, "CONNECTED")',
        '    except OSError as error:',
        '        print(host, port, "REFUSED", type(error).__name__)',
      ].join('\n');
      const result = await runProgram(runner, 'python', 'main.py', code);
      expect(result.outcome).toMatchObject({ status: 'finished', exitCode: 0 });
      expect(result.stdout).not.toContain('CONNECTED');
      expect(result.stdout).toContain('127.0.0.1 5432 REFUSED');
      expect(result.stdout).toContain(`127.0.0.1 ${port} REFUSED`);
      expect(result.stdout).toContain('1.1.1.1 80 REFUSED');
      expect(connections).toBe(0);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('sleeping past the timeout is timed out, and the sleeper is gone', async () => {
    const marker = uniqueMarker('sleep');
    const result = await runProgram(runner, 'python', 'main.py', 'import time\nprint("sleeping", flush=True)\ntime.sleep(60)\n', {
      args: [marker],
      limits: { wallMs: 4_000 },
    });
    expect(result.outcome.status).toBe('timed_out');
    expect(result.stdout).toBe('sleeping\n');
    await expectNothingLeft(marker);
  });

  it('a daemon that double-forks and calls setsid does not outlive the run', async () => {
    const marker = uniqueMarker('daemon');
    const code = [
      'import os, sys',
      'if os.fork() == 0:',
      '    os.setsid()',
      '    if os.fork() == 0:',
      '        # Keeps stdout open and sleeps, under a command line the test can find.',
      '        os.execv("/usr/bin/python3", ["python3", "-c", "import time; time.sleep(120)", sys.argv[1]])',
      '    os._exit(0)',
      'os.wait()',
      'print("parent done")',
    ].join('\n');
    const result = await runProgram(runner, 'python', 'main.py', code, { args: [marker], limits: { wallMs: 30_000 } });
    expect(result.outcome).toMatchObject({ status: 'finished', exitCode: 0 });
    expect(result.stdout).toBe('parent done\n');
    await expectNothingLeft(marker);
  });

  it('a file larger than the file-size limit is refused', async () => {
    const result = await runProgram(runner, 'shell', 'main.sh', 'exec head -c 4000000 /dev/zero > big.bin\n', { limits: { fileSizeBytes: 1024 * 1024 } });
    expect(result.outcome.status).toBe('killed');
    expect(result.outcome.message).toMatch(/file size limit/);
  });

  it('runs as nobody with no capabilities and no new privileges', async () => {
    const result = await runProgram(runner, 'shell', 'main.sh', 'id -u; id -g; grep -E "^(CapEff|CapBnd|NoNewPrivs)" /proc/self/status; hostname\n');
    expect(result.outcome).toMatchObject({ status: 'finished', exitCode: 0 });
    expect(result.stdout).toMatch(/^65534\n65534\n/);
    expect(result.stdout).toMatch(/CapEff:\s+0000000000000000/);
    expect(result.stdout).toMatch(/CapBnd:\s+0000000000000000/);
    expect(result.stdout).toMatch(/NoNewPrivs:\s+1/);
  });
});
