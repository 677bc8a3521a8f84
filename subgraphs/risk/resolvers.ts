import { describeCaller, forbidden, seesAllRows } from '../kit/auth/rows';
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
import { selectionReasons } from './assessment-feed';
import { daysToAcknowledge, daysToAct, followUpSummaries, hitCounts, sumHits } from './follow-up';
import {
  acknowledge,
  amendRiskInformation,
  closeCrisisAlert,
  createRuleFromSignal,
  openCrisisAlert,
  publishRiskInformation,
  recordAction,
  responseVisible,
  withdrawRiskInformation,
  type CrisisAlertDoc,
  type RiskInformationFormDoc,
  type RiskInformationResponseDoc,
  type SignalKind,
} from './risk-information';
import { changeRule, createRule, retireRule } from './rule-writes';
import { requireRuleReference, type RuleDoc as Rule } from './rules';
import { screenableBy } from './scope';
import { screenMrns } from './screening';

const MAX_SCREEN = 100;
const toKind = (kind: FilingKind): QueueEntry['kind'] => (kind === 'ENTRY_SUMMARY_DECLARATION' ? 'ENS' : 'DECLARATION');
const fromKind = (kind: QueueEntry['kind']): FilingKind => (kind === 'ENS' ? 'ENTRY_SUMMARY_DECLARATION' : 'DECLARATION');

/** The responses of a RIF or alert the caller may see (risk-information.ts responseVisible). */
async function visibleResponses(kind: SignalKind, reference: string, { loaders, caller }: RiskContext): Promise<RiskInformationResponseDoc[]> {
  return (await loaders.responsesOf.load(`${kind}|${reference}`)).filter((response) => responseVisible(caller, response));
}

/** Hits of the rules made from a RIF or alert, in every Member State the caller sees the follow-up of. */
async function signalHits(kind: SignalKind, reference: string, context: RiskContext) {
  const rules = (await visibleResponses(kind, reference, context)).flatMap((response) => response.rules);
  return sumHits(rules, await hitCounts(context.models, rules));
}

