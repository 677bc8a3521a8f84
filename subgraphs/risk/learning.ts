// Learning through the graph: the declarations change feed announces every control result; one
// operation per batch fetches the controlled declarations with all their controls. A full run
// reads the feed from its start and fits a new model; an incremental run reads from where the
// current model stopped and adds the newly controlled declarations to its counts.
import { failedPrecondition } from '../kit/errors';
import { jobRetries } from '../kit/retry';
import { watchJob, type Watchdog } from '../kit/watchdog';
import { LEARNING_CHANGES, labelledFiling, type ChangePage, type LearningChange } from './graph-facts';
import { thresholdsFor } from './lanes';
import type { LabelledFiling } from './model/features';
import { learnWithScores, mergeCounts, type LearnOptions } from './model/train';
import { loadModel, saveModel } from './model-store';
import type { ModelHeaderDoc } from './models';
import type { RiskServices } from './screening';

export const LEARNING_BATCH = 100;

export interface LearnProgress {
  controlsRead: number;
  filings: number;
}

export interface LearnRunOptions {
  incremental?: boolean;
  batchSize?: number;
  learnOptions?: LearnOptions;
  onProgress?: (progress: LearnProgress) => void;
  /** A line for people each time a batch is sent again after a part of the graph failed it. */
  onRetry?: (line: string) => void;
}

export interface LearnRunResult {
  header: ModelHeaderDoc;
  /** Declarations learned from in this run. */
  newFilings: number;
  /** Incremental only: declarations already learned whose controls changed since; the next full run counts them anew. */
  changedSinceLearnt: number;
  readMs: number;
  fitMs: number;
}

export async function learnThroughGraph(services: RiskServices, options: LearnRunOptions = {}): Promise<LearnRunResult> {
  const base = options.incremental ? await loadModel(services) : null;
  if (options.incremental && !base) throw failedPrecondition('Incremental learning needs a model to build on: run a full `npm run risk:learn` first');

  const started = Date.now();
  const watchdog = watchJob('learning');
  const { filings, cursor } = await watchdog.guard(readControlledFilings(services, base?.header.feedCursor ?? null, options, watchdog));
  const readMs = Date.now() - started;

  if (base && filings.every((filing) => base.learnt.has(filing.features.mrn))) {
    // Nothing new: the current version stays current, rather than a copy of it under a new number.
    return { header: base.header, newFilings: 0, changedSinceLearnt: filings.length, readMs, fitMs: 0 };
  }

  const fitStarted = Date.now();
  const header = await fitAndSave(services, filings, cursor, base, options, watchdog);
  const newFilings = base ? filings.filter((filing) => !base.learnt.has(filing.features.mrn)).length : filings.length;
  return { header, newFilings, changedSinceLearnt: filings.length - newFilings, readMs, fitMs: Date.now() - fitStarted };
}

/**
 * A full model version from these labelled filings, read up to `cursor` of the change feed, for
 * a caller that has read them itself (the first start's one read: risk/first-setup.ts).
 */
export function learnFromFilings(
  services: RiskServices,
  filings: readonly LabelledFiling[],
  cursor: string | null,
  options: LearnRunOptions = {},
): Promise<ModelHeaderDoc> {
  const watchdog = watchJob('learning');
  return watchdog.guard(fitAndSave(services, filings, cursor, null, options, watchdog));
}

/** Fits a new version (full, or on top of `base`) and saves it. */
async function fitAndSave(
  services: RiskServices,
  filings: readonly LabelledFiling[],
  cursor: string | null,
  base: Awaited<ReturnType<typeof loadModel>>,
  options: LearnRunOptions,
  watchdog: Watchdog,
): Promise<ModelHeaderDoc> {
  const now = services.now ?? (() => new Date());
  let result: { model: Parameters<typeof saveModel>[2]; learnt: Set<string>; thresholds: { red: number; yellow: number } };
  let newFilings: readonly LabelledFiling[];
  const { capacity } = services.settings;
  if (base) {
    newFilings = filings.filter((filing) => !base.learnt.has(filing.features.mrn));
    result = {
      model: mergeCounts(base.model, newFilings),
      learnt: new Set([...base.learnt, ...newFilings.map((filing) => filing.features.mrn)]),
      // The weights stay, and so does the score distribution the lanes were cut from.
      thresholds: { red: base.header.redThreshold, yellow: base.header.yellowThreshold },
    };
  } else {
    newFilings = filings;
    const { model, outOfFoldScores } = learnWithScores(filings, options.learnOptions);
    // Cut from scores each filing got from a model that had not seen it: what new filings will look like.
    result = { model, learnt: new Set(filings.map((filing) => filing.features.mrn)), thresholds: thresholdsFor(outOfFoldScores, capacity) };
  }

  const learntFilings = base ? base.header.filingsLearned + newFilings.length : filings.length;
  const irregular = (base ? base.header.irregularFilings : 0) + newFilings.filter((filing) => filing.irregular).length;
  const saving = saveModel(
    services,
    {
      learnedAt: now().toISOString(),
      method: base ? 'INCREMENTAL' : 'FULL',
      basedOn: base?.header.version ?? null,
      filingsLearned: learntFilings,
      irregularFilings: irregular,
      overallRate: result.model.baseRate,
      redShare: capacity.redShare,
      yellowShare: capacity.yellowShare,
      redThreshold: result.thresholds.red,
      yellowThreshold: result.thresholds.yellow,
      feedCursor: cursor,
    },
    result.model,
    result.learnt,
  );
  watchdog.progress('saving the model');
  return watchdog.guard(saving);
}

/** Every declaration the feed announced a control result for after the cursor, as it is now. */
async function readControlledFilings(
  services: RiskServices,
  after: string | null,
  options: LearnRunOptions,
  watchdog: Watchdog,
): Promise<{ filings: LabelledFiling[]; cursor: string | null }> {
  const byMrn = new Map<string, LabelledFiling>();
  let cursor = after;
  let controlsRead = 0;
  // A page a part of the graph failed is asked for again at the same cursor.
  const retries = jobRetries('learning', watchdog, options.onRetry);
  for (let batch = 1; ; batch++) {
    const where = `batch ${batch} (${controlsRead.toLocaleString('en')} control results read before it)`;
    watchdog.progress(where);
    const variables = { after: cursor, first: options.batchSize ?? LEARNING_BATCH };
    const page = await retries.stopsAt(
      where,
      services.graph.request<ChangePage<LearningChange>>(LEARNING_CHANGES, variables, { onRetry: retries.onRetry(where) }),
    );
    for (const { node } of page.changes.edges) {
      const filing = node.controlResult ? labelledFiling(node.controlResult.declaration) : null;
      if (filing) byMrn.set(filing.features.mrn, filing);
    }
    controlsRead += page.changes.edges.length;
    cursor = page.changes.pageInfo.endCursor ?? cursor;
    options.onProgress?.({ controlsRead, filings: byMrn.size });
    if (!page.changes.pageInfo.hasNextPage) break;
  }
  return { filings: [...byMrn.values()], cursor };
}
