// Long jobs that write a subgraph's database run in the subgraph's own process, so that it stays
// the only writer of its database: a tool asks for one over HTTP and follows its progress.
//
//   POST /jobs/<name>   { ...input } → a stream of JSON lines, as the job goes:
//                        {"progress": ...}  any number of them
//                        {"done": ...}      its result, last
//                        {"error": {"message", "code"}}   instead, when it fails
//                                          (and "subgraphs": the parts that stayed unavailable)
//
// Only callers whose identity token grants the `jobs` scope (the `service` role) may start one. A job runs once at a time: a second request for
// it waits for the first to end, then runs (each job is safe to run again).
import type { ServerResponse } from 'node:http';
import { GraphQLError } from 'graphql';
import type { Caller } from './auth/roles';
import type { Trust } from './auth/trust';
import { readBody, sendJson, type Route } from './http';
import { authorise } from './ingest';
import { KeyLock } from './key-lock';
import { PartUnavailableError } from './retry';
import { StalledError } from './watchdog';

export type Job = (input: Record<string, unknown>, report: (progress: unknown) => void, caller: Caller) => Promise<unknown>;

export function jobsRoute(jobs: Record<string, Job>, trust: Pick<Trust, 'identity'>): Route {
  const running = new KeyLock();
  return async (req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const match = /^\/jobs\/([\w-]+)$/.exec(path);
    if (!match) return false;
    const name = match[1]!;
    const caller = await authorise(req, res, trust, 'jobs', path);
    if (!caller) return true;
    const job = jobs[name];
    if (!job) return refuse(res, 404, 'NOT_FOUND', `no job ${name}; the jobs here are ${Object.keys(jobs).join(', ')}`);
    if (req.method !== 'POST') return refuse(res, 405, 'METHOD_NOT_ALLOWED', `/jobs/${name} takes POST, not ${req.method}`);
    const body = await readBody(req, 64 * 1024);
    let input: unknown;
    try {
      input = body ? JSON.parse(body) : {};
    } catch {
      return refuse(res, 400, 'BAD_REQUEST', 'the body is not valid JSON; send the job input as an object');
    }
    if (typeof input !== 'object' || input === null || Array.isArray(input)) return refuse(res, 400, 'BAD_REQUEST', 'the job input must be a JSON object');

    res.statusCode = 200;
    res.setHeader('content-type', 'application/x-ndjson; charset=utf-8');
    // At once: a job may run minutes before its first progress, and clients time out waiting for headers.
    res.flushHeaders();
    const line = (value: unknown) => res.write(`${JSON.stringify(value)}\n`);
    try {
      line({ done: await running.run([name], () => job(input as Record<string, unknown>, (progress) => line({ progress }), caller)) });
    } catch (error) {
      line({ error: describe(error) });
      // A part that stayed unavailable is the platform's state, not a bug here: its message says it all.
      if (error instanceof PartUnavailableError) console.error(`job ${name} stopped: ${error.message}`);
      else if (!(error instanceof GraphQLError) && !(error instanceof StalledError)) console.error(`job ${name} failed`, error);
    }
    res.end();
    return true;
  };
}

/** What the caller may read of a failure: its message and code, never a stack. */
function describe(error: unknown): { message: string; code: string; subgraphs?: readonly string[] } {
  if (error instanceof StalledError) return { message: error.message, code: error.code };
  if (error instanceof PartUnavailableError) return { message: error.message, code: error.code, subgraphs: error.subgraphs };
  if (error instanceof GraphQLError) return { message: error.message, code: String(error.extensions.code ?? 'INTERNAL_SERVER_ERROR') };
  return { message: `the job failed: ${(error as Error)?.message ?? error}`, code: 'INTERNAL_SERVER_ERROR' };
}

function refuse(res: ServerResponse, status: number, code: string, message: string): true {
  sendJson(res, status, { error: message, code });
  return true;
}
