// Long jobs (seed, ingest, learning, screening, evaluation) report progress; a job that reports
// none for a while stops with an error that says where it was and what it was waiting for,
// instead of sitting at a progress bar forever.
import { describeWaits } from './in-flight';

export class StalledError extends Error {
  readonly code = 'STALLED';
  constructor(message: string) {
    super(message);
    this.name = 'StalledError';
  }
}

/** JOB_STALL_TIMEOUT_MS, default 45 s: below the database's own operation timeout, so a stuck engine is named here first. */
export function stallLimitMs(env: NodeJS.ProcessEnv = process.env): number {
  const value = env.JOB_STALL_TIMEOUT_MS;
  if (value === undefined || value === '') return 45_000;
  const ms = Number(value);
  if (!Number.isInteger(ms) || ms <= 0) throw new Error(`JOB_STALL_TIMEOUT_MS must be a whole number of milliseconds above 0, not "${value}"`);
  return ms;
}

export interface Watchdog {
  /** The job moved on; `step` says where it is now ("batch 3 (records 10,001–15,000)"). */
  progress(step: string): void;
  /** The job's promise, or a StalledError once no progress came for the limit. */
  guard<T>(work: Promise<T>): Promise<T>;
}

export function watchJob(job: string, limitMs = stallLimitMs()): Watchdog {
  let step = 'its start';
  let timer: NodeJS.Timeout | undefined;
  let fail: ((error: StalledError) => void) | undefined;

  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      fail?.(new StalledError(`${job} made no progress for ${Math.round(limitMs / 1000)} s at ${step}; waiting for ${describeWaits()}`));
    }, limitMs);
    timer.unref();
  };

  return {
    progress(next) {
      step = next;
      arm();
    },
    async guard(work) {
      const stalled = new Promise<never>((_, reject) => {
        fail = reject;
      });
      arm();
      try {
        return await Promise.race([work, stalled]);
      } finally {
        clearTimeout(timer);
        fail = undefined;
      }
    },
  };
}
