// npm start keeps every subgraph running: a child that exits is started again after a backoff,
// with a log line each time, until the platform stops. Real child processes, tiny scripts.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_BACKOFF, restartDelayMs, supervise, type Backoff, type Supervisor, type SupervisorOptions } from '../../scripts/supervisor';

const scripts = mkdtempSync(join(tmpdir(), 'supervisor-test-'));
afterAll(() => rmSync(scripts, { recursive: true, force: true }));

function script(name: string, source: string): string {
  const path = join(scripts, name);
  writeFileSync(path, source);
  return path;
}

const CRASHES = script('crashes.mjs', 'process.exit(3);\n');
/** Serves until its stdin (the lifeline) closes, and says who it is and what it was given. */
const SERVES = script(
  'serves.mjs',
  "console.log(`up ${process.pid} ${process.env.SUPERVISED_MARK}`);\nprocess.stdin.once('end', () => process.exit(0));\nprocess.stdin.resume();\n",
);
const IGNORES_SIGTERM = script('ignores-sigterm.mjs', "process.on('SIGTERM', () => {});\nconsole.log('up');\nsetInterval(() => {}, 1_000);\n");

const FAST: Backoff = { initialMs: 100, maxMs: 400, resetAfterMs: 60_000 };

interface Watched {
  supervisor: Supervisor;
  log: string[];
  output: string[];
  spawned: () => number;
}

const running: Supervisor[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((supervisor) => supervisor.stop(1_000)));
});

/** Supervises `node <path>`, recording its log lines, its output lines and how many processes were started. */
function watch(path: string, options: Partial<SupervisorOptions> = {}): Watched {
  const log: string[] = [];
  const output: string[] = [];
  let spawned = 0;
  const supervisor = supervise({
    name: 'child',
    command: process.execPath,
    args: [path],
    spawnOptions: { env: { ...process.env, SUPERVISED_MARK: 'mark-42' }, stdio: ['pipe', 'pipe', 'pipe'] },
    onSpawn: (child) => {
      spawned++;
      child.stdout?.on('data', (chunk: Buffer) => output.push(...chunk.toString().split('\n').filter(Boolean)));
    },
    log: (line) => log.push(line),
    backoff: FAST,
    random: () => 1,
    ...options,
  });
  running.push(supervisor);
  return { supervisor, log, output, spawned: () => spawned };
}

const until = (check: () => void) => vi.waitFor(check, { timeout: 15_000, interval: 20 });
const delays = (log: string[]) => log.map((line) => /restarting it in (\S+ s)/.exec(line)?.[1]);

describe('the restart delay', () => {
  it('doubles from 0.5 s per quick exit in a row, up to 10 s', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 7].map((quickExits) => restartDelayMs(quickExits, DEFAULT_BACKOFF, () => 1))).toEqual([
      500, 500, 1_000, 2_000, 4_000, 8_000, 10_000, 10_000,
    ]);
  });

  it('is jittered down to no less than half, so a crash loop never spins', () => {
    expect([1, 3, 7].map((quickExits) => restartDelayMs(quickExits, DEFAULT_BACKOFF, () => 0))).toEqual([250, 1_000, 5_000]);
  });
});

describe('a supervised child', () => {
  it('is restarted each time it crashes, with a log line that gives the exit and a delay that grows', async () => {
    const { supervisor, log } = watch(CRASHES);
    await until(() => expect(supervisor.restarts).toBeGreaterThanOrEqual(4));
    await supervisor.stop();
    const firstFour = log.slice(0, 4);
    expect(firstFour.every((line) => line.startsWith('child exited (code 3) after '))).toBe(true);
    expect(delays(firstFour)).toEqual(['0.1 s', '0.2 s', '0.4 s', '0.4 s']);
    expect(firstFour.map((line) => /\(restart (\d+)\)/.exec(line)?.[1])).toEqual(['1', '2', '3', '4']);
    // From the third quick exit on, the line says it is a crash loop and where to look.
    expect(firstFour[1]).not.toContain('in a row');
    expect(firstFour[2]).toContain('3 runs in a row ended within 60 s: see its own lines above for why');
  });

  it('starts the backoff over after a run that lasted long enough to count as healthy', async () => {
    const { supervisor, log } = watch(CRASHES, { backoff: { ...FAST, resetAfterMs: 0 } });
    await until(() => expect(supervisor.restarts).toBeGreaterThanOrEqual(3));
    await supervisor.stop();
    expect(delays(log.slice(0, 3))).toEqual(['0.1 s', '0.1 s', '0.1 s']);
  });

  it('comes back after kill -9 with the environment and the stdin lifeline the first process had', async () => {
    const { supervisor, log, output } = watch(SERVES);
    await until(() => expect(output).toHaveLength(1));
    const [, firstPid, firstMark] = output[0]!.split(' ');
    process.kill(Number(firstPid), 'SIGKILL');

    await until(() => expect(output).toHaveLength(2));
    const [, secondPid, secondMark] = output[1]!.split(' ');
    expect(secondPid).not.toBe(firstPid);
    expect([firstMark, secondMark]).toEqual(['mark-42', 'mark-42']);
    expect(supervisor.restarts).toBe(1);
    expect(log).toHaveLength(1);
    expect(log[0]).toMatch(/^child exited \(signal SIGKILL\) after \S+ s; restarting it in 0\.1 s \(restart 1\)$/);
    expect(supervisor.child?.stdin?.writable).toBe(true);
  });

  it('stops by itself when its lifeline closes, and is not restarted once the platform is stopping', async () => {
    const platform = new AbortController();
    const { supervisor, output, spawned } = watch(SERVES, { signal: platform.signal });
    await until(() => expect(output).toHaveLength(1));
    platform.abort();
    supervisor.child!.stdin!.end();
    await until(() => expect(supervisor.exits).toBe(1));
    expect(supervisor.lastExit).toBe('code 0');
    // Longer than the restart delay: a restart, had one been scheduled, would have been spawned by now.
    await sleep(FAST.initialMs * 3);
    expect(spawned()).toBe(1);
    expect(supervisor.child).toBeUndefined();
  });

  it('is not restarted when stop() comes while a restart waits out its delay', async () => {
    const { supervisor, log, spawned } = watch(CRASHES);
    await until(() => expect(log).toHaveLength(1));
    await supervisor.stop();
    await sleep(FAST.initialMs * 3);
    expect(spawned()).toBe(1);
    expect(supervisor.restarts).toBe(0);
  });

  it('is killed with SIGKILL when it ignores SIGTERM for the grace period', async () => {
    const { supervisor, output } = watch(IGNORES_SIGTERM);
    await until(() => expect(output).toEqual(['up']));
    await supervisor.stop(200);
    expect(supervisor.lastExit).toBe('signal SIGKILL');
    expect(supervisor.restarts).toBe(0);
  });

  it('is retried like a crash when its command cannot be started at all', async () => {
    const { supervisor, log } = watch(join(scripts, 'missing.mjs'), { command: join(scripts, 'no-such-node') });
    await until(() => expect(supervisor.restarts).toBeGreaterThanOrEqual(2));
    await supervisor.stop();
    expect(log[0]).toMatch(/^child exited \(it could not be started: spawn \S+no-such-node ENOENT\) after \S+ s; restarting it in 0\.1 s \(restart 1\)$/);
  });
});