const signalResolvers = (kind: SignalKind) => ({
  followUp: (signal: RiskInformationFormDoc | CrisisAlertDoc, _: unknown, context: RiskContext) => visibleResponses(kind, signal._id, context),
  hits: async (signal: RiskInformationFormDoc | CrisisAlertDoc, _: unknown, context: RiskContext) => (await signalHits(kind, signal._id, context)).hits,
  confirmedHits: async (signal: RiskInformationFormDoc | CrisisAlertDoc, _: unknown, context: RiskContext) =>
    (await signalHits(kind, signal._id, context)).confirmedHits,
});

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
    assessmentChanges: async (_, { after, first }, { models, caller }) => {
      // The feed numbers every assessment written: its sequence would tell a caller scoped to one
      // Member State how much the others screen. It is for callers who see every row.
      if (!seesAllRows(caller))
        throw forbidden(`the assessment feed counts every Member State's assessments; ${describeCaller(caller)} reads the control queue instead`, {
          field: 'assessmentChanges',
        });
      const page = await models.assessmentFeed.read(after, first ?? 100);
      return {
        edges: page.entries.map(({ sequence, kind, key, cursor }) => ({ cursor, node: { sequence, mrn: key, kind: fromKind(kind as QueueEntry['kind']) } })),
        pageInfo: { hasNextPage: page.hasNextPage, hasPreviousPage: Boolean(after), startCursor: page.entries[0]?.cursor ?? null, endCursor: page.endCursor },
      };
    },
    riskInformationForm: (_, { reference }, { loaders }) => loaders.formByReference.load(requireRuleReference(reference)),
    riskInformationForms: (_, { status, first, after }, { models, loaders }) =>
      paginate<RiskInformationFormDoc>(models.riskInformationForms, allOf(status ? { status } : {}, loaders.visibleForms()), { first, after }, [
        { field: 'publishedAt', direction: -1 },
      ]),
    crisisAlert: (_, { reference }, { loaders }) => loaders.alertByReference.load(requireRuleReference(reference)),
    crisisAlerts: (_, { status, first, after }, { models }) =>
      paginate<CrisisAlertDoc>(models.crisisAlerts, status ? { status } : {}, { first, after }, [{ field: 'openedAt', direction: -1 }]),
    riskInformationFollowUp: (_, args, { models, caller }) => followUpSummaries(models, caller, args),
  },

  Mutation: {
    createTargetingRule: (_, { input }, { models, caller }) => createRule(models, input, caller),
    changeTargetingRule: (_, { input }, { models, caller }) => changeRule(models, input, caller),
    retireTargetingRule: (_, { reference, revision }, { models, caller }) => retireRule(models, reference, revision, caller),
    publishRiskInformationForm: (_, { input }, { models, caller }) => publishRiskInformation(models, input, caller),
    amendRiskInformationForm: (_, { input }, { models, caller }) => amendRiskInformation(models, input, caller),
    withdrawRiskInformationForm: (_, { reference, version, reason }, { models, caller }) => withdrawRiskInformation(models, reference, version, reason, caller),
    acknowledgeRiskInformationForm: (_, { reference }, { models, caller }) => acknowledge(models, 'RIF', reference, caller),
    recordRiskInformationFormAction: (_, { input }, { models, caller }) => recordAction(models, 'RIF', input, caller),
    createRuleFromRiskInformationForm: (_, { input }, { models, caller }) => createRuleFromSignal(models, 'RIF', input, caller),
    openCrisisAlert: (_, { input }, { models, caller }) => openCrisisAlert(models, input, caller),
    closeCrisisAlert: (_, { reference, closedOn }, { models, caller }) => closeCrisisAlert(models, reference, closedOn, caller),
    acknowledgeCrisisAlert: (_, { reference }, { models, caller }) => acknowledge(models, 'ALERT', reference, caller),
    recordCrisisAlertAction: (_, { input }, { models, caller }) => recordAction(models, 'ALERT', input, caller),
    createRuleFromCrisisAlert: (_, { input }, { models, caller }) => createRuleFromSignal(models, 'ALERT', input, caller),
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
    selectionReasons: async (doc, _, { loaders }) => {
      if (doc.lane === 'GREEN') return [];
      const [links, thresholds] = await Promise.all([loaders.ruleLinks.loadMany(doc.ruleHits), loaders.thresholdsOf.load(doc.modelVersion)]);
      return selectionReasons(
        doc,
        links.map((link) => (link instanceof Error ? null : link)),
        thresholds,
      );
    },
  },

  AssessmentChange: {
    assessment: (change, _, { loaders }) => loaders.assessmentByMrn.load(change.mrn).then((doc) => (doc && fromKind(doc.kind) === change.kind ? doc : null)),
  },

  RiskInformationForm: {
    __resolveReference: ({ reference }, { loaders }) => loaders.formByReference.load(reference),
    reference: (form) => form._id,
    ...signalResolvers('RIF'),
  },

  CrisisAlert: {
    __resolveReference: ({ reference }, { loaders }) => loaders.alertByReference.load(reference),
    reference: (alert) => alert._id,
    ...signalResolvers('ALERT'),
  },

  RiskInformationResponse: {
    daysToAcknowledge: (response) => daysToAcknowledge(response),
    daysToAct: (response) => daysToAct(response),
    rules: async (response, _, { loaders }) =>
      (await loaders.ruleByReference.loadMany(response.rules)).filter((rule): rule is Rule => Boolean(rule) && !(rule instanceof Error)),
    hits: async (response, _, { models }) => sumHits(response.rules, await hitCounts(models, response.rules)).hits,
    confirmedHits: async (response, _, { models }) => sumHits(response.rules, await hitCounts(models, response.rules)).confirmedHits,
  },

  TargetingRule: {
    __resolveReference: ({ reference }, { loaders }) => loaders.ruleByReference.load(reference),
    reference: (rule) => rule._id,
    hits: async (rule, _, { loaders }) => (await loaders.hitsByRule.load(rule._id)).hits,
    confirmedHits: async (rule, _, { loaders }) => (await loaders.hitsByRule.load(rule._id)).confirmedHits,
    riskInformationForm: (rule, _, { loaders }) => (rule.riskInformationForm ? loaders.formByReference.load(rule.riskInformationForm) : null),
    crisisAlert: (rule, _, { loaders }) => (rule.crisisAlert ? loaders.alertByReference.load(rule.crisisAlert) : null),
  },
};
