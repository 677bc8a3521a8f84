// Screening: facts from the graph in, assessments out. Idempotent by construction: an
// assessment records the hash of everything it was made from (facts, model version, rules,
// random share), and a filing whose basis has not changed keeps its assessment.
import { memberStateOf } from '../kit/auth/rows';
import { findByIds } from '../kit/batching';
import { jobRetries } from '../kit/retry';
import { watchJob, type Watchdog } from '../kit/watchdog';
import { bulkWriteBounded, collectionOf, insertNew } from '../kit/bulk';
import { contentHash } from '../kit/content-hash';
import { failedPrecondition } from '../kit/errors';
import { putAll } from '../kit/journal';
import { assess, type Assessment, type AssessmentPolicy } from './assess';
import { writeAssessments } from './assessment-feed';
import {
  DECLARATIONS_BY_MRN,
  ENTRY_SUMMARIES_BY_MRN,
  SCREENING_CHANGES,
  declarationFeatures,
  entrySummaryFeatures,
  isIrregular,
  type ChangePage,
  type DeclarationFacts,
  type EntrySummaryFacts,
  type ScreeningChange,
} from './graph-facts';
import type { FilingFeatures } from './model/features';
import { loadModel } from './model-store';
import { readState, writeState, type AssessmentDoc, type QueueEntryDoc, type RiskModels, type RuleHitDoc } from './models';
import { touchQueue } from './queue';
import type { RuleDoc } from './rules';
import type { RiskStore } from './context';

/** What screening and learning work with: the subgraph's store (models, connection, graph, settings), and a clock for tests. */
export type RiskServices = RiskStore & { now?: () => Date };

export interface ScreenedFiling {
  features: FilingFeatures;
  /** Whether a control of it has found an irregularity: confirms the rules that hit it. */
  irregular: boolean;
}

export interface ScreeningResult {
  assessed: number;
  unchanged: number;
  assessments: AssessmentDoc[];
}

/**
 * Raise when assess() would answer differently for the same facts, model and rules (new checks,
 * weights or wording): every filing is then assessed again by the next screening.
 */
export const ASSESSMENT_LOGIC_VERSION = 1;

export interface Policy extends AssessmentPolicy {
  /** Everything besides the facts that an assessment depends on, hashed. */
  basis: string;
}

export async function currentPolicy(services: RiskServices): Promise<Policy> {
  const stored = await loadModel(services);
  if (!stored) throw failedPrecondition('No risk model has been learned yet: run `npm run risk:learn` first');
  const rules = await services.rules.find({ status: 'ACTIVE' }).lean<RuleDoc[]>().exec();
  rules.sort((a, b) => (a._id < b._id ? -1 : 1));
  const thresholds = { red: stored.header.redThreshold, yellow: stored.header.yellowThreshold };
  const { randomShare } = services.settings;
  return {
    model: stored.model,
    scorer: stored.scorer,
    modelVersion: stored.header.version,
    thresholds,
    rules,
    randomShare,
    basis: contentHash({
      logic: ASSESSMENT_LOGIC_VERSION,
      version: stored.header.version,
      rules: rules.map((rule) => [rule._id, rule.revision]),
      randomShare,
      thresholds,
    }),
  };
}

/**
 * Assesses filings whose basis changed, stores them, and keeps rule hits and the queue current.
 * `confirmed` names declarations a new control found irregular: the rules that hit them count a
 * confirmed hit.
 */
export async function assessFilings(
  services: RiskServices,
  policy: Policy,
  filings: readonly ScreenedFiling[],
  confirmed: readonly string[] = [],
): Promise<ScreeningResult> {
  const models = services;
  const now = (services.now ?? (() => new Date()))().toISOString();
  const unique = [...new Map(filings.map((filing) => [filing.features.mrn, filing])).values()];
  const existing = new Map(
    (
      await findByIds<AssessmentDoc>(
        models.assessments,
        unique.map((f) => f.features.mrn),
      )
    ).map((doc) => [doc._id, doc]),
  );

  const fresh: AssessmentDoc[] = [];
  const changed: AssessmentDoc[] = [];
  const current: AssessmentDoc[] = [];
  for (const { features } of unique) {
    const basis = contentHash({ policy: policy.basis, features });
    const before = existing.get(features.mrn);
    if (before?.basis === basis) {
      current.push(before);
      continue;
    }
    const assessment = assess(features, policy);
    // A new rule or random share that changes nothing for this filing leaves it as it was, with
    // its old basis and date: the one case where the basis is older than the policy.
    if (before && sameAssessment(before, assessment)) {
      current.push(before);
      continue;
    }
    const doc: AssessmentDoc = { _id: features.mrn, ...assessment, memberState: memberStateOf(assessment.office), assessedAt: now, basis };
    (before ? changed : fresh).push(doc);
  }

  // The assessment last: until it is written, its old basis makes the next screening redo the
  // queue entry and the hits, so a crash in between leaves nothing half done.
  const written = [...fresh, ...changed];
  await putAll(services.connection, models.queueEntries.collection.collectionName, written.map(queueEntry));
  await updateRuleHits(models, unique, existing, written);
  // With their feed entry, in one journalled batch (assessment-feed.ts).
  await writeAssessments(services.connection, models.assessmentFeed, models.assessments.collection.collectionName, written);
  const inBatch = new Set(unique.map((filing) => filing.features.mrn));
  await confirmRuleHits(
    models,
    confirmed.filter((mrn) => !inBatch.has(mrn)),
  );
  if (written.length > 0) await touchQueue(models);
  const byMrn = new Map([...written, ...current].map((doc) => [doc._id, doc]));
  return {
    assessed: written.length,
    unchanged: current.length,
    assessments: unique.map((filing) => byMrn.get(filing.features.mrn)!),
  };
}

