// What one GraphQL request cost a subgraph, for the gateway's traces (gateway/trace.ts): its own
// time and the time its database commands took. Only a request that asks (TIMING_HEADER: 1) is
// measured, and its answer then carries extensions.timing. The gateway asks on requests it signs;
// a request without the gateway's token is refused before Apollo's plugins run, so nobody else
// ever sees a timing.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ApolloServerPlugin, BaseContext } from '@apollo/server';

export const TIMING_HEADER = 'x-timing';

/** What a subgraph answers in extensions.timing. */
export interface SubgraphTiming {
  /** From the request's arrival to its answer being ready to send. */
  totalMs: number;
  /** The durations of its database commands, added up (commands that overlap each count in full). */
  databaseMs: number;
  /** Database commands sent for it that read or wrote data. */
  commands: number;
}

class RequestTiming {
  readonly startedAt = performance.now();
  databaseMs = 0;
  commands = 0;

  read(): SubgraphTiming {
    return { totalMs: roundMs(performance.now() - this.startedAt), databaseMs: roundMs(this.databaseMs), commands: this.commands };
  }
}

const scope = new AsyncLocalStorage<RequestTiming>();

/** The service's request listener, measuring the requests that ask for it; the others run as they are. */
export function timedRequests(handler: (req: IncomingMessage, res: ServerResponse) => void): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => (req.headers[TIMING_HEADER] === '1' ? scope.run(new RequestTiming(), handler, req, res) : handler(req, res));
}

/**
 * Attributes database commands to the measured request they were sent for. A command starts in
 * its request's async context, but its reply arrives in the connection's: the request is
 * remembered by the driver's request id in between.
 */
export function commandTimer(): { started(requestId: number): void; ended(requestId: number, durationMs: number): void } {
  const inFlight = new Map<number, RequestTiming>();
  return {
    started(requestId) {
      const timing = scope.getStore();
      if (!timing) return;
      timing.commands += 1;
      inFlight.set(requestId, timing);
    },
    ended(requestId, durationMs) {
      const timing = inFlight.get(requestId);
      if (!timing) return;
      inFlight.delete(requestId);
      timing.databaseMs += durationMs;
    },
  };
}

/** Puts the measured request's timing in its answer's extensions; nothing for the others. */
export function timingPlugin<TContext extends BaseContext>(): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart() {
      const timing = scope.getStore();
      if (!timing) return;
      return {
        async willSendResponse({ response }) {
          if (response.body.kind !== 'single') return;
          const result = response.body.singleResult;
          result.extensions = { ...result.extensions, timing: timing.read() };
        },
      };
    },
  };
}

/** A subgraph answer's extensions.timing, if it has one of the right shape. */
export function timingOf(extensions: Record<string, unknown> | undefined): SubgraphTiming | undefined {
  const timing = extensions?.timing as Partial<Record<keyof SubgraphTiming, unknown>> | undefined;
  if (typeof timing !== 'object' || timing === null) return undefined;
  const { totalMs, databaseMs, commands } = timing;
  if (typeof totalMs !== 'number' || typeof databaseMs !== 'number' || typeof commands !== 'number') return undefined;
  return { totalMs, databaseMs, commands };
}

/** Tenths of a millisecond: finer says nothing in a trace. */
function roundMs(ms: number): number {
  return Math.round(ms * 10) / 10;
}
