import { GraphQLError } from 'graphql';
import { hasScope, type Caller } from '../kit/auth/roles';
import type { Resolvers } from './__generated__/resolvers-types';
import { tradeFlows } from './flows';
import { performanceIndicators } from './indicators';

/** The gateway checks @requiresScopes too; the indicators never rely on that alone. */
function requireIndicators(caller: Caller): void {
  if (!hasScope(caller, 'indicators:read'))
    throw new GraphQLError('The performance indicators need the scope indicators:read', { extensions: { code: 'FORBIDDEN' } });
}

export const resolvers: Resolvers = {
  Query: {
    performanceIndicators: (_, args, { models, caller }) => {
      requireIndicators(caller);
      return performanceIndicators(models, caller, args);
    },
    tradeFlows: (_, args, { models, caller }) => {
      requireIndicators(caller);
      return tradeFlows(models, caller, args);
    },
  },
};