function sameAssessment(stored: AssessmentDoc, assessment: Assessment): boolean {
  const { _id, assessedAt, basis, memberState, ...content } = stored;
  return contentHash(content) === contentHash(assessment);
}

function queueEntry({ _id, kind, score, lane, office, memberState }: AssessmentDoc): QueueEntryDoc {
  return { _id, kind, score, lane, office, memberState };
}

/** A rule's hits are the filings whose current assessment it matched; confirmed once a control found an irregularity. */
async function updateRuleHits(
  models: RiskModels,
  filings: readonly ScreenedFiling[],
  before: Map<string, AssessmentDoc>,
  written: readonly AssessmentDoc[],
): Promise<void> {
  const writtenByMrn = new Map(written.map((doc) => [doc._id, doc]));
  const hitId = (rule: string, mrn: string) => `${rule}|${mrn}`;
  const removals: string[] = [];
  const additions: RuleHitDoc[] = [];
  const confirmable: string[] = [];
  for (const { features, irregular } of filings) {
    const mrn = features.mrn;
    const now = writtenByMrn.get(mrn)?.ruleHits ?? before.get(mrn)?.ruleHits ?? [];
    const earlier = before.get(mrn)?.ruleHits ?? [];
    for (const rule of earlier) if (!now.includes(rule)) removals.push(hitId(rule, mrn));
    for (const rule of now) {
      if (!earlier.includes(rule)) additions.push({ _id: hitId(rule, mrn), rule, mrn, confirmed: irregular });
      else if (irregular) confirmable.push(hitId(rule, mrn));
    }
  }
  const ruleHits = collectionOf(models.ruleHits);
  await bulkWriteBounded(
    ruleHits,
    removals.map((id) => ({ deleteOne: { filter: { _id: id } } })),
  );
  await insertNew(ruleHits, additions);
  await markConfirmed(models, confirmable);
}

/** For declarations not screened in this batch: their current assessment's hits are confirmed. */
async function confirmRuleHits(models: RiskModels, mrns: readonly string[]): Promise<void> {
  if (mrns.length === 0) return;
  const assessments = await findByIds<AssessmentDoc>(models.assessments, [...new Set(mrns)]);
  await markConfirmed(
    models,
    assessments.flatMap((doc) => doc.ruleHits.map((rule) => `${rule}|${doc._id}`)),
  );
}

async function markConfirmed(models: RiskModels, hitIds: readonly string[]): Promise<void> {
  const unconfirmed = (await findByIds<RuleHitDoc>(models.ruleHits, hitIds)).filter((hit) => !hit.confirmed);
  await bulkWriteBounded(
    collectionOf(models.ruleHits),
    unconfirmed.map((hit) => ({ updateOne: { filter: { _id: hit._id }, update: { $set: { confirmed: true } } } })),
  );
}

// ---------------------------------------------------------------------------
// On demand: given MRNs

export interface MrnScreeningResult extends ScreeningResult {
  notFound: string[];
}

/**
 * `inScope` says which of the filings found the caller may screen (scope.ts); the others are
 * reported as not found, in the order asked, as if no filing had their MRN. Nothing is assessed
 * or written before that.
 */
export async function screenMrns(
  services: RiskServices,
  kind: FilingFeatures['kind'],
  mrns: readonly string[],
  inScope: (filing: ScreenedFiling) => boolean = () => true,
): Promise<MrnScreeningResult> {
  const wanted = [...new Set(mrns)];
  const filings: ScreenedFiling[] = [];
  const notFound: string[] = [];
  const sort = (filing: ScreenedFiling | null, index: number) => {
    if (filing && inScope(filing)) filings.push(filing);
    else notFound.push(wanted[index]!);
  };
  if (kind === 'DECLARATION') {
    const { filings: found } = await services.graph.request<{ filings: (DeclarationFacts | null)[] }>(DECLARATIONS_BY_MRN, { mrns: wanted });
    found.forEach((facts, index) => sort(facts ? { features: declarationFeatures(facts), irregular: isIrregular(facts) } : null, index));
  } else {
    const { filings: found } = await services.graph.request<{ filings: (EntrySummaryFacts | null)[] }>(ENTRY_SUMMARIES_BY_MRN, { mrns: wanted });
    found.forEach((facts, index) => sort(facts ? { features: entrySummaryFeatures(facts), irregular: false } : null, index));
  }
  const policy = await currentPolicy(services);
  return { ...(await assessFilings(services, policy, filings)), notFound };
}

