// Per-request DataLoaders: every lookup by key in one request becomes one query.
import DataLoader from 'dataloader';
import type { Caller } from '../kit/auth/roles';
import { findByField, findByIds, oneByKey } from '../kit/batching';
import type { Thresholds } from './lanes';
import { loadHeader } from './model-store';
import type { AssessmentDoc, CrisisAlertDoc, RiskInformationFormDoc, RiskInformationResponseDoc, RiskModels, RuleDoc, RuleHitDoc } from './models';
import { currentForm, responsesOf, riskInformationFilter, type SignalKind } from './risk-information';
import type { RuleLink } from './rules';
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
  /** What each rule was made from, whoever may read the rule: for selection reasons. */
  ruleLinks: DataLoader<string, RuleLink | null>;
  /** The lane thresholds of each model version. */
  thresholdsOf: DataLoader<number, Thresholds | null>;
  /** RIFs the caller may see (risk-information.ts). */
  formByReference: DataLoader<string, RiskInformationFormDoc | null>;
  visibleForms: () => Record<string, unknown>;
  alertByReference: DataLoader<string, CrisisAlertDoc | null>;
  /** Every response of a RIF ("RIF|<reference>") or alert ("ALERT|<reference>"); callers filter what they show. */
  responsesOf: DataLoader<string, RiskInformationResponseDoc[]>;
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
    ruleLinks: new DataLoader(async (references) =>
      oneByKey(
        references,
        await models.rules
          .find({ _id: { $in: [...references] } }, { riskInformationForm: 1, crisisAlert: 1 })
          .lean<(RuleLink & { _id: string })[]>()
          .exec(),
        (doc) => doc._id,
      ),
    ),
    thresholdsOf: new DataLoader(async (versions) =>
      Promise.all(
        versions.map(async (version) => {
          const header = await loadHeader(models, version);
          return header ? { red: header.redThreshold, yellow: header.yellowThreshold } : null;
        }),
      ),
    ),
    visibleForms: () => riskInformationFilter(caller),
    formByReference: new DataLoader(async (references) => {
      const visible = oneByKey(
        references,
        await findByIds<RiskInformationFormDoc>(models.riskInformationForms, references, riskInformationFilter(caller)),
        (doc) => doc._id,
      );
      // A version whose writer died before applying it is applied by the read that finds it.
      return Promise.all(visible.map((form) => (form ? currentForm(models, form._id) : null)));
    }),
    alertByReference: new DataLoader(async (references) =>
      oneByKey(references, await findByIds<CrisisAlertDoc>(models.crisisAlerts, references), (doc) => doc._id),
    ),
    responsesOf: new DataLoader(async (keys) => {
      const split = keys.map((key) => key.split('|') as [SignalKind, string]);
      const found = await Promise.all(
        (['RIF', 'ALERT'] as const).map((kind) =>
          responsesOf(
            models,
            kind,
            split.filter(([k]) => k === kind).map(([, reference]) => reference),
          ),
        ),
      );
      const all = found.flat();
      return split.map(([kind, reference]) =>
        all.filter((response) => response.kind === kind && response.signal === reference).sort((a, b) => (a.memberState < b.memberState ? -1 : 1)),
      );
    }),
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
