// The first risk setup reads every filing once for both learning and screening. With nothing
// learned or screened yet, learning would read every controlled declaration through the gateway
// and screening would then read it again. Here the change feed is read alone first (what was
// announced: filings, and which declarations have control results), then every declaration and
// ENS once by MRN, with everything screening needs, two batches at once: each is read after
// every control announced for it. The controlled declarations, seen as learning sees them, are
// the examples; the model is fitted and saved; and every filing is assessed with it.
import { chunks } from '../kit/bulk';
import { jobRetries, type JobRetries } from '../kit/retry';
import { watchJob, type Watchdog } from '../kit/watchdog';
import {
  ANNOUNCED_CHANGES,
  DECLARATIONS_BY_MRN,
  ENTRY_SUMMARIES_BY_MRN,
  declarationFeatures,
  entrySummaryFeatures,
  isIrregular,
  labelledFiling,
  type ChangePage,
  type DeclarationFacts,
  type EntrySummaryFacts,
} from './graph-facts';
import { learnFromFilings } from './learning';
import { writeState, type ModelHeaderDoc } from './models';
import { assessFilings, currentPolicy, SCREEN_CURSOR, SCREENING_BATCH, type RiskServices, type ScreenedFiling } from './screening';

/** Filings assessed and stored per call: larger than a page, as they are already in memory. */
const ASSESSMENT_BATCH = 500;
const ASSESSMENTS_IN_FLIGHT = 2;

export interface FirstSetupProgress {
  phase: 'reading' | 'assessing';
  /** Filings read, while reading; filings assessed, while assessing. */
  done: number;
}

export interface FirstSetupResult {
  header: ModelHeaderDoc;
  assessed: number;
}

export interface FirstSetupOptions {
  onProgress?: (progress: FirstSetupProgress) => void;
  /** A line for people each time a batch is sent again after a part of the graph failed it. */
  onRetry?: (line: string) => void;
}

export function learnAndScreenInOneRead(services: RiskServices, options: FirstSetupOptions = {}): Promise<FirstSetupResult> {
  const watchdog = watchJob('first risk setup');
  return watchdog.guard(run(services, watchdog, options.onProgress ?? (() => {}), jobRetries('first risk setup', watchdog, options.onRetry)));
}

async function run(
  services: RiskServices,
  watchdog: Watchdog,
  onProgress: (progress: FirstSetupProgress) => void,
  retries: JobRetries,
): Promise<FirstSetupResult> {
  const read = await readEveryChange(services, watchdog, onProgress, retries);

  // Learning's examples: declarations with a control, in the order the feed announced their
  // first control (as learnThroughGraph reads them), without the facts learning does not read.
  const examples = read.controlOrder.flatMap((mrn) => {
    const facts = read.declarations.get(mrn);
    const example = facts ? labelledFiling(asLearningSees(facts)) : null;
    return example ? [example] : [];
  });
  const header = await learnFromFilings(services, examples, read.cursor);

  const policy = await currentPolicy(services);
  const filings: ScreenedFiling[] = [
    ...[...read.declarations.values()].map((facts) => ({ features: declarationFeatures(facts), irregular: isIrregular(facts) })),
    ...[...read.entrySummaries.values()].map((facts) => ({ features: entrySummaryFeatures(facts), irregular: false })),
  ];
  let assessed = 0;
  // Batches of different filings, two at once: storing one waits on the engine, while the next is assessed.
  for (const wave of chunks([...chunks(filings, ASSESSMENT_BATCH)], ASSESSMENTS_IN_FLIGHT)) {
    watchdog.progress(`assessing (${assessed.toLocaleString('en')} of ${filings.length.toLocaleString('en')} assessed)`);
    for (const result of await Promise.all(wave.map((batch) => assessFilings(services, policy, batch)))) assessed += result.assessed;
    onProgress({ phase: 'assessing', done: assessed });
  }
  // Where `npm run screen` goes on from, under this policy.
  await writeState(services, SCREEN_CURSOR, JSON.stringify({ basis: policy.basis, cursor: read.cursor }));
  return { header, assessed };
}