// ---------------------------------------------------------------------------
// Everything not yet assessed: follow the declarations change feed

export const SCREENING_BATCH = 100;
export const SCREEN_CURSOR = 'screen.cursor';

export interface ScreenAllProgress {
  changesRead: number;
  assessed: number;
  unchanged: number;
}

export interface ScreenAllOptions {
  batchSize?: number;
  /**
   * Start after this change feed cursor instead of where the last run stopped (evaluation: only
   * what came after the history). The run's end is saved as usual, so a later run takes what
   * came before this cursor as screened.
   */
  startAfter?: string | null;
  onProgress?: (progress: ScreenAllProgress) => void;
  /** A line for people each time a batch is sent again after a part of the graph failed it. */
  onRetry?: (line: string) => void;
}

/**
 * Screens every declaration and ENS the change feed announced since the last run; from the
 * start of the feed when the model, the rules or the random share changed since then.
 */
export async function screenPending(services: RiskServices, options: ScreenAllOptions = {}): Promise<ScreenAllProgress & { restarted: boolean }> {
  const watchdog = watchJob('screening');
  return watchdog.guard(screenFeed(services, options, watchdog));
}

async function screenFeed(services: RiskServices, options: ScreenAllOptions, watchdog: Watchdog): Promise<ScreenAllProgress & { restarted: boolean }> {
  const policy = await currentPolicy(services);
  const saved = JSON.parse((await readState(services, SCREEN_CURSOR)) ?? 'null') as { basis: string; cursor: string | null } | null;
  const restarted = options.startAfter === undefined && saved?.basis !== policy.basis;
  let after = options.startAfter !== undefined ? options.startAfter : restarted ? null : saved!.cursor;
  const progress: ScreenAllProgress = { changesRead: 0, assessed: 0, unchanged: 0 };
  // Control results come with their outcome only: they confirm rule hits, and cost little.
  const kinds = ['DECLARATION', 'ENTRY_SUMMARY_DECLARATION', 'CONTROL_RESULT'];
  // A page a part of the graph failed is asked for again at the same cursor: nothing is skipped,
  // and nothing is assessed before its page has come whole.
  const retries = jobRetries('screening', watchdog, options.onRetry);
  const fetchPage = (from: string | null, batch: number, changesBefore: number) => {
    const where = `batch ${batch} (${changesBefore.toLocaleString('en')} changes screened before it)`;
    const variables = { after: from, kinds, first: options.batchSize ?? SCREENING_BATCH };
    const request = retries.stopsAt(
      where,
      services.graph.request<ChangePage<ScreeningChange>>(SCREENING_CHANGES, variables, { onRetry: retries.onRetry(where) }),
    );
    request.catch(() => {}); // awaited below; not unhandled if a batch fails before it gets there
    return request;
  };
  // The next page is asked for while this one is assessed and stored: the gateway's reads and
  // risk's writes overlap instead of taking turns.
  let nextPage = fetchPage(after, 1, 0);
  for (let batch = 1; ; batch++) {
    watchdog.progress(`batch ${batch} (${progress.changesRead.toLocaleString('en')} changes screened before it)`);
    const page = await nextPage;
    if (page.changes.pageInfo.hasNextPage)
      nextPage = fetchPage(page.changes.pageInfo.endCursor ?? after, batch + 1, progress.changesRead + page.changes.edges.length);
    const filings: ScreenedFiling[] = [];
    const confirmed: string[] = [];
    for (const { node } of page.changes.edges) {
      if (node.declaration) filings.push({ features: declarationFeatures(node.declaration), irregular: isIrregular(node.declaration) });
      else if (node.entrySummaryDeclaration) filings.push({ features: entrySummaryFeatures(node.entrySummaryDeclaration), irregular: false });
      else if (node.controlResult?.outcome === 'IRREGULARITY_FOUND') confirmed.push(node.mrn);
    }
    const result = await assessFilings(services, policy, filings, confirmed);
    progress.changesRead += page.changes.edges.length;
    progress.assessed += result.assessed;
    progress.unchanged += result.unchanged;
    after = page.changes.pageInfo.endCursor ?? after;
    // Saved after each batch: an interrupted run resumes where it stopped.
    await writeState(services, SCREEN_CURSOR, JSON.stringify({ basis: policy.basis, cursor: after }));
    options.onProgress?.(progress);
    if (!page.changes.pageInfo.hasNextPage) break;
  }
  return { ...progress, restarted };
}
