// `npm run screen`: assesses every declaration and ENS not yet assessed by the current model and
// rules, in batches of one gateway operation each. The risk subgraph does it (its job screen); the
// platform must be running (npm start). Safe to interrupt and run again.
import { parseArgs } from 'node:util';
import type { ScreenAllProgress } from '../subgraphs/risk/screening';
import { createProgress } from './ingest/progress';
import { runRiskJob, runTool } from './risk/services';

const USAGE = 'Usage: npm run screen [-- --batch-size 100]';

runTool(async () => {
  const { values } = parseArgs({ options: { 'batch-size': { type: 'string', default: '100' }, help: { type: 'boolean' } } });
  if (values.help) return console.log(USAGE);
  const batchSize = Number(values['batch-size']);
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 100) throw new Error(`--batch-size must be a whole number from 1 to 100\n${USAGE}`);
  const progress = createProgress('changes screened', undefined);
  let read = 0;
  const result = await runRiskJob<ScreenAllProgress & { restarted: boolean }, ScreenAllProgress | { line: string }>(
    'screen',
    { batchSize },
    {
      callerId: 'npm run screen',
      onProgress: (report) => ('line' in report ? progress.note?.(report.line) : progress.update((read = report.changesRead))),
    },
  );
  progress.finish(read);
  console.log(
    `${result.restarted ? 'model or rules changed since the last run: screened from the start · ' : ''}` +
      `changes read ${result.changesRead} · assessed ${result.assessed} · unchanged ${result.unchanged}`,
  );
});
