// The first risk setup reads the change feed once for both learning and screening. With nothing
// learned or screened yet, learning would read every controlled declaration through the gateway
// and screening would then read it again. Here every change is read once, with everything
// screening needs; the controlled declarations among them, seen as learning sees them, are the
// examples; the model is fitted and saved; and every filing is assessed with it.
import { chunks } from '../kit/bulk';
import { watchJob, type Watchdog } from '../kit/watchdog';
import {
  ALL_CHANGES_ONCE,
  DECLARATIONS_BY_MRN,
  declarationFeatures,
  entrySummaryFeatures,
  isIrregular,
  labelledFiling,
  type ChangePage,
  type DeclarationFacts,
  type EntrySummaryFacts,
  type ScreeningChange,
} from './graph-facts';
import { learnFromFilings } from './learning';
import { writeState, type ModelHeaderDoc } from './models';
import { assessFilings, currentPolicy, SCREEN_CURSOR, SCREENING_BATCH, type RiskServices, type ScreenedFiling } from './screening';

/** Filings assessed and stored per call: larger than a page, as they are already in memory. */
const ASSESSMENT_BATCH = 500;

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
  await rereadDeclarationsControlledMeanwhile(services, read, watchdog);

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
  for (const batch of chunks(filings, ASSESSMENT_BATCH)) {
    watchdog.progress(`assessing (${assessed.toLocaleString('en')} of ${filings.length.toLocaleString('en')} assessed)`);
    assessed += (await assessFilings(services, policy, batch)).assessed;
    onProgress({ phase: 'assessing', done: assessed });
  }
  // Where `npm run screen` goes on from, under this policy.
  await writeState(services, SCREEN_CURSOR, JSON.stringify({ basis: policy.basis, cursor: read.cursor }));
  return { header, assessed };
}

interface EveryChange {
  declarations: Map<string, DeclarationFacts>;
  entrySummaries: Map<string, EntrySummaryFacts>;
  /** Per declaration, how many control results the feed announced. */
  controlsAnnounced: Map<string, number>;
  /** Declarations in the order of their first announced control result. */
  controlOrder: string[];
  cursor: string | null;
}

async function readEveryChange(services: RiskServices, watchdog: Watchdog, onProgress: (progress: FirstSetupProgress) => void): Promise<EveryChange> {
  const read: EveryChange = { declarations: new Map(), entrySummaries: new Map(), controlsAnnounced: new Map(), controlOrder: [], cursor: null };
  const kinds = ['DECLARATION', 'ENTRY_SUMMARY_DECLARATION', 'CONTROL_RESULT'];
  let changesRead = 0;
  for (let batch = 1; ; batch++) {
    watchdog.progress(`reading batch ${batch} (${changesRead.toLocaleString('en')} changes read before it)`);
    const page = await services.graph.request<ChangePage<ScreeningChange>>(ALL_CHANGES_ONCE, { after: read.cursor, kinds, first: SCREENING_BATCH });
    for (const { node } of page.changes.edges) {
      // A later change of the same filing carries it as it is now: the last one read wins.
      if (node.declaration) read.declarations.set(node.mrn, node.declaration);
      else if (node.entrySummaryDeclaration) read.entrySummaries.set(node.mrn, node.entrySummaryDeclaration);
      else if (node.kind === 'CONTROL_RESULT') {
        const announced = read.controlsAnnounced.get(node.mrn) ?? 0;
        if (announced === 0) read.controlOrder.push(node.mrn);
        read.controlsAnnounced.set(node.mrn, announced + 1);
      }
    }
    changesRead += page.changes.edges.length;
    read.cursor = page.changes.pageInfo.endCursor ?? read.cursor;
    onProgress({ phase: 'reading', done: changesRead });
    if (!page.changes.pageInfo.hasNextPage) return read;
  }
}

/**
 * A control result recorded after its declaration was read is not among that declaration's
 * controls: where the feed announced more controls than a declaration showed, it is read again.
 * (An amended control result is announced twice and read again needlessly; that is rare.)
 */
async function rereadDeclarationsControlledMeanwhile(services: RiskServices, read: EveryChange, watchdog: Watchdog): Promise<void> {
  const stale = [...read.controlsAnnounced].filter(([mrn, announced]) => {
    const facts = read.declarations.get(mrn);
    return facts !== undefined && facts.controlResults.length < announced;
  });
  for (const batch of chunks(stale.map(([mrn]) => mrn), SCREENING_BATCH)) {
    watchdog.progress(`reading ${batch.length} declarations controlled while they were read`);
    const { filings } = await services.graph.request<{ filings: (DeclarationFacts | null)[] }>(DECLARATIONS_BY_MRN, { mrns: batch });
    for (const facts of filings) if (facts) read.declarations.set(facts.mrn, facts);
  }
}

/** The facts learning reads (LEARNING_CHANGES): no licence checks, AEO status or recognitions. */
function asLearningSees(facts: DeclarationFacts): DeclarationFacts {
  const { importer: _importer, sellerParty: _sellerParty, ...rest } = facts;
  return { ...rest, items: facts.items.map(({ licenceChecks: _licenceChecks, ...item }) => item) };
}
