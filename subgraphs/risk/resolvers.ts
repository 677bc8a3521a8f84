import { badUserInput } from '../kit/errors';
import { checkMrn } from '../kit/identifiers';
import { requireNumber, requireOfficeCode, requireValid } from '../kit/input';
import { allOf, paginate } from '../kit/pagination';
import { DateScalar, DateTimeScalar } from '../kit/scalars';
import type { FilingKind, Resolvers } from './__generated__/resolvers-types';
import type { RiskContext } from './context';
import { loadHeader, loadModel } from './model-store';
import type { AssessmentDoc, RuleDoc } from './models';
import { smoothedRate } from './model/profiles';
import { pageOfQueue, rankedEntries, type QueueEntry } from './queue';
import { changeRule, createRule, retireRule } from './rule-writes';
import { requireRuleReference } from './rules';
import { screenableBy } from './scope';
import { screenMrns } from './screening';

const MAX_SCREEN = 100;
const toKind = (kind: FilingKind): QueueEntry['kind'] => (kind === 'ENTRY_SUMMARY_DECLARATION' ? 'ENS' : 'DECLARATION');
const fromKind = (kind: QueueEntry['kind']): FilingKind => (kind === 'ENS' ? 'ENTRY_SUMMARY_DECLARATION' : 'DECLARATION');

async function assessmentOf(mrn: string, kind: QueueEntry['kind'], { loaders }: RiskContext): Promise<AssessmentDoc | null> {
  const doc = await loaders.assessmentByMrn.load(mrn);
  return doc?.kind === kind ? doc : null;
}

export const resolvers: Resolvers = {
  Date: DateScalar,
  DateTime: DateTimeScalar,

  Query: {
    controlQueue: async (_, { first, after, lane, office, kind }, context) => {
      if (office) requireOfficeCode('office', office);
      const state = context.loaders.queueState;
      const ranked = state === undefined ? [] : await rankedEntries(context.models, state);
      const page = pageOfQueue(ranked, { kind: toKind(kind ?? 'DECLARATION'), lane, office }, { first, after });
      const docs = await context.loaders.assessmentByMrn.loadMany(page.edges.map(({ node }) => node.mrn));
      return {
        ...page,
        // An assessment replaced since the ranking was read is shown as it is now.
        edges: page.edges.flatMap(({ cursor }, index) => {
          const doc = docs[index];
          return doc && !(doc instanceof Error) ? [{ cursor, node: doc }] : [];
        }),
      };
    },
    riskModel: async (_, { version }, { models }) =>
      version === null || version === undefined
        ? ((await loadModel(models))?.header ?? null)
        : loadHeader(models, requireNumber('version', version, { min: 1, integer: true })),
    targetingRule: (_, { reference }, { loaders }) => loaders.ruleByReference.load(requireRuleReference(reference)),
    targetingRules: (_, { status, first, after }, { models, loaders }) =>
      paginate<RuleDoc>(models.rules, allOf(status ? { status } : {}, loaders.visibleRules()), { first, after }, [{ field: '_id', direction: 1 }]),
  },

  Mutation: {
    createTargetingRule: (_, { input }, { models, caller }) => createRule(models, input, caller),
    changeTargetingRule: (_, { input }, { models, caller }) => changeRule(models, input, caller),
    retireTargetingRule: (_, { reference, revision }, { models, caller }) => retireRule(models, reference, revision, caller),
    screen: async (_, { mrns, kind }, { models, caller }) => {
      if (mrns.length === 0 || mrns.length > MAX_SCREEN) throw badUserInput('mrns', `from 1 to ${MAX_SCREEN} MRNs at once, not ${mrns.length}`);
      const valid = mrns.map((mrn, index) => requireValid(`mrns[${index}]`, checkMrn(mrn)));
      const screenable = screenableBy(caller);
      const result = await screenMrns(models, toKind(kind ?? 'DECLARATION'), valid, ({ features }) => screenable(features));
      return { assessed: result.assessed, unchanged: result.unchanged, notFound: result.notFound, assessments: result.assessments };
    },
  },

  Declaration: {
    __resolveReference: ({ mrn }) => ({ mrn }),
    riskAssessment: ({ mrn }, _, context) => assessmentOf(mrn, 'DECLARATION', context),
  },

  EntrySummaryDeclaration: {
    __resolveReference: ({ mrn }) => ({ mrn }),
    riskAssessment: ({ mrn }, _, context) => assessmentOf(mrn, 'ENS', context),
  },

  EconomicOperator: {
    __resolveReference: ({ eori }) => ({ eori }),
    riskProfile: async ({ eori }, _, { models }) => {
      const stored = await loadModel(models);
      if (!stored) return null;
      const { model } = stored;
      const role = (dimension: 'importer' | 'declarant' | 'seller') => {
        const counts = model.counts[dimension]?.[eori];
        if (!counts) return null;
        const [controls, irregularities] = counts;
        const rate = smoothedRate(counts, model.baseRate, model.priorStrength);
        return { controls, irregularities, smoothedRate: rate, overallRate: model.baseRate, relativeRisk: model.baseRate > 0 ? rate / model.baseRate : 1 };
      };
      return { eori, modelVersion: stored.header.version, asImporter: role('importer'), asDeclarant: role('declarant'), asSeller: role('seller') };
    },
  },

  RiskAssessment: {
    mrn: (doc) => doc._id,
    kind: (doc) => fromKind(doc.kind),
    declaration: (doc) => (doc.kind === 'DECLARATION' ? { mrn: doc._id } : null),
    entrySummaryDeclaration: (doc) => (doc.kind === 'ENS' ? { mrn: doc._id } : null),
  },

  TargetingRule: {
    __resolveReference: ({ reference }, { loaders }) => loaders.ruleByReference.load(reference),
    reference: (rule) => rule._id,
    hits: async (rule, _, { loaders }) => (await loaders.hitsByRule.load(rule._id)).hits,
    confirmedHits: async (rule, _, { loaders }) => (await loaders.hitsByRule.load(rule._id)).confirmedHits,
  },
};