interface EveryChange {
  declarations: Map<string, DeclarationFacts>;
  entrySummaries: Map<string, EntrySummaryFacts>;
  /** Declarations the feed announced control results for, in the order of the first. */
  controlOrder: string[];
  /** Where learning and screening go on from: the end of the feed as it was read. */
  cursor: string | null;
}

/** Batches of filings read by MRN at once: one batch's subgraphs answer while the other's wait. */
const READS_IN_FLIGHT = 2;

/**
 * A batch a part of the graph failed is asked for again, at the same cursor or for the same MRNs:
 * the read ends as one without failures would.
 */
async function readEveryChange(
  services: RiskServices,
  watchdog: Watchdog,
  onProgress: (progress: FirstSetupProgress) => void,
  retries: JobRetries,
): Promise<EveryChange> {
  const read: EveryChange = { declarations: new Map(), entrySummaries: new Map(), controlOrder: [], cursor: null };
  const announced = { DECLARATION: new Set<string>(), ENTRY_SUMMARY_DECLARATION: new Set<string>(), CONTROL_RESULT: new Set<string>() };
  let changesRead = 0;
  for (let batch = 1; ; batch++) {
    const where = `change feed batch ${batch} (${changesRead.toLocaleString('en')} changes read before it)`;
    watchdog.progress(`reading the ${where}`);
    const variables = { after: read.cursor, first: SCREENING_BATCH };
    const page = await retries.stopsAt(
      where,
      services.graph.request<ChangePage<{ kind: keyof typeof announced; mrn: string }>>(ANNOUNCED_CHANGES, variables, { onRetry: retries.onRetry(where) }),
    );
    for (const { node } of page.changes.edges) {
      if (node.kind === 'CONTROL_RESULT' && !announced.CONTROL_RESULT.has(node.mrn)) read.controlOrder.push(node.mrn);
      announced[node.kind].add(node.mrn);
    }
    changesRead += page.changes.edges.length;
    read.cursor = page.changes.pageInfo.endCursor ?? read.cursor;
    if (!page.changes.pageInfo.hasNextPage) break;
  }

  // Each filing once, as it is now, in the order the feed first announced it.
  let filingsRead = 0;
  const readBy = <TFacts>(query: string, what: string, mrns: readonly string[], first: number) => {
    const where = `${what} ${first.toLocaleString('en')}–${(first + mrns.length - 1).toLocaleString('en')}`;
    return retries.stopsAt(where, services.graph.request<{ filings: (TFacts | null)[] }>(query, { mrns }, { onRetry: retries.onRetry(where) }));
  };
  const batchesOf = (mrns: Set<string>) => [...chunks([...mrns], SCREENING_BATCH)].map((batch, index) => ({ batch, first: index * SCREENING_BATCH + 1 }));
  const reads = [
    ...batchesOf(announced.DECLARATION).map(({ batch, first }) => async () => {
      const { filings } = await readBy<DeclarationFacts>(DECLARATIONS_BY_MRN, 'declarations', batch, first);
      return () => filings.forEach((facts) => facts && read.declarations.set(facts.mrn, facts));
    }),
    ...batchesOf(announced.ENTRY_SUMMARY_DECLARATION).map(({ batch, first }) => async () => {
      const { filings } = await readBy<EntrySummaryFacts>(ENTRY_SUMMARIES_BY_MRN, 'ENS', batch, first);
      return () => filings.forEach((facts) => facts && read.entrySummaries.set(facts.mrn, facts));
    }),
  ];
  for (const wave of chunks(reads, READS_IN_FLIGHT)) {
    watchdog.progress(`reading filings (${filingsRead.toLocaleString('en')} read)`);
    // Kept in feed order whichever batch of a wave answers first.
    for (const keep of await Promise.all(wave.map((readBatch) => readBatch()))) keep();
    filingsRead = read.declarations.size + read.entrySummaries.size;
    onProgress({ phase: 'reading', done: filingsRead });
  }
  return read;
}

/** The facts learning reads (LEARNING_CHANGES): no licence checks, AEO status or recognitions. */
function asLearningSees(facts: DeclarationFacts): DeclarationFacts {
  const { importer: _importer, sellerParty: _sellerParty, ...rest } = facts;
  return { ...rest, items: facts.items.map(({ licenceChecks: _licenceChecks, ...item }) => item) };
}
