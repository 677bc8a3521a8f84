// Riding out a part of the platform that fails for a while (a subgraph restarting, the gateway
// overloaded): long jobs send the same request again, with exponential backoff and jitter, for a
// bounded patience, and only then stop with an error that names the part. Callers decide what is
// transient; anything they throw (a caller error, a bug) is never retried.
import { connectionFailure } from './connection-errors';
import { setTimeout as sleep } from 'node:timers/promises';
import { beginWait } from './in-flight';
import type { Watchdog } from './watchdog';

/** Something a part of the platform failed to do that it may well do a moment later. */
export interface TransientFailure {
  /** The part, as a reader names it: "licences subgraph", "gateway at http://…/graphql". */
  part: string;
  /** The subgraphs that failed; empty when it was the gateway or the way to it. */
  subgraphs: readonly string[];
  /** Machine-readable: SUBGRAPH_UNAVAILABLE, SUBGRAPH_TIMEOUT, SUBGRAPH_ERROR, GATEWAY_UNAVAILABLE. */
  code: string;
  /** For people: "connection refused", "HTTP 503". */
  reason: string;
}

/** One attempt's outcome: a value, or a failure worth another attempt. */
export type Attempt<T> = { value: T } | { failure: TransientFailure };

export interface RetryPolicy {
  /** How long after the first failure attempts go on; 0 sends a request once (a mutation). */
  patienceMs: number;
  /** The wait before the first retry; each later one doubles, up to `maxDelayMs`, with jitter. */
  firstDelayMs: number;
  maxDelayMs: number;
}

export interface RetryNotice {
  failure: TransientFailure;
  /** The attempt that failed, from 1. */
  attempt: number;
  /** How long until the next attempt. */
  delayMs: number;
}

/** Long enough to ride out a subgraph that exits and is restarted under supervision. */
export const DEFAULT_PATIENCE_MS = 90_000;

/** JOB_RETRY_PATIENCE_MS, default 90 s, and delays from half a second up to ten. */
export function retryPolicyFromEnv(env: NodeJS.ProcessEnv = process.env): RetryPolicy {
  const value = env.JOB_RETRY_PATIENCE_MS;
  const patienceMs = value === undefined || value === '' ? DEFAULT_PATIENCE_MS : Number(value);
  if (!Number.isInteger(patienceMs) || patienceMs < 0)
    throw new Error(`JOB_RETRY_PATIENCE_MS must be a whole number of milliseconds, 0 or more, not "${value}"`);
  return { patienceMs, firstDelayMs: 500, maxDelayMs: 10_000 };
}

/** A part failed for longer than the caller's patience (or once, for a request sent only once). */
export class PartUnavailableError extends Error {
  override readonly name = 'PartUnavailableError';
  readonly code: string;
  readonly subgraphs: readonly string[];

  constructor(
    readonly failure: TransientFailure,
    readonly patienceMs: number,
    message = describeGivingUp(failure, patienceMs),
  ) {
    super(message);
    this.code = failure.code;
    this.subgraphs = failure.subgraphs;
  }

  /** The same failure, said as where a job stopped: "screening stopped at batch 41 (…): the licences subgraph …". */
  at(step: string): PartUnavailableError {
    return new PartUnavailableError(this.failure, this.patienceMs, `${step}: ${this.message}`);
  }
}

/**
 * Makes attempts until one gives a value, or until failures have gone on for the policy's
 * patience; then throws PartUnavailableError with the last failure. What an attempt throws
 * ends it at once.
 */
export async function retryTransient<T>(
  attempt: () => Promise<Attempt<T>>,
  options: { policy: RetryPolicy; what: string; onRetry?: (notice: RetryNotice) => void },
): Promise<T> {
  const { policy } = options;
  let firstFailure: number | undefined;
  for (let number = 1; ; number++) {
    const outcome = await attempt();
    if ('value' in outcome) return outcome.value;
    firstFailure ??= Date.now();
    const left = policy.patienceMs - (Date.now() - firstFailure);
    if (left <= 0) throw new PartUnavailableError(outcome.failure, policy.patienceMs);
    const delayMs = Math.min(backoff(number, policy), left);
    options.onRetry?.({ failure: outcome.failure, attempt: number, delayMs });
    const done = beginWait(`a retry of ${options.what} after ${describeFailure(outcome.failure)}`);
    await sleep(delayMs).finally(done);
  }
}

/** Exponential, capped, with "equal jitter": at least half the step, so the retries of many callers spread out. */
function backoff(attempt: number, policy: RetryPolicy): number {
  const step = Math.min(policy.maxDelayMs, policy.firstDelayMs * 2 ** (attempt - 1));
  return Math.round(step / 2 + (Math.random() * step) / 2);
}

/** "licences subgraph unavailable: connection refused". */
export function describeFailure({ part, code, reason }: TransientFailure): string {
  const state = code.endsWith('_TIMEOUT') ? 'timed out' : code.endsWith('_ERROR') ? 'failed' : 'unavailable';
  return `${part} ${state}: ${reason}`;
}

function describeGivingUp(failure: TransientFailure, patienceMs: number): string {
  const how = patienceMs > 0 ? `stayed unavailable for ${seconds(patienceMs)}` : 'was unavailable';
  return `the ${failure.part} ${how} (${failure.code}: ${failure.reason})`;
}

/**
 * Why fetch got no answer, when the network is the cause (worth another try): its "fetch failed",
 * or "terminated" mid-answer, carry the socket's error. Undefined for anything else (a bad URL).
 */
export function networkFailure(error: unknown): string | undefined {
  const cause = error instanceof Error ? (error.cause as { code?: unknown; message?: string } | undefined) : undefined;
  if (typeof cause?.code !== 'string') return undefined;
  return connectionFailure(error) ?? cause.message;
}

/** "2 s", "0.5 s". */
export function seconds(ms: number): string {
  return `${ms >= 10_000 ? Math.round(ms / 1000) : Number((ms / 1000).toFixed(1))} s`;
}

/** How a long job tells of its retries, and names where it stopped when its patience ran out. */
export interface JobRetries {
  /** For the requests of one batch: each retry is progress for the watchdog (patience bounds it) and a line for people. */
  onRetry(batch: string): (notice: RetryNotice) => void;
  /** The batch's work; a part that stayed unavailable is named with the batch it stopped the job at. */
  stopsAt<T>(batch: string, work: Promise<T>): Promise<T>;
}

/**
 * `job` names the job in lines ("screening"); `batch`es say where it is ("batch 41 (4,000 changes
 * screened before it)"). A line reads: "screening: batch 41 (4,000 changes screened before it)
 * failed (licences subgraph unavailable: connection refused); retrying in 2 s".
 */
export function jobRetries(job: string, watchdog: Pick<Watchdog, 'progress'>, onLine: (line: string) => void = () => {}): JobRetries {
  return {
    onRetry: (batch) => (notice) => {
      watchdog.progress(`${batch}, retrying after ${describeFailure(notice.failure)}`);
      onLine(`${job}: ${batch} failed (${describeFailure(notice.failure)}); retrying in ${seconds(notice.delayMs)}`);
    },
    stopsAt: (batch, work) =>
      work.catch((error: unknown) => {
        throw error instanceof PartUnavailableError ? error.at(`${job} stopped at ${batch}`) : error;
      }),
  };
}
