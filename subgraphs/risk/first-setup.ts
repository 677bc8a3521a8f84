// The first risk setup reads every filing once for both learning and screening. With nothing
// learned or screened yet, learning would read every controlled declaration through the gateway
// and screening would then read it again. Here the feed is read twice, but each filing once:
// first which declarations have control results (the feed alone, no filing read), then every
// declaration and ENS with everything screening needs, so each declaration is read after every
// control announced for it. The controlled declarations, seen as learning sees them, are the
// examples; the model is fitted and saved; and every filing is assessed with it.
import { chunks } from '../kit/bulk';
import { watchJob, type Watchdog } from '../kit/watchdog';
import {
  CONTROLS_ANNOUNCED,
  FILINGS_ONCE,
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
  /** Changes read, while reading; filings assessed, while assessing. */
  done: number;
}

export interface FirstSetupResult {
  header: ModelHeaderDoc;
  assessed: number;
}

export function learnAndScreenInOneRead(services: RiskServices, onProgress?: (progress: FirstSetupProgress) => void): Promise<FirstSetupResult> {
  const watchdog = watchJob('first risk setup');
  return watchdog.guard(run(services, watchdog, onProgress ?? (() => {})));
}

async function run(services: RiskServices, watchdog: Watchdog, onProgress: (progress: FirstSetupProgress) => void): Promise<FirstSetupResult> {
  const read = await readEveryChange(services, watchdog, onProgress);

  // Learning's examples: declarations with a control, in the order the feed announced their
  // first control (as learnThroughGraph reads them), without the facts learning does not read.
  const examples = read.controlOrder.flatMap((mrn) => {
    const facts = read.declarations.get(mrn);
    const example = facts ? labelledFiling(asLearningSees(facts)) : null;
    return example ? [example] : [];
  });
  const header = await learnFromFilings(services, examples, read.controlsCursor);

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
  await writeState(services, SCREEN_CURSOR, JSON.stringify({ basis: policy.basis, cursor: read.filingsCursor }));
  return { header, assessed };
}

interface EveryChange {
  declarations: Map<string, DeclarationFacts>;
  entrySummaries: Map<string, EntrySummaryFacts>;
  /** Declarations the feed announced control results for, in the order of the first. */
  controlOrder: string[];
  /** Where learning stopped: the last control result read (as learnThroughGraph's cursor). */
  controlsCursor: string | null;
  /** Where screening stopped: the last declaration or ENS read. */
  filingsCursor: string | null;
}

type FilingChange = { mrn: string; declaration: DeclarationFacts | null; entrySummaryDeclaration: EntrySummaryFacts | null };

async function readEveryChange(services: RiskServices, watchdog: Watchdog, onProgress: (progress: FirstSetupProgress) => void): Promise<EveryChange> {
  const read: EveryChange = { declarations: new Map(), entrySummaries: new Map(), controlOrder: [], controlsCursor: null, filingsCursor: null };
  const controlled = new Set<string>();
  let changesRead = 0;
  const pages = async <TNode>(query: string, cursor: 'controlsCursor' | 'filingsCursor', take: (node: TNode) => void) => {
    for (let batch = 1; ; batch++) {
      watchdog.progress(`reading batch ${batch} (${changesRead.toLocaleString('en')} changes read before it)`);
      const page = await services.graph.request<ChangePage<TNode>>(query, { after: read[cursor], first: SCREENING_BATCH });
      for (const { node } of page.changes.edges) take(node);
      changesRead += page.changes.edges.length;
      read[cursor] = page.changes.pageInfo.endCursor ?? read[cursor];
      onProgress({ phase: 'reading', done: changesRead });
      if (!page.changes.pageInfo.hasNextPage) return;
    }
  };
  await pages<{ mrn: string }>(CONTROLS_ANNOUNCED, 'controlsCursor', ({ mrn }) => {
    if (!controlled.has(mrn)) read.controlOrder.push(mrn);
    controlled.add(mrn);
  });
  await pages<FilingChange>(FILINGS_ONCE, 'filingsCursor', (node) => {
    // A later change of the same filing carries it as it is now: the last one read wins.
    if (node.declaration) read.declarations.set(node.mrn, node.declaration);
    else if (node.entrySummaryDeclaration) read.entrySummaries.set(node.mrn, node.entrySummaryDeclaration);
  });
  return read;
}

/** The facts learning reads (LEARNING_CHANGES): no licence checks, AEO status or recognitions. */
function asLearningSees(facts: DeclarationFacts): DeclarationFacts {
  const { importer: _importer, sellerParty: _sellerParty, ...rest } = facts;
  return { ...rest, items: facts.items.map(({ licenceChecks: _licenceChecks, ...item }) => item) };
}
