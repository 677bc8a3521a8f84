// The writers ingest hands records to, by record kind: each posts its batches to the subgraph
// that owns the kind (kit/ingest.ts), which validates and stores them as its mutations do.
import { parseJsonOrUndefined } from '../../subgraphs/kit/connection-errors';
import { ErrorCode } from '../../subgraphs/kit/errors';
import { beginWait } from '../../subgraphs/kit/in-flight';
import type { RecordOutcome } from '../../subgraphs/kit/ingest';
import {
  networkFailure,
  PartUnavailableError,
  retryPolicyFromEnv,
  retryTransient,
  type Attempt,
  type RetryNotice,
  type RetryPolicy,
} from '../../subgraphs/kit/retry';
import { StalledError } from '../../subgraphs/kit/watchdog';
import { SUBGRAPHS, subgraphUrl } from '../../subgraphs/registry';
import { serviceToken } from '../service-token';
import type { Writer } from './run';

export interface Writers {
  writers: Record<string, Writer>;
  /** Subgraph name → whether it held none of its data when the writers were opened. */
  empty: Record<string, boolean>;
  /** After each file: steps that need the whole file, such as retiring traders a partner list no longer names. */
  finish(): Promise<void>;
}

export interface WriterOptions {
  /** Subgraph name → its GraphQL URL: only these are asked (tests, in-process platforms). Default: every subgraph of the registry, where it says. */
  urls?: Record<string, string>;
  /** Who sends the records, as the subgraphs record it: the subject of the local issuer's service token. */
  callerId?: string;
  /** The service token to send instead (an in-process platform's). */
  token?: () => Promise<string>;
  /** How long to keep sending a batch a subgraph could not take; default from JOB_RETRY_PATIENCE_MS. */
  retry?: RetryPolicy;
}

/** The subgraph could not store a batch; its message says why (a stalled engine, say). */
export class IngestRefusedError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
    this.name = 'IngestRefusedError';
  }
}

/** Asks each subgraph which record kinds it takes; subgraphs that take none are left out. */
export async function openWriters(options: WriterOptions = {}): Promise<Writers> {
  const headers = { authorization: `Bearer ${await (options.token ?? (() => serviceToken(options.callerId ?? 'ingest')))()}` };
  const where = options.urls ?? Object.fromEntries(SUBGRAPHS.map((entry) => [entry.name, subgraphUrl(entry)]));
  const policy = options.retry ?? retryPolicyFromEnv();
  // A platform that is not up at all is said at once, not after a whole patience.
  const firstContact = { ...policy, patienceMs: Math.min(policy.patienceMs, FIRST_CONTACT_PATIENCE_MS) };
  const offers = await Promise.all(
    Object.entries(where).map(async ([subgraph, url]) => {
      const base = new URL('/ingest', url);
      const offer = await send<{ kinds: string[]; empty: boolean }>(subgraph, base, { headers }, { policy: firstContact, notFound: null }).catch(
        (error: unknown) => {
          if (!(error instanceof PartUnavailableError)) throw error;
          throw new PartUnavailableError(error.failure, error.patienceMs, `${error.message}; is the platform running? Start it with npm start`);
        },
      );
      return { subgraph, base, offer };
    }),
  );
  const writers: Record<string, Writer> = {};
  const empty: Record<string, boolean> = {};
  const finishing: (() => Promise<unknown>)[] = [];
  for (const { subgraph, base, offer } of offers) {
    if (!offer) continue;
    empty[subgraph] = offer.empty;
    const writer: Writer = async (records, onRetry) =>
      (await send<{ results: RecordOutcome[] }>(
        subgraph,
        base,
        { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify({ records }) },
        { policy, onRetry },
      ))!.results;
    for (const kind of offer.kinds) writers[kind] = writer;
    finishing.push(() => send(subgraph, new URL('/ingest/finish', base), { method: 'POST', headers }, { policy }));
  }
  return {
    writers,
    empty,
    finish: async () => {
      await Promise.all(finishing.map((finish) => finish()));
    },
  };
}

const FIRST_CONTACT_PATIENCE_MS = 2_000;

/**
 * One request to a subgraph's ingest endpoint, sent again while the subgraph cannot be reached or
 * answers 5xx: every batch is idempotent (upserts by natural key), so sending it twice stores it
 * once. A stalled engine (503 STALLED) is not retried: the subgraph already waited for it.
 */
async function send<T>(
  subgraph: string,
  url: URL,
  init: RequestInit,
  options: { policy: RetryPolicy; notFound?: null; onRetry?: (notice: RetryNotice) => void },
): Promise<T | null> {
  const what = `${init.method ?? 'GET'} ${url.pathname} to the ${subgraph} subgraph`;
  const failed = (code: string, reason: string): Attempt<never> => ({
    failure: { part: `${subgraph} subgraph at ${url.origin}`, subgraphs: [subgraph], code, reason },
  });
  return retryTransient<T | null>(
    async () => {
      const done = beginWait(what);
      let response: Response;
      let text: string;
      try {
        response = await fetch(url, init);
        text = await response.text();
      } catch (error) {
        const reason = networkFailure(error);
        if (reason === undefined) throw error;
        return failed(ErrorCode.SubgraphUnavailable, reason);
      } finally {
        done();
      }
      const body = parseJsonOrUndefined(text) as (T & { error?: string; code?: string }) | undefined;
      if (response.ok && body) return { value: body };
      if (response.status === 404 && options.notFound !== undefined) return { value: options.notFound };
      if (body?.code === 'STALLED') throw new StalledError(`the ${subgraph} subgraph: ${body.error ?? 'stalled'}`);
      const reason = `HTTP ${response.status}: ${body?.error ?? 'no reason given'}`;
      if (response.status >= 500) return failed(SERVER_ERRORS[response.status] ?? ErrorCode.SubgraphError, reason);
      const refused = `The ${subgraph} subgraph refused ${init.method ?? 'GET'} ${url.pathname} (HTTP ${response.status}): ${body?.error ?? 'no reason given'}`;
      throw new IngestRefusedError(refused, body?.code ?? `HTTP_${response.status}`);
    },
    { policy: options.policy, what, onRetry: options.onRetry },
  );
}

const SERVER_ERRORS: Record<number, string> = { 503: ErrorCode.SubgraphUnavailable, 504: ErrorCode.SubgraphTimeout };
