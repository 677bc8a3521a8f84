// A client for the composed graph, for services that read it like any other client (risk
// screening and learning, the evaluation). GraphQL errors become exceptions carrying their codes.
// A request that a part of the platform failed is sent again for a while (retry.ts): the gateway
// unreachable or answering 5xx, or an answer whose every error says a subgraph was unavailable,
// timed out or failed. A partial answer is no answer for a job: it would assess a filing without
// its licence checks. Mutations are sent once: retrying one is only safe where it is idempotent.
import { parseJsonOrUndefined } from './connection-errors';
import { getOperationAST, OperationTypeNode, parse } from 'graphql';
import { TRANSIENT_ERROR_CODES } from './errors';
import { beginWait } from './in-flight';
import { currentDeadline, REQUEST_TIMEOUT_HEADER, type RequestDeadline } from './request-deadline';
import { networkFailure, retryPolicyFromEnv, retryTransient, type Attempt, type RetryNotice, type RetryPolicy, type TransientFailure } from './retry';

export interface GraphRequestOptions {
  /** Told before each retry: jobs turn it into a progress line and keep their watchdog fed. */
  onRetry?: (notice: RetryNotice) => void;
}

export interface GraphClient {
  request<TData>(query: string, variables?: Record<string, unknown>, options?: GraphRequestOptions): Promise<TData>;
}

export interface GraphClientOptions {
  /** The gateway's GraphQL URL, or how to find it when it is only known later (tests). */
  url: string | (() => string);
  /** The bearer token this client proves who it is with, fetched before each request (it may be renewed). */
  token: () => Promise<string>;
  /** How long one attempt may wait for its answer. */
  timeoutMs?: number;
  /** How long to keep retrying a request a part failed; default from JOB_RETRY_PATIENCE_MS. */
  retry?: RetryPolicy;
}

/** The gateway itself could not be reached, or answered HTTP 5xx. */
export const GATEWAY_UNAVAILABLE = 'GATEWAY_UNAVAILABLE';

type GraphErrors = readonly { message: string; path?: readonly (string | number)[]; extensions?: Record<string, unknown> }[];

/** The graph refused the request itself (bad input, forbidden, a bug): sending it again would change nothing. */
export class GraphRequestError extends Error {
  constructor(
    message: string,
    readonly errors: GraphErrors,
  ) {
    super(message);
  }

  get code(): string | undefined {
    return this.errors[0]?.extensions?.code as string | undefined;
  }
}

export function createGraphClient(options: GraphClientOptions): GraphClient {
  const { timeoutMs = 120_000, retry = retryPolicyFromEnv() } = options;
  const urlOf = typeof options.url === 'string' ? () => options.url as string : options.url;

  async function attempt<TData>(operation: Operation, query: string, variables: Record<string, unknown>, deadline?: RequestDeadline): Promise<Attempt<TData>> {
    const url = urlOf();
    const gateway = (reason: string): Attempt<TData> => ({ failure: { part: `gateway at ${url}`, subgraphs: [], code: GATEWAY_UNAVAILABLE, reason } });
    const headers: Record<string, string> = { 'content-type': 'application/json', authorization: `Bearer ${await options.token()}` };
    // Inside a request (the screen mutation), the graph need not work longer than its caller waits.
    if (deadline) headers[REQUEST_TIMEOUT_HEADER] = String(Math.max(1, deadline.remainingMs()));
    const signal = deadline ? AbortSignal.any([AbortSignal.timeout(timeoutMs), deadline.signal]) : AbortSignal.timeout(timeoutMs);
    const done = beginWait(`${operation.label} at ${url}`);
    let status: number;
    let text: string;
    try {
      const response = await fetch(url, { method: 'POST', headers, body: JSON.stringify({ query, variables }), signal });
      status = response.status;
      text = await response.text();
    } catch (error) {
      const reason = unanswered(error, timeoutMs);
      if (reason === undefined) throw error;
      return gateway(reason);
    } finally {
      done();
    }
    const body = parseJsonOrUndefined(text) as { data?: TData | null; errors?: GraphErrors } | undefined;
    const failure = body?.errors?.length ? transientFailure(body.errors) : undefined;
    if (failure) return { failure };
    if (status >= 500) return gateway(`HTTP ${status}`);
    if (body?.errors?.length) {
      throw new GraphRequestError(`The graph answered with errors: ${body.errors.map((e) => e.message).join('; ')}`, body.errors);
    }
    if (!body?.data) throw new Error(`The graph at ${url} answered HTTP ${status} without data`);
    return { value: body.data };
  }

  return {
    async request<TData>(query: string, variables: Record<string, unknown> = {}, { onRetry }: GraphRequestOptions = {}): Promise<TData> {
      const operation = operationOf(query);
      const deadline = currentDeadline();
      const patienceMs = !operation.query ? 0 : deadline ? Math.min(retry.patienceMs, deadline.remainingMs()) : retry.patienceMs;
      return retryTransient(() => attempt<TData>(operation, query, variables, deadline), {
        policy: { ...retry, patienceMs },
        what: operation.label,
        onRetry,
      });
    },
  };
}

/**
 * When every error is a part failing (TRANSIENT_ERROR_CODES), the failure to retry, naming the
 * subgraphs; undefined when any error is the request's own fault.
 */
function transientFailure(errors: GraphErrors): TransientFailure | undefined {
  const codes = errors.map((error) => error.extensions?.code);
  if (!codes.every((code) => typeof code === 'string' && TRANSIENT_ERROR_CODES.has(code))) return undefined;
  const subgraphs = [...new Set(errors.flatMap((error) => (typeof error.extensions?.subgraph === 'string' ? [error.extensions.subgraph] : [])))];
  const first = errors[0]!;
  return {
    part: subgraphs.length === 0 ? 'graph' : `${joinNames(subgraphs)} subgraph${subgraphs.length > 1 ? 's' : ''}`,
    subgraphs,
    code: codes[0] as string,
    reason: typeof first.extensions?.reason === 'string' ? first.extensions.reason : first.message,
  };
}

/** Why fetch got no answer, when the cause is the network or the wait (worth another try); undefined for anything else. */
function unanswered(error: unknown, timeoutMs: number): string | undefined {
  if (error instanceof Error && error.name === 'TimeoutError') return `no answer within ${Math.round(timeoutMs / 1000)} s`;
  return networkFailure(error);
}

interface Operation {
  /** "query RiskScreenChanges", for waits and stall messages. */
  label: string;
  /** Only a query is sent again: a mutation may have happened even when its answer was lost. */
  query: boolean;
}

const operations = new Map<string, Operation>();

/** What a query string asks for, parsed once per distinct string (jobs send a handful, many times). */
function operationOf(query: string): Operation {
  let operation = operations.get(query);
  if (!operation) {
    const ast = getOperationAST(parse(query));
    const type = ast?.operation ?? 'operation';
    operation = { label: ast?.name ? `${type} ${ast.name.value}` : `an anonymous ${type}`, query: ast?.operation === OperationTypeNode.QUERY };
    if (operations.size < 1000) operations.set(query, operation);
  }
  return operation;
}

function joinNames(names: readonly string[]): string {
  return names.length <= 1 ? (names[0] ?? '') : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
}
