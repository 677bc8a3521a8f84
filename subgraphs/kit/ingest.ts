// Bulk loading into a subgraph, through the subgraph: a subgraph that takes records is the only
// writer of its database, so `npm run ingest` and the demo data send their records here in batches, and the
// subgraph's own writers validate and store them beside its mutations.
//
//   GET  /ingest          → { kinds, empty }: the record kinds it takes; whether it holds data yet
//   POST /ingest          { records: [...] } → { results: [one outcome per record, in order] }
//   POST /ingest/finish   → {}: steps that need a whole file, once the file is sent
//
// Only callers whose identity token grants the `ingest` scope (the `service` role) may use it.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { GraphQLError } from 'graphql';
import { callerFromIdentity } from './auth/requests';
import { hasScope, type Caller } from './auth/roles';
import type { Trust } from './auth/trust';
import { readBody, sendJson, type Route } from './http';
import { StalledError, stallLimitMs, watchJob } from './watchdog';

export type RecordOutcome = { status: 'stored' | 'updated' | 'unchanged' } | { status: 'rejected'; field: string; reason: string };

export interface IngestHandler {
  /** The `kind`s of record this subgraph stores. */
  kinds: readonly string[];
  /** True while the subgraph holds none of its data: npm start loads demo data only then. */
  isEmpty(): Promise<boolean>;
  /**
   * One outcome per record, in order. A bad record is rejected; the rest of its batch is stored.
   * A writer that stores record by record says so through `progress`, so that a batch that is slow
   * but moving is not taken for a stuck engine.
   */
  write(records: readonly unknown[], caller: Caller, progress: (step: string) => void): Promise<RecordOutcome[]>;
  /** After a whole file: steps that need all of it, such as retiring what a list no longer names. */
  finish?(caller: Caller): Promise<void>;
}

/** A batch of 5,000 declarations is about 10 MB of JSON. */
export const MAX_INGEST_BODY_BYTES = 64 * 1024 * 1024;

/**
 * The outcome of a record the subgraph refused (bad input, a conflict, a quantity exceeded:
 * any GraphQL error with a code), or the error itself when it is a fault of the subgraph.
 */
export function rejection(error: unknown): RecordOutcome {
  if (!(error instanceof GraphQLError) || typeof error.extensions.code !== 'string' || error.extensions.code === 'INTERNAL_SERVER_ERROR') throw error;
  return { status: 'rejected', field: String(error.extensions.field ?? ''), reason: String(error.extensions.reason ?? error.message) };
}

/** Writes records one at a time, each rejected alone if it is invalid: for subgraphs with few records. */
export async function eachRecord(
  records: readonly unknown[],
  write: (record: unknown) => Promise<RecordOutcome['status']>,
  progress?: (step: string) => void,
): Promise<RecordOutcome[]> {
  const outcomes: RecordOutcome[] = [];
  for (const record of records) {
    try {
      outcomes.push({ status: await write(record) } as RecordOutcome);
    } catch (error) {
      outcomes.push(rejection(error));
    }
    progress?.(`${outcomes.length.toLocaleString('en')} of ${records.length.toLocaleString('en')} records`);
  }
  return outcomes;
}

export function ingestRoute(handler: IngestHandler, trust: Pick<Trust, 'identity'>): Route {
  return async (req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (path !== '/ingest' && path !== '/ingest/finish') return false;
    const caller = await authorise(req, res, trust, 'ingest', path);
    if (!caller) return true;
    if (path === '/ingest' && req.method === 'GET') {
      sendJson(res, 200, { kinds: handler.kinds, empty: await handler.isEmpty() });
      return true;
    }
    if (req.method !== 'POST') {
      fail(res, 405, 'METHOD_NOT_ALLOWED', `${path} takes ${path === '/ingest' ? 'GET or POST' : 'POST'}, not ${req.method}`);
      return true;
    }
    if (path === '/ingest/finish') {
      await handler.finish?.(caller);
      sendJson(res, 200, {});
      return true;
    }
    const records = await readRecords(req, res);
    if (records) {
      // A little sooner than its client's own watchdog, so the client hears where the engine stuck.
      const watchdog = watchJob('storing the batch', Math.round(stallLimitMs() * 0.75));
      watchdog.progress(`${records.length.toLocaleString('en')} records`);
      try {
        const progress = (step: string) => watchdog.progress(step);
        sendJson(res, 200, { results: await watchdog.guard(handler.write(records, caller, progress)) });
      } catch (error) {
        if (!(error instanceof StalledError)) throw error;
        fail(res, 503, 'STALLED', error.message);
      }
    }
    return true;
  };
}

async function readRecords(req: IncomingMessage, res: ServerResponse): Promise<unknown[] | undefined> {
  const body = await readBody(req, MAX_INGEST_BODY_BYTES);
  if (body === undefined) return fail(res, 413, 'PAYLOAD_TOO_LARGE', `a batch may hold ${MAX_INGEST_BODY_BYTES} bytes at most; send smaller batches`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return fail(res, 400, 'BAD_REQUEST', 'the body is not valid JSON; send {"records": [...]}');
  }
  const records = (parsed as { records?: unknown } | null)?.records;
  if (!Array.isArray(records)) return fail(res, 400, 'BAD_REQUEST', 'the body must be {"records": [...]}, an object with an array of records');
  return records;
}

/** The caller, when its identity token grants the scope; otherwise the refusal is sent and undefined returned. */
export async function authorise(
  req: IncomingMessage,
  res: ServerResponse,
  trust: Pick<Trust, 'identity'>,
  scope: 'ingest' | 'jobs',
  path: string,
): Promise<Caller | undefined> {
  let caller: Caller | undefined;
  try {
    caller = await callerFromIdentity(req, trust);
  } catch (error) {
    return fail(res, 401, 'UNAUTHENTICATED', (error as Error).message);
  }
  if (!caller) return fail(res, 401, 'UNAUTHENTICATED', `${path} needs a service token: send Authorization: Bearer <token>`);
  if (!hasScope(caller, scope))
    return fail(res, 403, 'FORBIDDEN', `${path} needs the ${scope} scope, which the service role holds; ${caller.id} is ${caller.role}`);
  return caller;
}

function fail(res: ServerResponse, status: number, code: string, message: string): undefined {
  sendJson(res, status, { error: message, code });
  return undefined;
}
