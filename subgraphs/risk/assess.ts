// One assessment: the learned score, then every check, rule, facilitation and licence finding,
// added up in log-odds and explained. Pure: screening fetches the facts and stores the result.
import { credibilityChecks } from './checks';
import { facilitation } from './facilitation';
import { laneFor, type Thresholds } from './lanes';
import type { FilingFeatures } from './model/features';
import type { Contribution, Scorer } from './model/score';
import type { LearnedModel } from './model/train';
import { isRandomlySelected } from './random-selection';
import { sigmoid } from './model/profiles';
import { higherLane, round, type EvidenceSource, type Lane, type Reason } from './reasons';
import { matchRule, ruleReason, type RuleDoc } from './rules';

/** Learned terms smaller than this (in log-odds) are not worth an analyst's attention. */
export const MIN_LEARNED_WEIGHT = 0.05;
/** At most this many learned terms are listed; the rest stay in the score. */
export const MAX_LEARNED_REASONS = 8;

export interface AssessmentPolicy {
  model: LearnedModel;
  scorer: Scorer;
  modelVersion: number;
  thresholds: Thresholds;
  /** The rules in force; matchRule also checks each one's validity on the filing's date. */
  rules: readonly RuleDoc[];
  randomShare: number;
}

export interface Assessment {
  mrn: string;
  kind: FilingFeatures['kind'];
  score: number;
  lane: Lane;
  reasons: Reason[];
  modelVersion: number;
  randomlySelected: boolean;
  office: string;
  /** References of the rules that matched. */
  ruleHits: string[];
}

export function assess(features: FilingFeatures, policy: AssessmentPolicy): Assessment {
  const learned = policy.scorer.score(features, { limit: MAX_LEARNED_REASONS, minWeight: MIN_LEARNED_WEIGHT });
  const learnedReasons = learned.contributions.map(learnedReason);
  // Terms too small to list still count: the score is the model's, not the listed reasons'.
  let logit = learned.logit;
  let minimumLane: Lane = 'GREEN';
  const reasons: Reason[] = [];

  for (const finding of credibilityChecks(features, policy.model.fairPrice)) {
    // A check the model also weighs shows once, with the model's weight.
    const twin = learnedReasons.findIndex((reason) => reason.code === finding.reason.code);
    if (twin >= 0) {
      finding.reason.weight = learnedReasons[twin]!.weight;
      learnedReasons.splice(twin, 1);
    }
    reasons.push(finding.reason);
    minimumLane = higherLane(minimumLane, finding.minimumLane);
  }
  reasons.push(...learnedReasons);

  const ruleHits: string[] = [];
  for (const rule of policy.rules) {
    const match = matchRule(rule, features);
    if (!match) continue;
    ruleHits.push(rule._id);
    reasons.push(ruleReason(rule, match));
    logit += rule.weight;
    if (rule.minimumLane) minimumLane = higherLane(minimumLane, rule.minimumLane);
  }

  for (const reason of facilitation(features)) {
    reasons.push(reason);
    logit += reason.weight;
  }

  const score = sigmoid(logit);
  const randomlySelected = isRandomlySelected(features.mrn, policy.randomShare);
  if (randomlySelected) {
    reasons.push({
      code: 'RANDOM_SELECTION',
      description: `Selected at random (${round(policy.randomShare * 100, 2)}% of filings) so that controls keep testing what the model passes`,
      weight: 0,
      evidence: { source: 'RANDOM_SELECTION', reference: features.mrn, detail: `share ${policy.randomShare}` },
    });
    minimumLane = 'RED';
  }

  reasons.sort((a, b) => Math.abs(b.weight) - Math.abs(a.weight) || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
  return {
    mrn: features.mrn,
    kind: features.kind,
    score: round(score, 6),
    lane: higherLane(laneFor(score, policy.thresholds), minimumLane),
    reasons: reasons.map((reason) => ({ ...reason, weight: round(reason.weight) })),
    modelVersion: policy.modelVersion,
    randomlySelected,
    office: features.office,
    ruleHits,
  };
}

function learnedReason(contribution: Contribution): Reason {
  const source: EvidenceSource =
    contribution.dimension === 'fairPrice'
      ? 'FAIR_PRICE_BAND'
      : contribution.dimension === 'netMass' || contribution.dimension === 'value'
        ? 'CREDIBILITY_CHECK'
        : 'LEARNED_PROFILE';
  return {
    code: contribution.code,
    description: describe(contribution),
    weight: contribution.weight,
    evidence: { source, reference: `${contribution.dimension} ${contribution.key}`, detail: contribution.evidence },
  };
}

/** How a profile's traits read in a reason: "importer × HS6 code". */
const TRAIT_WORDS: Record<string, string> = {
  hs6: 'HS6 code',
  hs4: 'HS4 heading',
  hs2: 'HS2 chapter',
  transportMode: 'transport mode',
  dispatch: 'country of dispatch',
  netMass: 'exact net mass',
  value: 'exact value',
  valueBand: 'value band',
  massBand: 'mass band',
  taxRate: 'tax rate',
  taxType: 'tax type',
  importType: 'import type',
  importUse: 'import use',
  paymentType: 'payment type',
  processType: 'process type',
  originIndicator: 'origin indicator',
  courier: 'courier',
};

function describe({ code, dimension, weight }: Contribution): string {
  const direction = weight > 0 ? 'raise' : 'lower';
  switch (code) {
    case 'FAIR_PRICE_UNDERVALUED':
      return `The value per kilogram against its fair-price band: past controls ${direction} the risk`;
    case 'FAIR_PRICE_OVERVALUED':
      return `A value per kilogram above its fair-price band: past controls ${direction} the risk`;
    case 'ZERO_NET_MASS':
      return 'The net mass is zero';
    case 'ZERO_VALUE':
      return 'The statistical value is zero';
    case 'FAIR_PRICE_NO_BAND':
      return `No fair-price band to compare the value per kilogram with: past controls of such filings ${direction} the risk`;
    case 'VALUE_PER_KG':
      return `The value per kilogram: past controls of goods declared at such prices ${direction} the risk`;
    case 'DECLARED_VALUE':
      return `The declared value: past controls of consignments of this value ${direction} the risk`;
    case 'DECLARED_NET_MASS':
      return `The net mass: past controls of consignments of this weight ${direction} the risk`;
    default:
      return `Past controls of the same ${profileWords(dimension)} ${direction} the risk`;
  }
}

/** A dimension's words, worked out once per dimension: every assessment lists several. */
const PROFILE_WORDS = new Map<string, string>();

function profileWords(dimension: string): string {
  let words = PROFILE_WORDS.get(dimension);
  if (words === undefined) {
    words = dimension
      .split('_')
      .map((trait) => TRAIT_WORDS[trait] ?? trait)
      .join(' × ');
    PROFILE_WORDS.set(dimension, words);
  }
  return words;
}
