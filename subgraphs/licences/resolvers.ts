import { badUserInput } from '../kit/errors';
import { checkEori } from '../kit/identifiers';
import { requireDate, requireValid } from '../kit/input';
import { paginate, pageSize } from '../kit/pagination';
import { DateScalar, today } from '../kit/scalars';
import type { LicenceFilter, Resolvers } from './__generated__/resolvers-types';
import type { LicencesContext } from './context';
import { loadLicence, type LicenceDoc, type LicenceRecordDoc } from './models';
import { checkGoodsItem, licenceStatusOn, type GoodsItemFacts, type ItemLicenceResult } from './reconcile';
import { checkAnyLicenceReference, licenceTypesForDocument } from './references';
import type { LicenceRecord } from './records';
import { amendLicence, changeLicenceStatus, issueLicence, recordUsage } from './writes';

type Filter = Record<string, unknown>;

export const resolvers: Resolvers = {
  Date: DateScalar,

  Query: {
    licence: (_, { reference }, { loaders }) => loaders.licenceByReference.load(requireValid('reference', checkAnyLicenceReference(reference))),
    licences: async (_, { filter, first, after }, { models }) => {
      const page = await paginate<LicenceRecordDoc>(models.licences, licenceFilter(filter), { first, after });
      const nodes = await Promise.all(page.edges.map(({ node }) => loadLicence(models, node)));
      return { ...page, edges: page.edges.map(({ cursor }, index) => ({ cursor, node: nodes[index]! })) };
    },
  },

  Mutation: {
    issueLicence: async (_, { input }, { models, caller }) => (await issueLicence(models, { kind: 'licence', ...input } as LicenceRecord, caller)).licence,
    amendLicence: (_, { input }, { models }) => amendLicence(models, input),
    cancelLicence: (_, { input }, { models, caller }) => changeLicenceStatus(models, 'cancel', input, caller),
    suspendLicence: (_, { input }, { models, caller }) => changeLicenceStatus(models, 'suspend', input, caller),
    recordLicenceUsage: async (_, { input }, { models }) => (await recordUsage(models, input)).licence,
  },

  Licence: {
    __resolveReference: ({ reference }, { loaders }) => loaders.licenceByReference.load(reference),
    reference: (licence) => licence._id,
    holder: (licence) => ({ eori: licence.holder }),
    status: (licence) => licenceStatusOn(licence, today()),
  },

  EconomicOperator: {
    __resolveReference: ({ eori }) => ({ eori }),
    licences: async ({ eori }, { status, first }, { loaders }) => {
      const held = await loaders.licencesByHolder.load(eori);
      const now = today();
      return held.filter((licence) => !status || licenceStatusOn(licence, now) === status).slice(0, pageSize(first));
    },
  },

  GoodsItem: {
    licenceChecks: async (item, _, context) => (await checkItem(item, context)).checks,
    licenceDecision: async (item, _, context) => {
      const { decision, reasons } = await checkItem(item, context);
      return { decision, reasons };
    },
  },

  LicenceCheck: {
    licence: (check, _, { loaders }) => (check.reference ? loaders.licenceByReference.load(check.reference) : null),
  },
};

/** The item's facts arrive with the entity reference (@requires); the licences are loaded live. */
async function checkItem(item: GoodsItemFacts | Record<string, unknown>, { loaders }: LicencesContext): Promise<ItemLicenceResult> {
  const facts = item as GoodsItemFacts;
  const references = (facts.supportingDocuments ?? []).filter((document) => licenceTypesForDocument(document.type)).map((document) => document.reference);
  const found = await loaders.licenceByReference.loadMany(references);
  const licences = new Map<string, LicenceDoc>();
  for (const licence of found) {
    if (licence instanceof Error) throw licence;
    if (licence) licences.set(licence._id, licence);
  }
  return checkGoodsItem(facts, new Map([...licences].map(([reference, doc]) => [reference, { ...doc, reference }])));
}

function licenceFilter(filter: LicenceFilter | null | undefined): Filter {
  const query: Filter = {};
  if (!filter) return query;
  if (filter.holder) query.holder = requireValid('filter.holder', checkEori(filter.holder));
  if (filter.type) query.type = filter.type;
  const now = today();
  switch (filter.status) {
    case undefined:
    case null:
      break;
    case 'EXPIRED':
      query.validUntil = { $lt: now };
      query.status = { $in: ['VALID', 'USED'] };
      break;
    case 'VALID':
    case 'USED':
      // USED is derived from quantities, which live in the licence's states: both select stored
      // VALID licences that have not expired, and the status field tells them apart.
      query.status = 'VALID';
      query.validUntil = { $gte: now };
      break;
    default:
      query.status = filter.status;
  }
  if (filter.commodityCodePrefix) {
    if (!/^\d{2,10}$/.test(filter.commodityCodePrefix)) throw badUserInput('filter.commodityCodePrefix', 'must be 2 to 10 digits');
    // A line covers the prefix when one starts with the other: "03" covers "0302", "0302" covers "030211".
    const prefix = filter.commodityCodePrefix;
    const shorter = Array.from({ length: prefix.length - 1 }, (_, i) => prefix.slice(0, i + 2));
    query.$or = [{ coveredCodes: { $regex: `^${prefix}` } }, { coveredCodes: { $in: shorter } }];
  }
  if (filter.validOn) {
    const on = requireDate('filter.validOn', filter.validOn);
    query.validFrom = { $lte: on };
    query.validUntil = { ...(query.validUntil as Filter | undefined), $gte: on };
  }
  return query;
}
