// Per-request DataLoaders: every lookup by key in one request becomes one query.
import DataLoader from 'dataloader';
import { findByField, findByIds, oneByKey } from '../kit/batching';
import type { AssessmentDoc, RiskModels, RuleDoc, RuleHitDoc } from './models';

export interface HitCounts {
  hits: number;
  confirmedHits: number;
}

export interface RiskLoaders {
  assessmentByMrn: DataLoader<string, AssessmentDoc | null>;
  ruleByReference: DataLoader<string, RuleDoc | null>;
  /** Hit counts per rule reference, from one read of the (small) hits collection. */
  hitsByRule: DataLoader<string, HitCounts>;
}

export function createRiskLoaders(models: RiskModels): RiskLoaders {
  return {
    assessmentByMrn: new DataLoader(async (mrns) => oneByKey(mrns, await findByIds<AssessmentDoc>(models.assessments, mrns), (doc) => doc._id)),
    ruleByReference: new DataLoader(async (references) => oneByKey(references, await findByIds<RuleDoc>(models.rules, references), (doc) => doc._id)),
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
