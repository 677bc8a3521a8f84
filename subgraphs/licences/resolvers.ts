import { badUserInput } from '../kit/errors';
import { checkEori } from '../kit/identifiers';
import { requireDate, requireValid } from '../kit/input';
import { allOf, paginate, pageSize } from '../kit/pagination';
import { DateScalar, today } from '../kit/scalars';
import type { LicenceFilter, Resolvers } from './__generated__/resolvers-types';
import type { LicencesContext } from './context';
import { loadLicence, type LicenceDoc, type LicenceRecordDoc } from './models';
import { checkGoodsItem, licenceStatusOn, type GoodsItemFacts, type ItemLicenceResult } from './reconcile';
import { checkAnyLicenceReference, licenceTypesForDocument } from './references';
import { readsQuotedLicences, requireLicenceWritable, requireStoredLicenceWritable } from './scope';
import type { LicenceRecord } from './records';
import { amendLicence, changeLicenceStatus, issueLicence, recordUsage } from './writes';

type Filter = Record<string, unknown>;

export const resolvers: Resolvers = {
  Date: DateScalar,

  Query: {
    licence: (_, { reference }, { loaders }) => loaders.licenceByReference.load(requireValid('reference', checkAnyLicenceReference(reference))),
    licences: async (_, { filter, first, after }, { models, loaders }) => {
      const page = await paginate<LicenceRecordDoc>(models.licences, allOf(listFilter(filter), loaders.visible()), { first, after });
      const nodes = await Promise.all(page.edges.map(({ node }) => loadLicence(models, node)));
      return { ...page, edges: page.edges.map(({ cursor }, index) => ({ cursor, node: nodes[index]! })) };
    },
  },

  Mutation: {
    issueLicence: async (_, { input }, { models, caller }) => {
      requireLicenceWritable(caller, { _id: input.reference, type: input.type, issuingCountry: input.issuingCountry });
      return (await issueLicence(models, { kind: 'licence', ...input } as LicenceRecord, caller)).licence;
    },
    // A licence's type and issuing country never change, so checking them before the write holds.
    amendLicence: async (_, { input }, { models, caller }) => {
      await requireStoredLicenceWritable(models, caller, input.reference);
      return amendLicence(models, input);
    },
    cancelLicence: async (_, { input }, { models, caller }) => {
      await requireStoredLicenceWritable(models, caller, input.reference);
      return changeLicenceStatus(models, 'cancel', input, caller);
    },
    suspendLicence: async (_, { input }, { models, caller }) => {
      await requireStoredLicenceWritable(models, caller, input.reference);
      return changeLicenceStatus(models, 'suspend', input, caller);
    },
    recordLicenceUsage: async (_, { input }, { models, caller }) => {
      await requireStoredLicenceWritable(models, caller, input.reference);
      return (await recordUsage(models, input)).licence;
    },
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
    // Officers and analysts read a licence as the item they may see quotes it; others only their own licences.
    licence: (check, _, { loaders, caller }) =>
      check.reference ? (readsQuotedLicences(caller) ? loaders.quotedLicenceByReference : loaders.licenceByReference).load(check.reference) : null,
  },
};

/**
 * The item's facts arrive with the entity reference (@requires); the licences are loaded live.
 * Officers and analysts check the item against every licence it quotes; anyone else against the
 * licences it may look up, so one it may not see is checked as if it were not there (NOT_FOUND),
 * as LicenceCheck.licence shows it null.
 */
async function checkItem(item: GoodsItemFacts | Record<string, unknown>, { loaders, caller }: LicencesContext): Promise<ItemLicenceResult> {
  const facts = item as GoodsItemFacts;
  const references = (facts.supportingDocuments ?? []).filter((document) => licenceTypesForDocument(document.type)).map((document) => document.reference);
  const loader = readsQuotedLicences(caller) ? loaders.quotedLicenceByReference : loaders.licenceByReference;
  const found = await loader.loadMany(references);
  const licences = new Map<string, LicenceDoc>();
  for (const licence of found) {
    if (licence instanceof Error) throw licence;
    if (licence) licences.set(licence._id, licence);
  }
  return checkGoodsItem(facts, new Map([...licences].map(([reference, doc]) => [reference, { ...doc, reference }])));
}

function listFilter(filter: LicenceFilter | null | undefined): Filter {
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
