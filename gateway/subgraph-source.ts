// How the gateway asks one subgraph, and what it does when the subgraph cannot answer.
//
// - Every fetch has a deadline: the subgraph's own (SUBGRAPH_TIMEOUT_MS), cut short by what is
//   left of the operation's; the subgraph is told the rest (x-request-timeout-ms) and stops
//   its database work with it.
// - A read that fails to connect is tried once more after a short, jittered pause. A mutation
//   never is: it may have been applied.
// - A subgraph that keeps failing is skipped for a while (circuit-breaker.ts).
// - A read the same caller's other operation is already waiting for is not sent again: both get
//   the one answer (inflight.ts), each parsed on its own.
// - A fetch that fails does not fail the operation: the answer carries everything else, and one
//   error per missing field naming the subgraph and the reason (missing-fields.ts).
// Connections are kept alive between fetches (Node's fetch pools them per subgraph).
import { setTimeout as sleep } from 'node:timers/promises';
import type { GraphQLDataSource, GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { GatewayGraphQLRequest, GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import type { GraphQLFormattedError } from 'graphql';
import { connectionFailure } from '../subgraphs/kit/connection-errors';
import { ErrorCode } from '../subgraphs/kit/errors';
import { ClientGoneError, currentDeadline, DeadlineExceededError, millisecondsFromEnv, REQUEST_TIMEOUT_HEADER } from '../subgraphs/kit/request-deadline';
import { TIMING_HEADER } from '../subgraphs/kit/timing';
import type { SubgraphEntry } from '../subgraphs/registry';
import { CircuitBreaker, type CircuitState } from './circuit-breaker';
import { dedupeEntities } from './entity-dedupe';
import { Inflight } from './inflight';
import { missingFieldErrors, operationTypeOf, type SubgraphFailure } from './missing-fields';

export interface FetchPolicy {
  /** The longest one fetch may take, operation deadline permitting. */
  timeoutMs: number;
  /** Failures in a row that open the subgraph's circuit, and how long it then stays open. */
  circuitFailures: number;
  circuitOpenMs: number;
  /** The circuit's clock: a test's own, so that it decides when an open circuit lets a probe through. */
  now?: () => number;
  /** Asks the subgraph what each fetch cost it (kit/timing.ts), for the gateway's traces (trace.ts). */
  askTiming?: boolean;
}

export const DEFAULT_FETCH_POLICY: FetchPolicy = { timeoutMs: 5_000, circuitFailures: 5, circuitOpenMs: 5_000 };

/** The context a fetch needs from the gateway's request: the caller's token for the subgraphs. */
export interface FetchContext {
  subgraphToken?: () => Promise<string>;
}

/** What /readyz says of the gateway's view of a subgraph. */
export interface SubgraphHealth {
  circuit: CircuitState;
  failuresInARow: number;
}

/** Codes that say nothing a caller can act on: errors carrying them are the subgraph's failure, never passed on as they are. */
const INTERNAL_CODES = new Set(['INTERNAL_SERVER_ERROR', undefined]);

export class SubgraphSource implements GraphQLDataSource<FetchContext> {
  readonly breaker: CircuitBreaker;
  private readonly reads = new Inflight<Exchange>();

  constructor(
    readonly subgraph: string,
    readonly url: string,
    readonly policy: FetchPolicy = DEFAULT_FETCH_POLICY,
    log: (line: string) => void = console.warn,
  ) {
    this.breaker = new CircuitBreaker({
      failureThreshold: policy.circuitFailures,
      openMs: policy.circuitOpenMs,
      ...(policy.now && { now: policy.now }),
      onStateChange: (state, breaker) => {
        if (state === 'open')
          log(`gateway: the ${subgraph} subgraph failed ${breaker.failures} times in a row; skipping it for ${policy.circuitOpenMs / 1000} s`);
        if (state === 'closed') log(`gateway: the ${subgraph} subgraph answers again`);
      },
    });
  }

  health(): SubgraphHealth {
    return { circuit: this.breaker.state, failuresInARow: this.breaker.failures };
  }

  async process(options: GraphQLDataSourceProcessOptions<FetchContext>): Promise<GatewayGraphQLResponse> {
    const { request, context } = options;
    const deduped = dedupeEntities(request.variables);
    const body = JSON.stringify({ query: request.query, variables: deduped?.variables ?? request.variables, operationName: request.operationName });
    const authorization = context.subgraphToken ? `Bearer ${await context.subgraphToken()}` : undefined;
    const asker = currentDeadline()?.signal;
    const exchange =
      operationTypeOf(request.query ?? '') === 'mutation'
        ? await this.exchange(body, authorization, { retry: false, cancel: asker })
        : // The token names the caller, so only the same caller's same read is shared.
          await this.reads
            .share(`${authorization ?? ''}\n${body}`, (cancel) => this.exchange(body, authorization, { retry: true, cancel }), asker)
            .catch((error: unknown): Exchange => ({ failure: asFailure(error) }));
    if ('failure' in exchange) return this.missing(request, exchange.failure);
    const response = answerOf(exchange.reply, this.subgraph);
    return deduped ? deduped.expand(response) : response;
  }

  /** Reads of other callers' operations that were served by the same read already in flight. */
  get sharedReads(): number {
    return this.reads.joined;
  }

  /** One exchange with the subgraph, circuit permitting: its reply, or why there is none. */
  private async exchange(body: string, authorization: string | undefined, how: { retry: boolean; cancel: AbortSignal | undefined }): Promise<Exchange> {
    const pass = this.breaker.tryPass();
    if (!pass) return { failure: { code: ErrorCode.SubgraphUnavailable, reason: this.skipReason() } };
    try {
      const reply = await this.send(body, authorization, how.retry, how.cancel);
      this.breaker.succeeded(pass);
      return { reply };
    } catch (error) {
      const failure = asFailure(error);
      if (failure.subgraphsFault) this.breaker.failed(pass);
      else this.breaker.abandoned(pass);
      return { failure };
    }
  }

  private skipReason(): string {
    const { failures, retryInMs } = this.breaker;
    return retryInMs > 0
      ? `skipped for ${Math.ceil(retryInMs / 1000)} s more after ${failures} failures in a row`
      : `skipped while one request checks whether it answers again, after ${failures} failures in a row`;
  }

  /**
   * One fetch, and for a read one more try when the first could not connect, both within the
   * fetch's one deadline: its own, or what is left of the operation's if that ends sooner.
   */
  private async send(body: string, authorization: string | undefined, retry: boolean, cancel: AbortSignal | undefined): Promise<Reply> {
    const ownDeadline = Date.now() + this.policy.timeoutMs;
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.attempt(body, authorization, ownDeadline, cancel);
      } catch (error) {
        const pause = 25 + Math.random() * 75;
        if (!retry || attempt > 1 || !connectionFailure(error) || budgetUntil(ownDeadline).ms <= pause) throw error;
        await sleep(pause);
      }
    }
  }

  private async attempt(body: string, authorization: string | undefined, ownDeadline: number, cancel: AbortSignal | undefined): Promise<Reply> {
    if (cancel?.aborted) throw cancel.reason;
    const budget = budgetUntil(ownDeadline);
    if (budget.ms <= 0) throw new DeadlineExceededError("the operation's deadline passed before the subgraph was asked");
    const timeout = AbortSignal.timeout(budget.ms);
    // Which deadline ended the fetch: the subgraph's own says it was slow; the operation's may have left it no time.
    const timedOut = (error: unknown) => {
      if (cancel?.aborted) return cancel.reason as Error;
      // Its own deadline is named as configured: a retry or a token may have used a millisecond of it.
      if (timeout.aborted) return new FetchTimeout(budget.cutShort ? budget.ms : this.policy.timeoutMs, budget.cutShort);
      return error;
    };
    let text: string;
    let status: number;
    try {
      const response = await fetch(this.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          [REQUEST_TIMEOUT_HEADER]: String(budget.ms),
          ...(this.policy.askTiming && { [TIMING_HEADER]: '1' }),
          ...(authorization && { authorization }),
        },
        body,
        signal: cancel ? AbortSignal.any([cancel, timeout]) : timeout,
      });
      status = response.status;
      // Cut mid-answer: a failure of the connection (or a deadline), not an answer that is no JSON.
      text = await response.text();
    } catch (error) {
      throw timedOut(error);
    }
    const answer = parseJson(text);
    if (status >= 500 || !answer || typeof answer !== 'object') throw new FailedAnswer(status, answer !== undefined);
    const parsed = answer as GatewayGraphQLResponse;
    // A refusal that names no error of the caller's is the subgraph's failure.
    if (status >= 400) callerErrors(parsed.errors, status);
    return { status, text, parsed };
  }

  private missing(request: GatewayGraphQLRequest, failure: SubgraphFailure): GatewayGraphQLResponse {
    return { errors: missingFieldErrors(this.subgraph, request.query ?? '', request.variables, failure) };
  }
}

