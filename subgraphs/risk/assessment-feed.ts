// Every assessment written, as a change feed (kit/change-feed.ts) that followers such as the
// performance indicators page from a cursor instead of rescanning the assessments: each write of
// assessments takes a feed number and commits its feed entry in the same journalled batch.
// And why an assessment is YELLOW or RED, as the indicators count it: its selection reasons.
import type { Connection } from 'mongoose';
import type { ChangeFeed } from '../kit/change-feed';
import { commitBatch, replayBatch, UnfinishedBatchError, type KeyedDocument } from '../kit/journal';
import { laneFor, type Thresholds } from './lanes';
import type { AssessmentDoc } from './models';
import type { RuleLink } from './rules';

/** One entry of Query.assessmentChanges, before its assessment is loaded. */
export interface AssessmentChangeParent {
  sequence: number;
  mrn: string;
  kind: 'DECLARATION' | 'ENTRY_SUMMARY_DECLARATION';
}

/** Feed kinds: the filing kinds of AssessmentDoc. */
export type AssessmentFeedKind = AssessmentDoc['kind'];

/**
 * Writes the assessments and, once they are there, the feed entry announcing them: one batch,
 * journalled, so a crash in between is finished at the next start (replayPending) and a reader
 * never sees an entry without its assessment.
 */
export async function writeAssessments(connection: Connection, feed: ChangeFeed, collection: string, written: readonly AssessmentDoc[]): Promise<void> {
  if (written.length === 0) return;
  const sequence = await feed.take();
  const entries = feed.committed(
    sequence,
    written.map((doc) => ({ kind: doc.kind, key: doc._id })),
  );
  try {
    await commitBatch(connection, {
      put: { [collection]: written as unknown as KeyedDocument[] },
      thenPut: { [feed.model.collection.collectionName]: entries as unknown as KeyedDocument[] },
    });
  } catch (error) {
    if (error instanceof UnfinishedBatchError) {
      // In the journal: applied again now, or at the next start; readers wait for it meanwhile.
      await replayBatch(connection, error.batchId);
      return;
    }
    // Never journalled: the number is let go, so readers need not wait for it.
    await feed.release(sequence).catch(() => {});
    throw error;
  }
}

export type SelectionReason = 'RULE' | 'PROFILE' | 'RANDOM' | 'RISK_INFORMATION_FORM' | 'CRISIS_ALERT';
const ORDER: readonly SelectionReason[] = ['RULE', 'PROFILE', 'RANDOM', 'RISK_INFORMATION_FORM', 'CRISIS_ALERT'];

/**
 * Why a YELLOW or RED assessment is so (none for GREEN): RULE when a rule matched (with
 * RISK_INFORMATION_FORM or CRISIS_ALERT when it was made from one), RANDOM when randomly
 * selected, PROFILE when the score without the rules' weights still reaches a lane (the learned
 * profiles and checks did it), and PROFILE too when nothing else explains the lane (a credibility
 * check's minimum lane). `thresholds` are the model version's; without them PROFILE is the fallback only.
 */
export function selectionReasons(
  assessment: Pick<AssessmentDoc, 'lane' | 'score' | 'ruleHits' | 'randomlySelected' | 'reasons'>,
  links: readonly (RuleLink | null)[],
  thresholds: Thresholds | null,
): SelectionReason[] {
  if (assessment.lane === 'GREEN') return [];
  const reasons = new Set<SelectionReason>();
  if (assessment.ruleHits.length > 0) reasons.add('RULE');
  for (const link of links) {
    if (link?.riskInformationForm) reasons.add('RISK_INFORMATION_FORM');
    if (link?.crisisAlert) reasons.add('CRISIS_ALERT');
  }
  if (assessment.randomlySelected) reasons.add('RANDOM');
  if (thresholds) {
    const p = Math.min(Math.max(assessment.score, 1e-12), 1 - 1e-12);
    const ruleWeight = assessment.reasons.filter((reason) => reason.code === 'RULE').reduce((sum, reason) => sum + reason.weight, 0);
    const withoutRules = 1 / (1 + Math.exp(-(Math.log(p / (1 - p)) - ruleWeight)));
    if (laneFor(withoutRules, thresholds) !== 'GREEN') reasons.add('PROFILE');
  }
  if (reasons.size === 0) reasons.add('PROFILE');
  return ORDER.filter((reason) => reasons.has(reason));
}
