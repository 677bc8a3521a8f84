import { GraphQLError } from 'graphql';
import { hasScope } from '../kit/auth/roles';
import { badUserInput } from '../kit/errors';
import { checkEori, checkMrn } from '../kit/identifiers';
import { requireText, requireValid } from '../kit/input';
import { paginate, type Connection, type PageArgs } from '../kit/pagination';
import { DateTimeScalar } from '../kit/scalars';
import type { AuditFilter, Resolvers } from './__generated__/resolvers-types';
import type { AuditEntryDoc, AuditKeyDoc, AuditModels } from './models';

export const resolvers: Resolvers = {
  DateTime: DateTimeScalar,

  Query: {
    auditTrail: (_, { filter, first, after }, { models, caller }) => {
      // The gateway checks @requiresScopes too; the trail never relies on that alone.
      if (!hasScope(caller, 'audit:read'))
        throw new GraphQLError('The audit trail is for the data protection officer (scope audit:read)', { extensions: { code: 'FORBIDDEN' } });
      return trail(models, filter, { first, after });
    },
  },

  AuditEntry: {
    id: (entry) => entry._id,
  },
};

const NEWEST_FIRST = [{ field: 'at', direction: -1 }] as const;

/** A page of entries: by the key index when a trader or declaration is asked for, else by time. */
async function trail(models: AuditModels, filter: AuditFilter | null | undefined, args: PageArgs): Promise<Connection<AuditEntryDoc>> {
  const query = trailFilter(filter);
  const eori = filter?.eori ? requireValid('filter.eori', checkEori(filter.eori)) : undefined;
  const mrn = filter?.mrn ? requireValid('filter.mrn', checkMrn(filter.mrn)) : undefined;
  if (!eori && !mrn) return paginate<AuditEntryDoc>(models.entries, query, args, NEWEST_FIRST);
  const byKey: Record<string, unknown> = { ...query, identifier: (eori ?? mrn)! };
  // Both: the entries that name the MRN, among those that name the EORI.
  if (eori && mrn) byKey.entry = { $in: await models.keys.distinct('entry', { identifier: mrn }) };
  const page = await paginate<AuditKeyDoc>(models.keys, byKey, args, NEWEST_FIRST);
  const ids = page.edges.map(({ node }) => node.entry);
  const entries = new Map(
    (
      await models.entries
        .find({ _id: { $in: ids } })
        .lean<AuditEntryDoc[]>()
        .exec()
    ).map((entry) => [entry._id, entry]),
  );
  return { ...page, edges: page.edges.flatMap(({ node, cursor }) => (entries.has(node.entry) ? [{ node: entries.get(node.entry)!, cursor }] : [])) };
}

function trailFilter(filter: AuditFilter | null | undefined): Record<string, unknown> {
  const query: Record<string, unknown> = {};
  if (!filter) return query;
  if (filter.subject !== undefined && filter.subject !== null) query.subject = requireText('filter.subject', filter.subject, 200);
  // DateTime values arrive checked and in UTC (…Z), so they compare with `at` as text.
  const period: Record<string, string> = {};
  if (filter.from) period.$gte = filter.from;
  if (filter.to) period.$lt = filter.to;
  if (filter.from && filter.to && filter.from >= filter.to) throw badUserInput('filter.to', `must be later than filter.from (${filter.from})`);
  if (Object.keys(period).length > 0) query.at = period;
  return query;
}
