import { describeCaller, forbidden, mayWriteForState, memberStateOf, seesAllRows } from '../kit/auth/rows';
import type { Caller } from '../kit/auth/roles';
import { badUserInput } from '../kit/errors';
import { found } from '../kit/persistence';
import { checkContainerNumber, checkCountryCode, checkEori, checkMrn } from '../kit/identifiers';
import { requireDate, requireValid } from '../kit/input';
import { allOf, paginate, type Connection } from '../kit/pagination';
import { DateScalar, DateTimeScalar } from '../kit/scalars';
import type { ControlResultFilter, DeclarationFilter, EntrySummaryDeclarationFilter, Resolvers } from './__generated__/resolvers-types';
import type { DeclarationsContext } from './context';
import type { ChangeKind, ChangeParent, ControlResultDoc, DeclarationDoc, EntrySummaryDoc, GoodsItemParent, OperatorRef, PartyDoc } from './models';
import type { ControlResultRecord, DeclarationRecord, EntrySummaryRecord } from './records';
import { unknownDeclaration } from './validate';

type Filter = Record<string, unknown>;

const MAX_KEYS = 100;

function checkMrnList(mrns: readonly string[]): string[] {
  if (mrns.length > MAX_KEYS) throw badUserInput('mrns', `at most ${MAX_KEYS} at once, not ${mrns.length}`);
  return mrns.map((mrn, index) => requireValid(`mrns[${index}]`, checkMrn(mrn)));
}

function rethrowErrors<T>(results: (T | Error)[]): T[] {
  for (const result of results) if (result instanceof Error) throw result;
  return results as T[];
}

