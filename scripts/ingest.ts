// `npm run ingest -- <file.jsonl...>`: sends every record, in batches, to the running subgraph
// that owns its kind, which validates it and stores the good ones; every rejected line is
// written, with its field and reason, to a report. Safe to run again: an interrupted run
// followed by a full one ends as one clean run would. The platform must be up (npm start).
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { createProgress } from './ingest/progress';
import { ingest, type IngestSummary, type Rejection } from './ingest/run';
import { countLines, readJsonLines } from './ingest/sources';
import { openWriters } from './ingest/writers';

const USAGE = `Usage: npm run ingest -- <file.jsonl...> [--batch-size 5000] [--report reports/rejects.jsonl]`;

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { 'batch-size': { type: 'string', default: '5000' }, report: { type: 'string' }, help: { type: 'boolean' } },
});
if (values.help || positionals.length === 0) {
  console.log(USAGE);
  process.exit(values.help ? 0 : 2);
}
const batchSize = Number(values['batch-size']);
if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 20_000) {
  console.error(`--batch-size must be a whole number from 1 to 20000\n${USAGE}`);
  process.exit(2);
}
const reportPath = values.report ?? join('reports', `ingest-${new Date().toISOString().replace(/[:.]/g, '-')}.rejects.jsonl`);

let report: WriteStream | undefined;
function writeRejection(rejection: Rejection): void {
  if (!report) {
    mkdirSync(dirname(reportPath), { recursive: true });
    report = createWriteStream(reportPath);
  }
  report.write(`${JSON.stringify(rejection)}\n`);
}

const { writers, finish } = await openWriters({ callerId: 'npm run ingest' });
const total: IngestSummary = { read: 0, stored: 0, updated: 0, unchanged: 0, rejected: 0 };
try {
  for (const file of positionals) {
    const progress = createProgress(file, await countLines(file));
    const summary = await ingest(readJsonLines(file), { writers, batchSize, progress, onRejection: writeRejection });
    await finish();
    for (const key of Object.keys(total) as (keyof IngestSummary)[]) total[key] += summary[key];
  }
} finally {
  await new Promise<void>((done) => (report ? report.end(done) : done()));
}

console.log(
  `read ${total.read} · stored ${total.stored} · updated ${total.updated} · unchanged ${total.unchanged} · rejected ${total.rejected}` +
    (total.rejected ? `\nrejected lines, with field and reason: ${reportPath}` : ''),
);
