import { checkEori } from '../kit/identifiers';
import { requirePattern, requireText, requireValid } from '../kit/input';
import { badUserInput } from '../kit/errors';
import { checkPartnerIdentifier } from './programmes';
import { allOf, paginate } from '../kit/pagination';
import { describeCaller, forbidden, mayWriteForState, memberStateOf, seesAllRows } from '../kit/auth/rows';
import type { Caller } from '../kit/auth/roles';
import { DateScalar, today } from '../kit/scalars';
import type { PartnerOperatorFilter, Resolvers } from './__generated__/resolvers-types';
import { partnerKey, type PartnerOperatorDoc } from './models';
import { inForce, matchingLane, recognitionsOf } from './recognition';
import { registerLane, setConsent, setLaneStatus, writePartnerTrader } from './writes';

export const resolvers: Resolvers = {
  Date: DateScalar,

  Query: {
    mraProgramme: async (_, { code }, { loaders }) => {
      requirePattern('code', code, /^[A-Z]{2}-[A-Z0-9]{2,10}$/, 'a programme code: the partner country and the programme, such as CN-AEO');
      return (await loaders.programmes()).find((programme) => programme._id === code) ?? null;
    },
    mraProgrammes: (_, __, { loaders }) => loaders.programmes(),
    partnerOperator: async (_, { programme, identifier }, { loaders }) => {
      // Validated against every programme; another programme's trader is then simply absent.
      const programmes = await loaders.knownProgrammes();
      const known = programmes.find((candidate) => candidate._id === programme);
      if (!known) throw badUserInput('programme', `no programme ${programme}; known: ${programmes.map((candidate) => candidate._id).join(', ')}`);
      requireValid('identifier', checkPartnerIdentifier({ ...known, code: known._id }, identifier));
      return loaders.partnerByKey.load(partnerKey(programme, identifier));
    },
    partnerOperators: (_, { filter, first, after }, { models, loaders }) =>
      paginate<PartnerOperatorDoc>(models.partners, allOf(partnerFilter(filter), loaders.visiblePartners()), { first, after }),
    tradeLane: async (_, { code }, { loaders }) => {
      requireText('code', code, 40);
      return (await loaders.lanes()).find((lane) => lane._id === code) ?? null;
    },
    tradeLanes: async (_, { status }, { loaders }) => (await loaders.lanes()).filter((lane) => !status || lane.status === status),
  },

  Mutation: {
    grantDataExchangeConsent: async (_, { input }, { models, caller }) => {
      requireConsentWritable(caller, input.eori);
      return (await setConsent(models, input, true)).consent;
    },
    withdrawDataExchangeConsent: async (_, { input }, { models, caller }) => {
      requireConsentWritable(caller, input.eori);
      return (await setConsent(models, input, false)).consent;
    },
    recordPartnerOperator: async (_, { input }, { models, loaders, caller }) => {
      // A partner administration keeps its own programme's list, and nobody else's.
      if (caller.programme && caller.programme !== input.programme)
        throw forbidden(`${describeCaller(caller)} may record traders of ${caller.programme} only, not of ${input.programme}`, { field: 'programme' });
      const programmes = (await loaders.knownProgrammes()).map(({ _id, ...programme }) => ({ ...programme, code: _id }));
      await writePartnerTrader(models, programmes, { kind: 'partnerTrader', ...input });
      const identifier = requireValid(
        'identifier',
        checkPartnerIdentifier(
          programmes.find((p) => p.code === input.programme)!,
          input.identifier,
        ),
      );
      return (await models.partners.findById(partnerKey(input.programme, identifier)).lean<PartnerOperatorDoc>().exec())!;
    },
    registerTradeLane: async (_, { input }, { models, caller }) => {
      requireLanesWritable(caller, input.code);
      return (await registerLane(models, { ...input, status: input.status ?? 'ACTIVE' })).lane;
    },
    setTradeLaneStatus: (_, { code, status }, { models, caller }) => {
      requireLanesWritable(caller, code);
      return setLaneStatus(models, code, status);
    },
  },

  MraProgramme: {
    __resolveReference: async ({ code }, { loaders }) => (await loaders.programmes()).find((programme) => programme._id === code) ?? null,
    code: (programme) => programme._id,
    inForce: (programme) => inForce(programme, today()),
  },

  EconomicOperator: {
    __resolveReference: (reference) => reference,
    mutualRecognitions: async (operator, _, { loaders }) => {
      const [consent, partnerEntries, programmes] = await Promise.all([
        loaders.consentByEori.load(operator.eori),
        loaders.partnersByEori.load(operator.eori),
        loaders.programmes(),
      ]);
      // The loaders hold only the partner's programme; of an EU operator, a partner learns nothing without its consent.
      if (loaders.reach.kind === 'programme' && partnerEntries.length === 0 && !consent?.granted) return [];
      return recognitionsOf(operator.aeoAuthorisations ?? [], consent, partnerEntries, programmes, today());
    },
    dataExchangeConsent: (operator, _, { loaders }) => loaders.consentByEori.load(operator.eori),
  },

  PartnerOperator: {
    __resolveReference: ({ programme, identifier }, { loaders }) => loaders.partnerByKey.load(partnerKey(programme, identifier)),
    mraProgramme: async (partner, _, { loaders }) => (await loaders.programmes()).find((programme) => programme._id === partner.programme)!,
    operator: (partner) => (partner.eori ? { eori: partner.eori } : null),
  },

  TradeLane: {
    __resolveReference: async ({ code }, { loaders }) => (await loaders.lanes()).find((lane) => lane._id === code) ?? null,
    code: (lane) => lane._id,
    operators: (lane) => lane.operators.map((eori) => ({ eori })),
  },

  EntrySummaryDeclaration: {
    tradeLane: async (filing, _, { loaders }) =>
      matchingLane(await loaders.lanes(), { transportMode: filing.transportMode ?? null, routes: filing.routes ?? [], partyEoris: filing.partyEoris ?? [] }),
  },
};

function partnerFilter(filter: PartnerOperatorFilter | null | undefined): Record<string, unknown> {
  const query: Record<string, unknown> = {};
  if (filter?.programme) query.programme = filter.programme;
  if (filter?.status) query.status = filter.status;
  if (filter?.eori) query.eori = requireValid('filter.eori', checkEori(filter.eori));
  return query;
}

/** An auditor records consent for the operators established in its Member State (the EORI's prefix). */
function requireConsentWritable(caller: Caller, eori: string): void {
  const state = memberStateOf(eori);
  if (mayWriteForState(caller, state)) return;
  throw forbidden(
    `the operator ${eori} is established in ${state}; ${describeCaller(caller)} may record consent only for ${caller.memberState ?? 'no Member State'}'s`,
    {
      memberState: state,
    },
  );
}

/** Trade lanes are EU-wide arrangements: no Member State's or partner's to change. */
function requireLanesWritable(caller: Caller, code: string): void {
  if (seesAllRows(caller)) return;
  throw forbidden(`the trade lane ${code} is EU-wide; ${describeCaller(caller)} may not change trade lanes`, { code });
}