export const resolvers: Resolvers = {
  Date: DateScalar,
  DateTime: DateTimeScalar,

  Query: {
    declaration: (_, { mrn }, { loaders }) => loaders.declarationByMrn.load(requireValid('mrn', checkMrn(mrn))),
    declarations: (_, { filter, first, after }, context) => pageOfDeclarations(context, declarationFilter(filter), first, after),
    entrySummaryDeclaration: (_, { mrn }, { loaders }) => loaders.entrySummaryByMrn.load(requireValid('mrn', checkMrn(mrn))),
    entrySummaryDeclarations: (_, { filter, first, after }, { models, loaders }) =>
      primed(
        paginate<EntrySummaryDoc>(models.entrySummaries, allOf(entrySummaryFilter(filter), loaders.visible()), { first, after }, [
          { field: 'expectedArrival', direction: 1 },
        ]),
        (doc) => loaders.entrySummaryByMrn.prime(doc._id, doc),
      ),
    consignmentsByContainer: async (_, { number, first, after }, { models, loaders }) => {
      const container = requireValid('number', checkContainerNumber(number));
      const page = await paginate<EntrySummaryDoc>(models.entrySummaries, allOf({ containerNumbers: container }, loaders.visible()), { first, after }, [
        { field: 'expectedArrival', direction: -1 },
      ]);
      return {
        ...page,
        edges: page.edges.map(({ node, cursor }) => ({
          cursor,
          node: { entrySummary: node, consignment: node.consignments.find((c) => c.containers.some((x) => x.number === container)) ?? node.consignments[0]! },
        })),
      };
    },
    controlResults: (_, { filter, first, after }, { models, loaders }) =>
      paginate<ControlResultDoc>(models.controlResults, allOf(controlResultFilter(filter), loaders.visible()), { first, after }, [
        { field: 'date', direction: -1 },
      ]),
    declarationsByMrn: (_, { mrns }, { loaders }) => loaders.declarationByMrn.loadMany(checkMrnList(mrns)).then(rethrowErrors),
    entrySummaryDeclarationsByMrn: (_, { mrns }, { loaders }) => loaders.entrySummaryByMrn.loadMany(checkMrnList(mrns)).then(rethrowErrors),
    changes: async (_, { after, first, kinds }, { models, loaders, caller }) => {
      // The feed numbers every write of the subgraph: its sequence and its cursors would tell a
      // caller scoped to one Member State how much the others write, whatever rows it hides. It
      // is for callers who see every row (the platform's services, the Commission).
      if (loaders.reach.kind !== 'all')
        throw forbidden(`the change feed counts every Member State's writes; ${describeCaller(caller)} reads the lists instead`, { field: 'changes' });
      const page = await models.changeFeed.read(after, first, kinds ?? undefined);
      return {
        edges: page.entries.map(({ sequence, kind, key, cursor }): { cursor: string; node: ChangeParent } => ({
          cursor,
          node:
            kind === 'CONTROL_RESULT'
              ? { sequence, kind, mrn: key.slice(0, key.indexOf('/')), controlResultId: key }
              : { sequence, kind: kind as ChangeKind, mrn: key, controlResultId: null },
        })),
        pageInfo: { hasNextPage: page.hasNextPage, hasPreviousPage: Boolean(after), startCursor: page.entries[0]?.cursor ?? null, endCursor: page.endCursor },
      };
    },
  },

  Mutation: {
    lodgeDeclaration: async (_, { input }, { models, loaders }) =>
      readBack(await writeOne(models, { kind: 'declaration', ...input } as DeclarationRecord), loaders.declarationByMrn),
    fileEntrySummaryDeclaration: async (_, { input }, { models, loaders }) =>
      readBack(await writeOne(models, { kind: 'entrySummaryDeclaration', ...input } as EntrySummaryRecord), loaders.entrySummaryByMrn),
    recordControlResult: async (_, { input }, { models, loaders, caller }) => {
      await requireControlInScope(loaders, caller, input.mrn, input.office);
      return readBack(await writeOne(models, { kind: 'controlResult', ...input } as ControlResultRecord), loaders.controlResultById);
    },
  },

  Change: {
    declaration: (change, _, { loaders }) => (change.kind === 'DECLARATION' ? loaders.declarationByMrn.load(change.mrn) : null),
    entrySummaryDeclaration: (change, _, { loaders }) => (change.kind === 'ENTRY_SUMMARY_DECLARATION' ? loaders.entrySummaryByMrn.load(change.mrn) : null),
    controlResult: (change, _, { loaders }) => (change.controlResultId ? loaders.controlResultById.load(change.controlResultId) : null),
  },

  EconomicOperator: {
    __resolveReference: (reference) => ({ eori: reference.eori }),
    declarations: (operator, { role, filter, first, after }, context) =>
      pageOfDeclarations(context, allOf({ partyIndex: `${role}:${operator.eori}` }, declarationFilter(filter)), first, after),
    entrySummaryDeclarations: (operator, { role, first, after }, { models, loaders }) =>
      paginate<EntrySummaryDoc>(models.entrySummaries, allOf({ partyIndex: `${role}:${operator.eori}` }, loaders.visible()), { first, after }, [
        { field: 'expectedArrival', direction: -1 },
      ]),
    controlStatistics: async (operator, { role }, { loaders }) => {
      const counts = await loaders.countsByParty.load(`${role}:${operator.eori}`);
      const controls = counts.controls;
      const irregularitiesFound = counts.irregularities;
      return {
        role,
        declarationsLodged: counts.declarations,
        controls,
        irregularitiesFound,
        irregularityRate: controls ? irregularitiesFound / controls : null,
      };
    },
  },

  Declaration: {
    __resolveReference: ({ mrn }, { loaders }) => loaders.declarationByMrn.load(mrn),
    mrn: (declaration) => declaration._id,
    declarant: (declaration) => operatorRef(declaration.parties.declarant),
    importer: (declaration) => operatorRef(declaration.parties.importer),
    representative: (declaration) => operatorRef(declaration.parties.representative),
    items: (declaration) => declaration.items.map((item) => itemOf(declaration, item)),
    controlResults: (declaration, _, { loaders }) => loaders.controlResultsByMrn.load(declaration._id),
  },

  GoodsItem: {
    __resolveReference: async ({ mrn, itemNumber }, { loaders }) => {
      const declaration = await loaders.declarationByMrn.load(mrn);
      const item = declaration?.items.find((candidate) => candidate.itemNumber === Number(itemNumber));
      return declaration && item ? itemOf(declaration, item) : null;
    },
    declaration: async (item, _, { loaders }) => (await loaders.declarationByMrn.load(item.mrn))!,
    controlResults: async (item, _, { loaders }) =>
      (await loaders.controlResultsByMrn.load(item.mrn)).filter((result) => result.itemNumber === item.itemNumber),
  },

  ControlResult: {
    id: (result) => result._id,
    declaration: async (result, _, { loaders }) => (await loaders.declarationByMrn.load(result.mrn))!,
  },

  Party: {
    operator: (party) => operatorRef(party),
  },

  EntrySummaryDeclaration: {
    __resolveReference: ({ mrn }, { loaders }) => loaders.entrySummaryByMrn.load(mrn),
    mrn: (filing) => filing._id,
    routes: (filing) => [...new Set(filing.consignments.map((c) => `${c.placeOfLoading}-${c.placeOfUnloading}`))],
    partyEoris: (filing) => [...new Set(filing.partyIndex.map((entry) => entry.slice(entry.indexOf(':') + 1)))],
  },

  ContainerSighting: {
    entrySummaryDeclaration: (sighting) => sighting.entrySummary,
  },
};

function itemOf(declaration: DeclarationDoc, item: DeclarationDoc['items'][number]): GoodsItemParent {
  return { ...item, mrn: declaration._id, importerEori: declaration.parties.importer?.eori ?? null, acceptanceDate: declaration.acceptanceDate };
}

function operatorRef(party: PartyDoc | null): OperatorRef | null {
  return party?.eori ? { eori: party.eori } : null;
}

async function readBack<T>(key: string, loader: { load(key: string): Promise<T | null> }): Promise<T> {
  return found(await loader.load(key), 'record just written', key);
}

/** Writes one record through the same path as ingest and returns its key; a rejection becomes BAD_USER_INPUT. */
async function writeOne(models: DeclarationsContext['models'], record: DeclarationRecord | EntrySummaryRecord | ControlResultRecord): Promise<string> {
  const [result] = await models.writer.write([record]);
  if (!result?.key || result.status === 'rejected') throw badUserInput(result?.field || 'input', result?.reason ?? 'was rejected');
  return result.key;
}

