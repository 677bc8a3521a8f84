// `npm run risk:learn [-- --incremental]`: learns risk profiles and fair-price bands from every
// control result in the graph (or, incrementally, from those recorded since the current model),
// and stores them as a new model version. The risk subgraph does it (its job learn); the platform
// must be running (npm start).
import { parseArgs } from 'node:util';
import type { LearnProgress, LearnRunResult } from '../subgraphs/risk/learning';
import { createProgress } from './ingest/progress';
import { runRiskJob, runTool } from './risk/services';

const USAGE = 'Usage: npm run risk:learn [-- --incremental]';

runTool(async () => {
  const { values } = parseArgs({ options: { incremental: { type: 'boolean', default: false }, help: { type: 'boolean' } } });
  if (values.help) return console.log(USAGE);
  const progress = createProgress('control results read', undefined);
  let read = 0;
  const result = await runRiskJob<LearnRunResult, LearnProgress | { line: string }>(
    'learn',
    { incremental: values.incremental },
    {
      callerId: 'npm run risk:learn',
      onProgress: (report) => ('line' in report ? progress.note?.(report.line) : progress.update((read = report.controlsRead))),
    },
  );
  progress.finish(read);
  const { header } = result;
  console.log(
    `model version ${header.version} (${header.method.toLowerCase()}${header.basedOn ? ` on version ${header.basedOn}` : ''}): ` +
      `${header.filingsLearned} controlled declarations, ${header.irregularFilings} irregular (${(header.overallRate * 100).toFixed(1)}% of items); ` +
      `${result.newFilings} new in this run` +
      (result.changedSinceLearnt ? `, ${result.changedSinceLearnt} already learned with changed controls (a full run counts them anew)` : '') +
      `\nlanes: RED from score ${header.redThreshold.toFixed(3)} (${header.redShare * 100}%), YELLOW from ${header.yellowThreshold.toFixed(3)} (next ${header.yellowShare * 100}%)` +
      `\nread ${(result.readMs / 1000).toFixed(1)} s · fit ${(result.fitMs / 1000).toFixed(1)} s`,
  );
});
