import { requireValid } from '../kit/input';
import { checkAeoAuthorisationNumber, checkCountryCode, checkEori } from '../kit/identifiers';
import { allOf, paginate } from '../kit/pagination';
import { DateScalar } from '../kit/scalars';
import type { EconomicOperatorFilter, Resolvers } from './__generated__/resolvers-types';
import type { OperatorDoc } from './models';
import { changeStatus, grantAuthorisation, registerOperator } from './writes';

export const resolvers: Resolvers = {
  Date: DateScalar,

  Query: {
    economicOperator: (_, { eori }, { loaders }) => loaders.operatorByEori.load(requireValid('eori', checkEori(eori))),
    economicOperators: async (_, { filter, first, after }, { models, loaders }) => {
      const page = await paginate<OperatorDoc>(models.operators, allOf(operatorFilter(filter), loaders.visible()), { first, after });
      // Later lookups of these operators in the same request (an authorisation's holder) cost nothing.
      for (const { node } of page.edges) loaders.operatorByEori.prime(node._id, node);
      return page;
    },
    aeoAuthorisation: (_, { number }, { loaders }) => loaders.authorisationByNumber.load(requireValid('number', checkAeoAuthorisationNumber(number))),
  },

  Mutation: {
    registerEconomicOperator: (_, { input }, { models, caller }) => registerOperator(models, input, caller),
    grantAeoAuthorisation: (_, { input }, { models, caller }) => grantAuthorisation(models, input, caller),
    suspendAeoAuthorisation: (_, { input }, { models, caller }) => changeStatus(models, 'suspend', input, caller),
    reinstateAeoAuthorisation: (_, { input }, { models, caller }) => changeStatus(models, 'reinstate', input, caller),
    revokeAeoAuthorisation: (_, { input }, { models, caller }) => changeStatus(models, 'revoke', input, caller),
    annulAeoAuthorisation: (_, { input }, { models, caller }) => changeStatus(models, 'annul', input, caller),
  },

  EconomicOperator: {
    // Other subgraphs may hold EORIs this registry has never seen: those resolve to null.
    __resolveReference: ({ eori }, { loaders }) => loaders.operatorByEori.load(eori),
    eori: (operator) => operator._id,
    aeoAuthorisations: (operator, _, { loaders }) => loaders.authorisationsByHolder.load(operator._id),
  },

  AeoAuthorisation: {
    __resolveReference: ({ number }, { loaders }) => loaders.authorisationByNumber.load(number),
    number: (authorisation) => authorisation._id,
    holder: async (authorisation, _, { loaders }) => {
      const holder = await loaders.operatorByEori.load(authorisation.holder);
      if (!holder) throw new Error(`Authorisation ${authorisation._id} names holder ${authorisation.holder}, who is not registered`);
      return holder;
    },
    statusHistory: (authorisation) => authorisation.history,
  },
};

function operatorFilter(filter: EconomicOperatorFilter | null | undefined): Record<string, unknown> {
  const query: Record<string, unknown> = {};
  if (!filter) return query;
  if (filter.country) query.country = requireValid('filter.country', checkCountryCode(filter.country));
  const tag = [filter.aeoType, filter.aeoStatus].filter(Boolean).join(':');
  if (tag) query.aeoTags = tag;
  if (filter.namePrefix) query.name = { $regex: `^${escapeRegex(filter.namePrefix)}` };
  return query;
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