async function primed<T>(page: Promise<Connection<T>>, prime: (node: T) => void): Promise<Connection<T>> {
  const resolved = await page;
  for (const { node } of resolved.edges) prime(node);
  return resolved;
}

function pageOfDeclarations(context: DeclarationsContext, filter: Filter, first: number | null | undefined, after: string | null | undefined) {
  const visible = allOf(filter, context.loaders.visible());
  return primed(paginate<DeclarationDoc>(context.models.declarations, visible, { first, after }, [{ field: 'acceptanceDate', direction: -1 }]), (doc) =>
    context.loaders.declarationByMrn.prime(doc._id, doc),
  );
}

/**
 * An officer records controls only of declarations it may see, at offices of its own Member State.
 * Checked before anything is written. A declaration the caller may not see is answered as one
 * never lodged, in the writer's own words, and an invalid MRN is left to the writer, as ever: the
 * answer does not tell an unknown MRN from another Member State's.
 */
async function requireControlInScope(loaders: DeclarationsContext['loaders'], caller: Caller, mrn: string, office: string): Promise<void> {
  if (seesAllRows(caller)) return;
  const checked = checkMrn(mrn);
  if (!checked.valid) return;
  const declaration = await loaders.declarationByMrn.load(checked.value);
  if (!declaration) throw unknownDeclaration(checked.value);
  const declaredIn = declaration.memberState ?? memberStateOf(declaration.officeOfPresentation);
  for (const [what, state] of [
    [`the declaration ${checked.value} was lodged in`, declaredIn],
    [`the office ${office} is in`, memberStateOf(office)],
  ] as const) {
    if (!mayWriteForState(caller, state)) {
      throw forbidden(`${what} ${state}; ${describeCaller(caller)} may record controls only of ${caller.memberState ?? 'no Member State'}`, {
        memberState: state,
      });
    }
  }
}

function declarationFilter(filter: DeclarationFilter | null | undefined): Filter {
  const query: Filter = {};
  if (!filter) return query;
  const parties: string[] = [];
  if (filter.importer) parties.push(`IMPORTER:${requireValid('filter.importer', checkEori(filter.importer))}`);
  if (filter.declarant) parties.push(`DECLARANT:${requireValid('filter.declarant', checkEori(filter.declarant))}`);
  // One equality per party (an array field holds each), not `$all`: equalities reach the index.
  if (parties.length) Object.assign(query, allOf(...parties.map((party) => ({ partyIndex: party }))));
  if (filter.commodityCodePrefix) {
    if (!/^\d{2,10}$/.test(filter.commodityCodePrefix)) throw badUserInput('filter.commodityCodePrefix', 'must be 2 to 10 digits');
    query.commodityCodes = { $regex: `^${filter.commodityCodePrefix}` };
  }
  if (filter.originCountry) query.originCountries = requireValid('filter.originCountry', checkCountryCode(filter.originCountry));
  if (filter.office) query.officeOfPresentation = filter.office;
  const range = dateRange('filter.accepted', filter.acceptedFrom, filter.acceptedTo);
  if (range) query.acceptanceDate = range;
  return query;
}

function entrySummaryFilter(filter: EntrySummaryDeclarationFilter | null | undefined): Filter {
  const query: Filter = {};
  if (!filter) return query;
  if (filter.filingType) query.filingType = filter.filingType;
  if (filter.officeOfFirstEntry) query.officeOfFirstEntry = filter.officeOfFirstEntry;
  if (filter.party) {
    const eori = requireValid('filter.party', checkEori(filter.party));
    query.partyIndex = { $in: ['CARRIER', 'CONSIGNOR', 'CONSIGNEE', 'NOTIFY_PARTY'].map((role) => `${role}:${eori}`) };
  }
  const arrival: Filter = {};
  if (filter.arrivingFrom) arrival.$gte = filter.arrivingFrom;
  if (filter.arrivingTo) arrival.$lte = filter.arrivingTo;
  if (Object.keys(arrival).length) query.expectedArrival = arrival;
  return query;
}

function controlResultFilter(filter: ControlResultFilter | null | undefined): Filter {
  const query: Filter = {};
  if (!filter) return query;
  if (filter.mrn) query.mrn = requireValid('filter.mrn', checkMrn(filter.mrn));
  if (filter.lane) query.lane = filter.lane;
  if (filter.outcome) query.outcome = filter.outcome;
  if (filter.office) query.office = filter.office;
  const range = dateRange('filter', filter.from, filter.to);
  if (range) query.date = range;
  return query;
}

function dateRange(field: string, from: string | null | undefined, to: string | null | undefined): Filter | undefined {
  const range: Filter = {};
  if (from) range.$gte = requireDate(`${field}From`, from);
  if (to) range.$lte = requireDate(`${field}To`, to);
  return Object.keys(range).length ? range : undefined;
}
