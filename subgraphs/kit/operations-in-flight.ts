// The GraphQL operations a subgraph is executing, answered yet or not. Draining the HTTP server
// waits for answers only: an operation whose client has gone still runs its writes to the end
// (database-deadline.ts), so the database is closed after the last operation, not the last answer.
import type { ApolloServerPlugin, BaseContext } from '@apollo/server';

export interface OperationsInFlight<TContext extends BaseContext> {
  plugin: ApolloServerPlugin<TContext>;
  /** Resolves once no operation is being executed, or after `limitMs` whatever runs still. */
  settled(limitMs: number): Promise<void>;
}

export function trackOperations<TContext extends BaseContext>(): OperationsInFlight<TContext> {
  let running = 0;
  let waiting: (() => void)[] = [];
  const finished = () => {
    running -= 1;
    if (running > 0) return;
    for (const wake of waiting) wake();
    waiting = [];
  };
  return {
    plugin: {
      async requestDidStart() {
        running += 1;
        // Apollo calls it for every request it started, answered with data or with errors.
        return { willSendResponse: async () => finished() };
      },
    },
    settled: (limitMs) =>
      running === 0
        ? Promise.resolve()
        : new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, limitMs);
            waiting.push(() => {
              clearTimeout(timer);
              resolve();
            });
          }),
  };
}
