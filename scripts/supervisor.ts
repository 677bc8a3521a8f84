// One child process of `npm start`, kept running: when it exits without being asked to, it is
// started again after a backoff, with a log line that says why it exited and when it comes back.
// There is no give-up: a child that keeps crashing is retried every few seconds at most (the
// backoff's cap), which costs nothing, and it comes back by itself once its cause is gone (the
// engine answering again, a port freed). The launcher decides what a child that never gets ready
// means (scripts/start.ts stops the platform when one is not ready at start-up).
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';

export interface Backoff {
  /** The delay before a restart after a healthy run, and after the first of several quick exits. */
  initialMs: number;
  /** The delay doubles per quick exit in a row, up to this. */
  maxMs: number;
  /** A run this long was healthy: the next exit starts the backoff over. */
  resetAfterMs: number;
}

export const DEFAULT_BACKOFF: Backoff = { initialMs: 500, maxMs: 10_000, resetAfterMs: 30_000 };

/**
 * The delay before the next start, after `quickExits` runs in a row that ended before
 * `resetAfterMs`: doubled per quick exit up to the cap, then jittered down to between half and all
 * of it, so that children that failed together (the engine paused) do not all return at once.
 */
export function restartDelayMs(quickExits: number, backoff: Backoff, random: () => number = Math.random): number {
  const ceiling = Math.min(backoff.maxMs, backoff.initialMs * 2 ** Math.max(0, quickExits - 1));
  return Math.round(ceiling / 2 + (ceiling / 2) * random());
}

export interface SupervisorOptions {
  /** Names the child in log lines. */
  name: string;
  command: string;
  args: readonly string[];
  /** The same for every start: a restarted child gets the environment and the stdio (its lifeline) the first one had. */
  spawnOptions: SpawnOptions;
  /** Called with every process started, the first and each restart: to forward its output. */
  onSpawn?: (child: ChildProcess) => void;
  /** Receives one line per restart. */
  log: (line: string) => void;
  backoff?: Backoff;
  /** The jitter's source; a test fixes it. */
  random?: () => number;
  /** Aborted when the whole platform stops: nothing is restarted after that, even before stop(). */
  signal?: AbortSignal;
}

export interface Supervisor {
  readonly name: string;
  /** The process running now; undefined while a restart waits out its delay, and after the last exit. */
  readonly child: ChildProcess | undefined;
  /** How many times the child was started again. */
  readonly restarts: number;
  /** How many times a process of it exited (stop() included). */
  readonly exits: number;
  /** Why the last process exited ("code 1", "signal SIGKILL"), once one has. */
  readonly lastExit: string | undefined;
  /** Ends the restarts, then the child: SIGTERM, and SIGKILL after `graceMs`. Resolves once it has exited. */
  stop(graceMs?: number): Promise<void>;
}

/** Starts the child now, and again each time it exits until stop() or the signal. */
export function supervise(options: SupervisorOptions): Supervisor {
  const supervisor = new SupervisedChild(options);
  supervisor.start();
  return supervisor;
}

interface Run {
  child: ChildProcess;
  exited: Promise<void>;
}

class SupervisedChild implements Supervisor {
  restarts = 0;
  exits = 0;
  lastExit: string | undefined;
  private run: Run | undefined;
  private quickExits = 0;
  private pendingRestart: NodeJS.Timeout | undefined;
  private stopped = false;
  private readonly backoff: Backoff;

  constructor(private readonly options: SupervisorOptions) {
    this.backoff = options.backoff ?? DEFAULT_BACKOFF;
    options.signal?.addEventListener('abort', () => this.cancelRestart(), { once: true });
  }

  get name(): string {
    return this.options.name;
  }

  get child(): ChildProcess | undefined {
    return this.run?.child;
  }

  private get ending(): boolean {
    return this.stopped || this.options.signal?.aborted === true;
  }

  start(): void {
    const { command, args, spawnOptions, onSpawn } = this.options;
    const startedAt = Date.now();
    const child = spawn(command, args, spawnOptions);
    let markExited = () => {};
    const run: Run = { child, exited: new Promise<void>((done) => (markExited = done)) };
    this.run = run;
    let gone = false;
    const onGone = (reason: string) => {
      if (gone) return;
      gone = true;
      if (this.run === run) this.run = undefined;
      this.exits++;
      this.lastExit = reason;
      markExited();
      this.scheduleRestart(reason, Date.now() - startedAt);
    };
    child.once('exit', (code, signal) => onGone(signal ? `signal ${signal}` : `code ${code}`));
    // Also emitted when a kill fails; only a process that never started (no pid) is gone.
    child.on('error', (error) => {
      if (child.pid === undefined) onGone(`it could not be started: ${error.message}`);
    });
    // The lifeline (stdin) is never written to: a broken pipe once the child is gone is no news.
    child.stdin?.on('error', () => {});
    onSpawn?.(child);
  }

  async stop(graceMs = 10_000): Promise<void> {
    this.stopped = true;
    this.cancelRestart();
    const run = this.run;
    if (!run) return;
    const kill = setTimeout(() => run.child.kill('SIGKILL'), graceMs);
    run.child.kill('SIGTERM');
    await run.exited;
    clearTimeout(kill);
  }

  private scheduleRestart(reason: string, upMs: number): void {
    if (this.ending) return;
    this.quickExits = upMs < this.backoff.resetAfterMs ? this.quickExits + 1 : 0;
    const delayMs = restartDelayMs(this.quickExits, this.backoff, this.options.random);
    const crashLoop =
      this.quickExits >= 3 ? `; ${this.quickExits} runs in a row ended within ${duration(this.backoff.resetAfterMs)}: see its own lines above for why` : '';
    this.options.log(
      `${this.name} exited (${reason}) after ${duration(upMs)}; restarting it in ${duration(delayMs)} (restart ${this.restarts + 1})${crashLoop}`,
    );
    this.pendingRestart = setTimeout(() => {
      this.pendingRestart = undefined;
      if (this.ending) return;
      this.restarts++;
      this.start();
    }, delayMs);
  }

  private cancelRestart(): void {
    clearTimeout(this.pendingRestart);
    this.pendingRestart = undefined;
  }
}

function duration(ms: number): string {
  if (ms < 10_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms < 120_000) return `${Math.round(ms / 1000)} s`;
  return `${Math.round(ms / 60_000)} min`;
}
