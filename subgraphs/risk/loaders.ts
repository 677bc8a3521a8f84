// Per-request DataLoaders: every lookup by key in one request becomes one query.
import DataLoader from 'dataloader';
import type { Caller } from '../kit/auth/roles';
import { findByField, findByIds, oneByKey } from '../kit/batching';
import type { AssessmentDoc, RiskModels, RuleDoc, RuleHitDoc } from './models';
import { assessmentFilter, assessmentState, ruleFilter } from './scope';

export interface HitCounts {
  hits: number;
  confirmedHits: number;
}

export interface RiskLoaders {
  assessmentByMrn: DataLoader<string, AssessmentDoc | null>;
  ruleByReference: DataLoader<string, RuleDoc | null>;
  /** Hit counts per rule reference, from one read of the (small) hits collection. */
  hitsByRule: DataLoader<string, HitCounts>;
  /** The Member State whose control queue the caller reads: null for every one, undefined for none (scope.ts). */
  queueState: string | null | undefined;
  /** A fresh filter of the rules the caller may read, each call. */
  visibleRules: () => Record<string, unknown>;
}

/** Assessments and rules the caller may not see are never loaded (scope.ts). */
export function createRiskLoaders(models: RiskModels, caller: Caller): RiskLoaders {
  const visibleRules = () => ruleFilter(caller);
  return {
    queueState: assessmentState(caller),
    visibleRules,
    assessmentByMrn: new DataLoader(async (mrns) =>
      oneByKey(mrns, await findByIds<AssessmentDoc>(models.assessments, mrns, assessmentFilter(caller)), (doc) => doc._id),
    ),
    ruleByReference: new DataLoader(async (references) =>
      oneByKey(references, await findByIds<RuleDoc>(models.rules, references, visibleRules()), (doc) => doc._id),
    ),
    hitsByRule: new DataLoader(async (references) => {
      const hits = await findByField<RuleHitDoc>(models.ruleHits, 'rule', references);
      const counts = new Map(references.map((reference) => [reference, { hits: 0, confirmedHits: 0 }]));
      for (const hit of hits) {
        const count = counts.get(hit.rule);
        if (!count) continue;
        count.hits += 1;
        if (hit.confirmed) count.confirmedHits += 1;
      }
      return references.map((reference) => counts.get(reference)!);
    }),
  };
}
