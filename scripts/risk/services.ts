// What the risk command-line tools share: they ask the running risk subgraph to run a job
// (subgraphs/kit/jobs.ts) and follow its progress, so the risk subgraph stays the only writer of
// its database.
import { StalledError } from '../../subgraphs/kit/watchdog';
import { subgraphEntry, subgraphUrl } from '../../subgraphs/registry';
import { serviceToken } from '../service-token';

export interface JobOptions<TProgress> {
  /** Who asks, as the subgraph records it: the subject of the local issuer's service token. */
  callerId: string;
  /** The service token to send instead (an in-process platform's). */
  token?: () => Promise<string>;
  onProgress?: (progress: TProgress) => void;
  /** The risk subgraph's GraphQL URL, where it is not the registry's default. */
  url?: string;
}

/** A job the subgraph ran and that failed there; `code` as in GraphQL errors, `subgraphs` the parts that stayed unavailable. */
export class JobFailedError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly subgraphs: readonly string[] = [],
  ) {
    super(message);
    this.name = 'JobFailedError';
  }
}

/** Runs a job of the risk subgraph and resolves with its result. */
export async function runRiskJob<TResult, TProgress = unknown>(name: string, input: object, options: JobOptions<TProgress>): Promise<TResult> {
  const url = new URL(`/jobs/${name}`, options.url ?? subgraphUrl(subgraphEntry('risk')));
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${await (options.token ?? (() => serviceToken(options.callerId)))()}` },
      body: JSON.stringify(input),
    });
  } catch (error) {
    throw new Error(`The risk subgraph at ${url.origin} did not answer (${(error as Error).message}); is the platform running? Start it with npm start`, {
      cause: error,
    });
  }
  if (!response.ok || !response.body) {
    const body = (await response.json().catch(() => ({}))) as { error?: string; code?: string };
    throw new JobFailedError(
      `The risk subgraph refused the job ${name} (HTTP ${response.status}): ${body.error ?? 'no reason given'}`,
      body.code ?? 'HTTP_ERROR',
    );
  }
  let buffered = '';
  const decoder = new TextDecoder();
  const reader = response.body.getReader();
  for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
    buffered += decoder.decode(chunk.value, { stream: true });
    let end: number;
    while ((end = buffered.indexOf('\n')) >= 0) {
      const line = JSON.parse(buffered.slice(0, end)) as {
        progress?: TProgress;
        done?: TResult;
        error?: { message: string; code: string; subgraphs?: string[] };
      };
      buffered = buffered.slice(end + 1);
      if ('progress' in line) options.onProgress?.(line.progress as TProgress);
      else if ('done' in line) return line.done as TResult;
      else if (line.error)
        throw line.error.code === 'STALLED'
          ? new StalledError(line.error.message)
          : new JobFailedError(line.error.message, line.error.code, line.error.subgraphs);
    }
  }
  throw new Error(`The risk subgraph ended the job ${name} without a result: did it stop?`);
}

/** Runs a command-line tool: its errors are printed without a stack, and the exit code is 1. */
export function runTool(main: () => Promise<void>): void {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
