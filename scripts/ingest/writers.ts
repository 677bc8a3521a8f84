// The writers ingest hands records to, by record kind: each posts its batches to the subgraph
// that owns the kind (kit/ingest.ts), which validates and stores them as its mutations do.
import { setTimeout as sleep } from 'node:timers/promises';
import { beginWait } from '../../subgraphs/kit/in-flight';
import type { RecordOutcome } from '../../subgraphs/kit/ingest';
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
  const offers = await Promise.all(
    Object.entries(where).map(async ([subgraph, url]) => {
      const base = new URL('/ingest', url);
      return { subgraph, base, offer: await send<{ kinds: string[]; empty: boolean }>(subgraph, base, { headers }, { notFound: null }) };
    }),
  );
  const writers: Record<string, Writer> = {};
  const empty: Record<string, boolean> = {};
  const finishing: (() => Promise<unknown>)[] = [];
  for (const { subgraph, base, offer } of offers) {
    if (!offer) continue;
    empty[subgraph] = offer.empty;
    const writer: Writer = async (records) =>
      (await send<{ results: RecordOutcome[] }>(subgraph, base, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json' },
        body: JSON.stringify({ records }),
      }))!.results;
    for (const kind of offer.kinds) writers[kind] = writer;
    finishing.push(() => send(subgraph, new URL('/ingest/finish', base), { method: 'POST', headers }));
  }
  return {
    writers,
    empty,
    finish: async () => {
      await Promise.all(finishing.map((finish) => finish()));
    },
  };
}

/**
 * One request to a subgraph's ingest endpoint, retried while the subgraph cannot be reached:
 * every batch is idempotent, so sending it twice stores it once.
 */
async function send<T>(subgraph: string, url: URL, init: RequestInit, { notFound }: { notFound?: null } = {}): Promise<T | null> {
  const retries = 2;
  for (let attempt = 0; ; attempt++) {
    const done = beginWait(`${init.method ?? 'GET'} ${url.pathname} to the ${subgraph} subgraph`);
    let response: Response;
    try {
      response = await fetch(url, init);
    } catch (error) {
      done();
      if (attempt < retries) {
        await sleep(250 * 2 ** attempt);
        continue;
      }
      throw new Error(
        `The ${subgraph} subgraph at ${url.origin} did not answer (${(error as Error).message}); is the platform running? Start it with npm start`,
        {
          cause: error,
        },
      );
    }
    const body = (await response
      .json()
      .catch(() => ({}))
      .finally(done)) as T & { error?: string; code?: string };
    if (response.ok) return body;
    if (response.status === 404 && notFound !== undefined) return notFound;
    const message = `The ${subgraph} subgraph refused ${init.method ?? 'GET'} ${url.pathname} (HTTP ${response.status}): ${body.error ?? 'no reason given'}`;
    if (body.code === 'STALLED') throw new StalledError(`the ${subgraph} subgraph: ${body.error ?? 'stalled'}`);
    throw new IngestRefusedError(message, body.code ?? `HTTP_${response.status}`);
  }
}