/** A subgraph's answer to one fetch, shared by every read that waited for it. */
interface Reply {
  status: number;
  text: string;
  /** The text parsed, for the first to take it; the executor merges into what it gets, so the others parse their own. */
  parsed?: GatewayGraphQLResponse;
}

type Exchange = { reply: Reply } | { failure: SubgraphFailure };

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The answer the executor gets from a reply: the caller's errors of a refusal, or the data with failures named. */
function answerOf(reply: Reply, subgraph: string): GatewayGraphQLResponse {
  const answer = reply.parsed ?? (JSON.parse(reply.text) as GatewayGraphQLResponse);
  reply.parsed = undefined;
  if (reply.status >= 400) return { errors: callerErrors(answer.errors, reply.status) };
  return { data: answer.data, errors: answer.errors?.map((error) => namedFailure(error, subgraph)), extensions: answer.extensions };
}

/** What is left until the fetch's own deadline, or the operation's if that ends sooner (`cutShort`). */
function budgetUntil(ownDeadline: number): { ms: number; cutShort: boolean } {
  const own = ownDeadline - Date.now();
  const operation = currentDeadline()?.remainingMs() ?? Infinity;
  return { ms: Math.floor(Math.min(own, operation)), cutShort: operation < own };
}

/**
 * A subgraph refused the request (HTTP 4xx): a Date variable that is no date, say. Those are the
 * caller's errors, passed on with their code and field; anything without a code of its own is
 * the subgraph's failure, not the caller's.
 */
