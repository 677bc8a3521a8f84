// The risk subgraph's long jobs (kit/jobs.ts): learning, screening and the first start's setup
// run here, in the process that owns the risk database, however they are asked for.
import { badUserInput } from '../kit/errors';
import type { Job } from '../kit/jobs';
import type { RiskStore } from './context';
import { learnThroughGraph } from './learning';
import { screenPending } from './screening';
import { prepareRiskOnFirstStart } from './setup-on-first-start';

export function riskJobs(services: RiskStore): Record<string, Job> {
  return {
    /** npm start: learn and screen once, if not done yet. Progress: `{ line }` to print. */
    'first-setup': (_, report) => prepareRiskOnFirstStart(services, (line) => report({ line })),
    /** npm run risk:learn. Progress: `{ controlsRead, filings }`, and `{ line }` when a batch is retried. */
    learn: async ({ incremental = false }, report) => {
      if (typeof incremental !== 'boolean') throw badUserInput('incremental', 'must be true or false');
      return learnThroughGraph(services, { incremental, onProgress: report, onRetry: (line) => report({ line }) });
    },
    /** npm run screen. Progress: `{ changesRead, assessed, unchanged }`, and `{ line }` when a batch is retried. */
    screen: async ({ batchSize = 100 }, report) => {
      if (typeof batchSize !== 'number' || !Number.isInteger(batchSize) || batchSize < 1 || batchSize > 100)
        throw badUserInput('batchSize', 'must be a whole number from 1 to 100');
      return screenPending(services, { batchSize, onProgress: report, onRetry: (line) => report({ line }) });
    },
  };
}
