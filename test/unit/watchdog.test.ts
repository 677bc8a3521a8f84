// Long jobs stop when they make no progress, and say where they were and what they waited for.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { operationLimits } from '../../subgraphs/kit/database';
import { beginWait, describeWaits } from '../../subgraphs/kit/in-flight';
import { stallLimitMs, StalledError, watchJob } from '../../subgraphs/kit/watchdog';

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

const never = () => new Promise<never>(() => {});

describe('a watched job', () => {
  it('stops with the step it was at and the oldest thing it waited for, once no progress came for the limit', async () => {
    const watchdog = watchJob('demo data', 10_000);
    const endWait = beginWait('update on customs_declarations.declarations');
    watchdog.progress('batch 2 (demo data lines 5,001–10,000, declaration records)');
    const outcome = watchdog.guard(never()).catch((error: unknown) => error);
    await vi.advanceTimersByTimeAsync(10_000);
    const error = await outcome;
    endWait();
    expect(error).toBeInstanceOf(StalledError);
    expect((error as StalledError).code).toBe('STALLED');
    expect((error as Error).message).toBe(
      'demo data made no progress for 10 s at batch 2 (demo data lines 5,001–10,000, declaration records); ' +
        'waiting for update on customs_declarations.declarations (10 s)',
    );
  });

  it('runs as long as it likes while it keeps reporting progress', async () => {
    const watchdog = watchJob('screening', 10_000);
    const job = (async () => {
      for (let batch = 1; batch <= 5; batch++) {
        watchdog.progress(`batch ${batch}`);
        await new Promise((done) => setTimeout(done, 9_000));
      }
      return 'screened';
    })();
    const outcome = watchdog.guard(job);
    await vi.advanceTimersByTimeAsync(45_000);
    await expect(outcome).resolves.toBe('screened');
  });

  it('passes the job’s own error on unchanged', async () => {
    const failure = new Error('E11000 duplicate key');
    await expect(watchJob('ingest', 10_000).guard(Promise.reject(failure))).rejects.toBe(failure);
  });
});

describe('what a process waits for', () => {
  it('names the oldest waits first, and forgets a wait once it ends', () => {
    const endFirst = beginWait('find on customs_aeo.operators');
    vi.advanceTimersByTime(3_000);
    const endSecond = beginWait('query ScreeningChanges at http://127.0.0.1:4000/graphql');
    expect(describeWaits()).toBe('find on customs_aeo.operators (3 s); query ScreeningChanges at http://127.0.0.1:4000/graphql (0 s)');
    endFirst();
    endSecond();
    expect(describeWaits()).toBe('nothing in flight');
  });
});

describe('limits from the environment', () => {
  it('default to a minute per database operation and 45 s without progress', () => {
    expect(operationLimits({})).toEqual({ socketTimeoutMS: 60_000, waitQueueTimeoutMS: 60_000 });
    expect(stallLimitMs({})).toBe(45_000);
  });

  it('reject values that are not whole milliseconds above 0, naming the variable', () => {
    expect(() => operationLimits({ DB_OPERATION_TIMEOUT_MS: '1.5s' })).toThrow(
      'DB_OPERATION_TIMEOUT_MS must be a whole number of milliseconds above 0, not "1.5s"',
    );
    expect(() => stallLimitMs({ JOB_STALL_TIMEOUT_MS: '0' })).toThrow('JOB_STALL_TIMEOUT_MS must be a whole number of milliseconds above 0, not "0"');
  });
});