function callerErrors(errors: readonly GraphQLFormattedError[] | undefined, status: number): GraphQLFormattedError[] {
  const coded = (errors ?? []).filter((error) => !INTERNAL_CODES.has(error.extensions?.code as string | undefined));
  if (coded.length === 0) throw new FailedAnswer(status, true);
  return coded.map(({ message, extensions = {} }) => {
    const { code, field, reason } = extensions;
    return { message, extensions: { code, ...(field !== undefined && { field }), ...(reason !== undefined && { reason }) } };
  });
}

/**
 * A field a subgraph could not resolve for a failure of its own (its database away, its time up)
 * is missing for the same reasons as a subgraph that did not answer, and says so the same way:
 * the code, the subgraph, the reason. Its own message may hold internals (a driver's words) and
 * is kept only in development.
 */
function namedFailure(error: GraphQLFormattedError, subgraph: string): GraphQLFormattedError {
  const code = error.extensions?.code as string | undefined;
  if (code === ErrorCode.DeadlineExceeded) {
    const reason = error.extensions?.reason === 'CLIENT_GONE' ? 'the client went away' : "the request's time was up";
    return {
      ...error,
      message: `The ${subgraph} subgraph did not answer in time (${reason}); this field is missing from the answer`,
      extensions: { code: ErrorCode.SubgraphTimeout, subgraph, reason },
    };
  }
  if (!INTERNAL_CODES.has(code)) return error;
  return {
    ...error,
    message: DEVELOPMENT ? error.message : `The ${subgraph} subgraph failed on this field (an internal error, in its log); it is missing from the answer`,
    extensions: { code: ErrorCode.SubgraphError, subgraph, reason: 'internal error' },
  };
}

