// Bootstraps one subgraph: its database, its schema, Apollo Server on plain HTTP, and shutdown.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import type { Connection } from 'mongoose';
import { parse, type GraphQLFormattedError } from 'graphql';
import { unwrapResolverError } from '@apollo/server/errors';
import { callerFromGateway, unauthenticated } from './auth/requests';
import { enforceSchemaRequirements } from './auth/schema-rules';
import { trustFromEnv, type Trust } from './auth/trust';
import type { Caller, SubgraphContext } from './context';
import { connectDatabase, type DatabaseOptions, type SubgraphDatabase } from './database';
import { asRequestAbandoned } from './database-deadline';
import { createRequestHandler, listen, onShutdownSignal, type Route } from './http';
import { ingestRoute, type IngestHandler } from './ingest';
import { jobsRoute, type Job } from './jobs';
import { trackOperations } from './operations-in-flight';
import { requestTimeoutFromEnv } from './request-deadline';
import { timedRequests, timingPlugin } from './timing';

export interface SubgraphDefinition<TModels, TLoaders> {
  /** Also its name in the supergraph and the suffix of its database. */
  name: string;
  defaultPort: number;
  /** Absolute path of the subgraph's SDL, the source of truth for its schema. */
  schemaPath: string;
  resolvers: object;
  createModels(connection: Connection): TModels;
  /** Loaders see who asks: rows a caller may not see are never loaded. */
  createLoaders(models: TModels, caller: Caller): TLoaders;
  /** Creates indexes and anything else the models need before the first request. */
  prepare?(models: TModels): Promise<void>;
  /** How the subgraph takes records in bulk (kit/ingest.ts), if it does. */
  ingest?(models: TModels): IngestHandler;
  /** Long jobs tools can ask it to run (kit/jobs.ts), by name. */
  jobs?(models: TModels): Record<string, Job>;
  /** Endpoints of its own beside /graphql (the audit subgraph's POST /audit), tried before it. */
  routes?(models: TModels, trust: StartSubgraphOptions['trust']): Route[];
  /** Work it does on its own while it runs (the indicators' change-feed follower): started once it listens, stopped before its database closes. */
  background?(models: TModels): BackgroundWork;
}

/** A subgraph's own background work: its status shows in /readyz (it never makes the subgraph unready). */
export interface BackgroundWork {
  status(): Record<string, unknown>;
  stop(): Promise<void>;
}

export interface StartSubgraphOptions {
  port?: number;
  host?: string;
  database?: DatabaseOptions;
  /** Whom it trusts: the gateway's key, and the issuer of the service tokens /ingest and /jobs take. */
  trust: Pick<Trust, 'gatewayPublicKey' | 'identity'>;
  /** The longest it works on one GraphQL request; default REQUEST_TIMEOUT_MS, else 30 s. */
  timeoutMs?: number;
}

export interface RunningSubgraph<TModels> {
  name: string;
  /** The GraphQL endpoint. */
  url: string;
  models: TModels;
  database: SubgraphDatabase;
  stop(): Promise<void>;
}

export function loadTypeDefs(schemaPath: string) {
  return parse(readFileSync(schemaPath, 'utf8'));
}

export async function startSubgraph<TModels, TLoaders>(
  definition: SubgraphDefinition<TModels, TLoaders>,
  options: StartSubgraphOptions,
): Promise<RunningSubgraph<TModels>> {
  type Context = SubgraphContext<TModels, TLoaders>;
  const database = await connectDatabase(definition.name, options.database);
  const models = definition.createModels(database.connection);
  await definition.prepare?.(models);

  // The schema's @requiresScopes and @policy are checked here too, not only at the gateway.
  const schema = enforceSchemaRequirements(
    buildSubgraphSchema([{ typeDefs: loadTypeDefs(definition.schemaPath), resolvers: definition.resolvers as GraphQLResolverMap<Context> }]),
  );
  const httpServer = createServer();
  // Started once it listens; /readyz may be asked before.
  const started: { background?: BackgroundWork } = {};
  const operations = trackOperations<Context>();
  const timeoutMs = options.timeoutMs ?? requestTimeoutFromEnv(30_000);
  const apollo = new ApolloServer<Context>({
    schema,
    plugins: [
      ApolloServerPluginInlineTraceDisabled(),
      // On stop: no new connections; answers in flight get 5 s before their connections are closed.
      ApolloServerPluginDrainHttpServer({ httpServer, stopGracePeriodMillis: 5_000 }),
      operations.plugin,
      // The gateway's traces: a request that asks is answered with what it cost (timing.ts).
      timingPlugin(),
    ],
    // Stack traces hold file paths: only in development.
    includeStacktraceInErrorResponses: process.env.NODE_ENV === 'development',
    formatError: namingAbandonedRequests,
  });
  await apollo.start();

  httpServer.on(
    'request',
    timedRequests(
      createRequestHandler<Context>({
        apollo,
        context: async (req) => {
          const caller = await callerFromGateway(req, options.trust).catch((error: unknown) => {
            throw unauthenticated(error);
          });
          return { caller, models, loaders: definition.createLoaders(models, caller) };
        },
        ready: async () => {
          const state = await database.state();
          return { ready: state === 'connected', subgraph: definition.name, database: state, ...started.background?.status() };
        },
        timeoutMs,
        service: definition.name,
        counters: () => ({ database_commands_total: { help: 'Database commands sent that read or write data.', value: database.commands.total } }),
        routes: [
          ...(definition.ingest ? [ingestRoute(definition.ingest(models), options.trust)] : []),
          ...(definition.jobs ? [jobsRoute(definition.jobs(models), options.trust)] : []),
          ...(definition.routes?.(models, options.trust) ?? []),
        ],
      }),
    ),
  );
  const running = await listen(httpServer, options.port ?? definition.defaultPort, options.host ?? '127.0.0.1');
  started.background = definition.background?.(models);

  return {
    name: definition.name,
    url: `${running.url}/graphql`,
    models,
    database,
    async stop() {
      await started.background?.stop();
      await apollo.stop();
      await operations.settled(timeoutMs);
      await database.close();
    },
  };
}

/** The start file of a subgraph: configuration from the environment, logs, and graceful shutdown. */
export async function runSubgraph<TModels, TLoaders>(definition: SubgraphDefinition<TModels, TLoaders>, trust?: Trust): Promise<void> {
  const prefix = definition.name.toUpperCase();
  const port = Number(process.env[`${prefix}_PORT`] ?? definition.defaultPort);
  const host = process.env[`${prefix}_HOST`] ?? process.env.HOST ?? '127.0.0.1';
  const subgraph = await startSubgraph(definition, { port, host, trust: trust ?? (await trustFromEnv()) });
  console.log(`${definition.name} subgraph ready at ${subgraph.url} (database ${subgraph.database.connection.name})`);
  onShutdownSignal(async () => {
    console.log(`${definition.name} subgraph stopping: taking no new requests, finishing those in flight`);
    await subgraph.stop();
    console.log(`${definition.name} subgraph stopped`);
  });
}

/** A request stopped because it was abandoned says so (DEADLINE_EXCEEDED), not INTERNAL_SERVER_ERROR. */
function namingAbandonedRequests(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const abandoned = asRequestAbandoned(unwrapResolverError(error));
  return abandoned ? { ...formatted, message: abandoned.message, extensions: { ...formatted.extensions, ...abandoned.extensions } } : formatted;
}
