// The ingest loop: read records, hand them in batches to the writer of their kind, count what
// happened to each, and report every rejected line with its place, field and reason.
import type { RecordOutcome } from '../../subgraphs/kit/ingest';
import { jobRetries, type RetryNotice } from '../../subgraphs/kit/retry';
import { StalledError, watchJob } from '../../subgraphs/kit/watchdog';
import type { Progress } from './progress';
import type { SourceLine } from './sources';

/** Writes a batch of records of the kinds it accepts; one result per record, in order. Told before each retry of the batch. */
export type Writer = (records: unknown[], onRetry?: (notice: RetryNotice) => void) => Promise<RecordOutcome[]>;

export interface Rejection {
  file: string;
  line: number;
  field: string;
  reason: string;
}

export interface IngestSummary {
  read: number;
  stored: number;
  updated: number;
  unchanged: number;
  rejected: number;
}

export interface IngestOptions {
  /** Record kind → the writer for it. */
  writers: Record<string, Writer>;
  batchSize?: number;
  progress?: Progress;
  onRejection?: (rejection: Rejection) => void | Promise<void>;
  /** What a stall names as the job ("demo data"); default "ingest". */
  job?: string;
  /** A line for people each time a batch is sent again after its subgraph failed it; default: the progress's note. */
  onRetry?: (line: string) => void;
}

export async function ingest(source: AsyncIterable<SourceLine>, options: IngestOptions): Promise<IngestSummary> {
  const batchSize = options.batchSize ?? 500;
  const summary: IngestSummary = { read: 0, stored: 0, updated: 0, unchanged: 0, rejected: 0 };
  const job = options.job ?? 'ingest';
  const watchdog = watchJob(job);
  // A batch its subgraph failed (down, restarting, 5xx) is sent again whole: ingest is idempotent.
  const retries = jobRetries(job, watchdog, options.onRetry ?? ((line) => options.progress?.note?.(line)));
  let batch: SourceLine[] = [];
  let batchNumber = 0;

  const reject = async (line: SourceLine, field: string, reason: string) => {
    summary.rejected++;
    await options.onRejection?.({ file: line.file, line: line.line, field, reason });
  };

  async function flush(): Promise<void> {
    const byWriter = new Map<Writer, SourceLine[]>();
    for (const line of batch) {
      const kind = (line.record as { kind?: unknown } | null)?.kind;
      const writer = typeof kind === 'string' ? options.writers[kind] : undefined;
      if (!writer) {
        await reject(line, 'kind', `must be one of ${Object.keys(options.writers).join(', ')}`);
        continue;
      }
      byWriter.set(writer, [...(byWriter.get(writer) ?? []), line]);
    }
    batchNumber++;
    for (const [writer, lines] of byWriter) {
      const step = `batch ${batchNumber} (${describeLines(lines)})`;
      watchdog.progress(step);
      const records = lines.map((line) => line.record);
      const stored = retries.stopsAt(step, writer(records, retries.onRetry(step))).catch((error: unknown) => {
        // The subgraph's own watchdog says where it stuck; this says which batch it was.
        throw error instanceof StalledError ? new StalledError(`${job} stopped at ${step}: ${error.message}`) : error;
      });
      for (const [index, result] of (await watchdog.guard(stored)).entries()) {
        if (result.status === 'rejected') await reject(lines[index]!, result.field, result.reason);
        else summary[result.status]++;
      }
    }
    batch = [];
    options.progress?.update(summary.read);
  }

  for await (const line of source) {
    summary.read++;
    if (line.error) await reject(line, '', line.error);
    else batch.push(line);
    if (batch.length >= batchSize) await flush();
  }
  await flush();
  options.progress?.finish(summary.read);
  return summary;
}

/** "train.csv lines 5,001–10,000, declaration and controlResult records". */
function describeLines(lines: readonly SourceLine[]): string {
  const first = lines[0]!;
  const last = lines.at(-1)!;
  const kinds = [...new Set(lines.map((line) => String((line.record as { kind?: unknown }).kind)))];
  const where =
    first.file === last.file
      ? `${first.file} lines ${first.line.toLocaleString('en')}–${last.line.toLocaleString('en')}`
      : `${first.file} line ${first.line} to ${last.file} line ${last.line}`;
  return `${where}, ${kinds.join(' and ')} records`;
}