const DEVELOPMENT = process.env.NODE_ENV === 'development';

/** The fetch's own deadline passed: the subgraph's, or what was left of the operation's (`cutShort`). */
class FetchTimeout extends Error {
  constructor(
    readonly budgetMs: number,
    readonly cutShort: boolean,
  ) {
    super(`no answer within ${budgetMs} ms`);
  }
}

/** The subgraph answered, but with a failure of its own, or with something that is no GraphQL answer. */
class FailedAnswer extends Error {
  constructor(
    readonly status: number,
    readonly json: boolean,
  ) {
    super(`HTTP ${status}`);
  }
}

/** Why a fetch failed, in the caller's words, and whether it says anything about the subgraph's health. */
function asFailure(error: unknown): SubgraphFailure & { subgraphsFault: boolean } {
  if (error instanceof DeadlineExceededError) return { code: ErrorCode.SubgraphTimeout, reason: error.message, subgraphsFault: false };
  if (error instanceof ClientGoneError) return { code: ErrorCode.SubgraphTimeout, reason: error.message, subgraphsFault: false };
  // Cut short by the operation's deadline, a fetch says little of the subgraph: it may have had no time at all.
  if (error instanceof FetchTimeout)
    return {
      code: ErrorCode.SubgraphTimeout,
      reason: `${error.message}${error.cutShort ? ", what was left of the operation's deadline" : ''}`,
      subgraphsFault: !error.cutShort,
    };
  if (error instanceof FailedAnswer) {
    const unavailable = [502, 503, 504].includes(error.status);
    return {
      code: unavailable ? ErrorCode.SubgraphUnavailable : ErrorCode.SubgraphError,
      reason: error.json ? `HTTP ${error.status}` : `HTTP ${error.status} with an answer that is no GraphQL response`,
      subgraphsFault: true,
    };
  }
  return { code: ErrorCode.SubgraphUnavailable, reason: connectionFailure(error) ?? 'the request failed in transit', subgraphsFault: true };
}

/**
 * A subgraph's fetch policy: SUBGRAPH_<NAME>_TIMEOUT_MS, else its registry entry's, else
 * SUBGRAPH_TIMEOUT_MS, else 5 s; SUBGRAPH_CIRCUIT_FAILURES and SUBGRAPH_CIRCUIT_OPEN_MS for all.
 */
export function fetchPolicyFromEnv(entry: Pick<SubgraphEntry, 'name' | 'fetchTimeoutMs'>, env: NodeJS.ProcessEnv = process.env): FetchPolicy {
  const failures = env.SUBGRAPH_CIRCUIT_FAILURES;
  if (failures !== undefined && !/^[1-9]\d*$/.test(failures)) throw new Error(`SUBGRAPH_CIRCUIT_FAILURES must be a whole number above 0, not "${failures}"`);
  return {
    timeoutMs:
      millisecondsFromEnv(`SUBGRAPH_${entry.name.toUpperCase()}_TIMEOUT_MS`, env) ??
      entry.fetchTimeoutMs ??
      millisecondsFromEnv('SUBGRAPH_TIMEOUT_MS', env) ??
      DEFAULT_FETCH_POLICY.timeoutMs,
    circuitFailures: failures ? Number(failures) : DEFAULT_FETCH_POLICY.circuitFailures,
    circuitOpenMs: millisecondsFromEnv('SUBGRAPH_CIRCUIT_OPEN_MS', env) ?? DEFAULT_FETCH_POLICY.circuitOpenMs,
  };
}
