// How long a request may still run, for everything it does on the way: the gateway's subgraph
// fetches, a subgraph's database commands (maxTimeMS). A request ends early when its deadline
// passes or its client goes away, and then nothing more is started for it.
import { AsyncLocalStorage } from 'node:async_hooks';
import { setMaxListeners } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** Milliseconds the caller still waits for an answer; a service may only shorten what it is given. */
export const REQUEST_TIMEOUT_HEADER = 'x-request-timeout-ms';

export interface RequestDeadline {
  /** Epoch milliseconds after which nobody waits for the answer. */
  readonly expiresAt: number;
  /** Aborted when the deadline passes or the client disconnects; its reason says which. */
  readonly signal: AbortSignal;
  remainingMs(): number;
}

const scope = new AsyncLocalStorage<RequestDeadline>();

/** The deadline of the request being served, if any: undefined outside a request (start-up, jobs). */
export function currentDeadline(): RequestDeadline | undefined {
  return scope.getStore();
}

/**
 * Runs work that many requests share (a cache's load) outside the request that happens to start
 * it: one caller's short deadline or disconnect must not fail everyone waiting for the same load.
 */
export function detachedFromRequest<T>(work: () => Promise<T>): Promise<T> {
  return scope.exit(work);
}

export class DeadlineExceededError extends Error {
  override readonly name = 'DeadlineExceededError';
}

export class ClientGoneError extends Error {
  override readonly name = 'ClientGoneError';
}

/** The caller's REQUEST_TIMEOUT_HEADER is no positive whole number: its request is refused (400). */
export class InvalidTimeoutHeaderError extends Error {
  override readonly name = 'InvalidTimeoutHeaderError';
}

/**
 * Runs `work` under a deadline of at most `timeoutMs`, shortened by the client's
 * REQUEST_TIMEOUT_HEADER. Throws InvalidTimeoutHeaderError for a header that is no positive whole number.
 */
export async function withRequestDeadline<T>(req: IncomingMessage, res: ServerResponse, timeoutMs: number, work: () => Promise<T>): Promise<T> {
  const asked = requestedTimeout(req.headers[REQUEST_TIMEOUT_HEADER]);
  const budget = Math.min(asked ?? timeoutMs, timeoutMs);
  const expiresAt = Date.now() + budget;
  const controller = new AbortController();
  // Each database command in flight listens to it (kit/database-deadline.ts): a page and its loaders are more than ten.
  setMaxListeners(0, controller.signal);
  const timer = setTimeout(() => controller.abort(new DeadlineExceededError(`the request's deadline of ${budget} ms passed`)), budget);
  timer.unref();
  // 'close' before the answer is written: the client gave up (or its connection broke).
  const onClose = () => {
    if (!res.writableFinished) controller.abort(new ClientGoneError('the client closed the connection before the answer'));
  };
  res.once('close', onClose);
  const deadline: RequestDeadline = { expiresAt, signal: controller.signal, remainingMs: () => Math.max(0, expiresAt - Date.now()) };
  try {
    return await scope.run(deadline, work);
  } finally {
    clearTimeout(timer);
    res.off('close', onClose);
  }
}

function requestedTimeout(header: string | string[] | undefined): number | undefined {
  if (header === undefined) return undefined;
  const value = Array.isArray(header) ? header[0] : header;
  const number = Number(value);
  if (!Number.isInteger(number) || number <= 0)
    throw new InvalidTimeoutHeaderError(`${REQUEST_TIMEOUT_HEADER} must be a whole number of milliseconds above 0, not "${value}"`);
  return number;
}

/** REQUEST_TIMEOUT_MS, or the default: how long a service works on one request at most. */
export function requestTimeoutFromEnv(fallbackMs: number, env: NodeJS.ProcessEnv = process.env): number {
  return millisecondsFromEnv('REQUEST_TIMEOUT_MS', env) ?? fallbackMs;
}

/** A duration setting: a whole number of milliseconds above 0, or undefined when unset. */
export function millisecondsFromEnv(name: string, env: NodeJS.ProcessEnv = process.env): number | undefined {
  const value = env[name];
  if (value === undefined || value === '') return undefined;
  const number = Number(value);
  if (!Number.isInteger(number) || number <= 0) throw new Error(`${name} must be a whole number of milliseconds above 0, not "${value}"`);
  return number;
}
