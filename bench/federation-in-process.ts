// The monolith's parts (bench/federation-monolith.ts): each subgraph's schema and resolvers
// executed in the gateway's process, and the audit trail stored there too. Each fetch gets the
// context kit/server.ts gives an HTTP request (the caller, the models, loaders made for it), from
// the gateway's context instead of a signed token: no HTTP, no JSON, no token between them.
import type { GraphQLDataSource, GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import { execute, GraphQLError, parse, validate, type DocumentNode, type GraphQLSchema } from 'graphql';
import { createAuditRecorder, type AuditRecorder } from '../gateway/audit';
import { Inflight } from '../gateway/inflight';
import type { GatewayContext } from '../gateway/server';
import type { AuditModels } from '../subgraphs/audit/models';
import { appendEntries, parseEntries } from '../subgraphs/audit/entries';
import { enforceSchemaRequirements } from '../subgraphs/kit/auth/schema-rules';
import type { SubgraphContext } from '../subgraphs/kit/context';
import { connectDatabase } from '../subgraphs/kit/database';
import { loadTypeDefs, type SubgraphDefinition } from '../subgraphs/kit/server';

export interface InProcessSubgraph<TModels> {
  name: string;
  models: TModels;
  source: GraphQLDataSource<GatewayContext>;
  close(): Promise<void>;
}

/** Documents parsed and validated once, as Apollo Server's document cache keeps them; the gateway sends few distinct ones. */
const MAX_CACHED_DOCUMENTS = 1_000;

/**
 * A subgraph on its database (MONGODB_URI, MONGODB_DB_PREFIX, as its own process finds it), with
 * the schema kit/server.ts builds. Its `prepare` is not run: the subgraph's own process, the only
 * writer of its database, has made the indexes and replayed its journal.
 */
export async function connectInProcess<TModels, TLoaders>(definition: SubgraphDefinition<TModels, TLoaders>): Promise<InProcessSubgraph<TModels>> {
  type Context = SubgraphContext<TModels, TLoaders>;
  const database = await connectDatabase(definition.name);
  const models = definition.createModels(database.connection);
  const schema = enforceSchemaRequirements(
    buildSubgraphSchema([{ typeDefs: loadTypeDefs(definition.schemaPath), resolvers: definition.resolvers as GraphQLResolverMap<Context> }]),
  );
  const documents = new Map<string, DocumentNode | readonly GraphQLError[]>();
  const reads = new Inflight<string>();
  const source: GraphQLDataSource<GatewayContext> = {
    async process(options: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<GatewayGraphQLResponse> {
      // Health checks and schema loading have no caller; the gateway, on a static supergraph, sends neither.
      if (!('incomingRequestContext' in options))
        return { errors: [new GraphQLError(`the in-process ${definition.name} subgraph answers operations only, not a ${options.kind}`).toJSON()] };
      const document = documentOf(schema, documents, options.request.query ?? '');
      if (!('kind' in document)) return { errors: document.map((error) => error.toJSON()) };
      const caller = options.context.caller;
      const run = async () => {
        const contextValue: Context = { caller, models, loaders: definition.createLoaders(models, caller) };
        const result = await execute({
          schema,
          document,
          contextValue,
          variableValues: options.request.variables,
          operationName: options.request.operationName,
        });
        return JSON.stringify({
          ...(result.data !== undefined && { data: result.data }),
          ...(result.errors && { errors: result.errors.map((error) => error.toJSON()) }),
        });
      };
      // As the platform gateway does (gateway/inflight.ts): one caller's identical reads in flight run once, each answer parsed on its own.
      const isRead = document.definitions.every((definition) => definition.kind !== 'OperationDefinition' || definition.operation !== 'mutation');
      const key = `${JSON.stringify(caller)}\n${options.request.query}\n${JSON.stringify(options.request.variables ?? {})}`;
      return JSON.parse(isRead ? await reads.share(key, run) : await run()) as GatewayGraphQLResponse;
    },
  };
  return { name: definition.name, models, source, close: () => database.close() };
}

function documentOf(schema: GraphQLSchema, cache: Map<string, DocumentNode | readonly GraphQLError[]>, query: string): DocumentNode | readonly GraphQLError[] {
  const cached = cache.get(query);
  if (cached) return cached;
  let outcome: DocumentNode | readonly GraphQLError[];
  try {
    const document = parse(query);
    const errors = validate(schema, document);
    outcome = errors.length > 0 ? errors : document;
  } catch (error) {
    outcome = [error instanceof GraphQLError ? error : new GraphQLError(String(error))];
  }
  if (cache.size >= MAX_CACHED_DOCUMENTS) cache.clear();
  cache.set(query, outcome);
  return outcome;
}

/**
 * The audit trail stored from the gateway's process: the gateway's own recorder (batches, retries
 * with backoff), whose batches go through what POST /audit does to them (parseEntries,
 * appendEntries) without the request.
 */
export function inProcessAuditRecorder(models: AuditModels, log: (line: string) => void = console.warn): AuditRecorder {
  return createAuditRecorder({
    instanceId: `monolith${Date.now().toString(36)}`,
    log,
    store: async (batch) => {
      try {
        await appendEntries(models, parseEntries({ entries: batch }));
        return 'stored';
      } catch (error) {
        log(`monolith: the audit trail could not be stored (${(error as Error).message}); retrying`);
        return 'retry';
      }
    },
  });
}
