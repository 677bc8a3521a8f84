// What security costs at the gateway: throughput on the Trader360 contract operation through
//   - a bare gateway: @apollo/gateway in Apollo Server and nothing else (no token checked, no
//     limits, no field rules, no audit), sending one service identity on to the subgraphs;
//   - the platform's gateway with authentication, limits and field rules, without the audit trail;
//   - the platform's gateway with all of it, the audit trail included,
// over the same subgraphs, in alternating rounds, and whether every audited request left its entry.
// The subgraphs check the gateway's token and scope rows in every mode: that cost is in all three.
//
//   npx tsx bench/security.ts [--connections 16] [--duration 10] [--rounds 3] [--declarations 2000]
//
// One platform in this process (every subgraph, the gateway), two more gateways over the same
// subgraphs, and autocannon as the client; the engine runs apart.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApolloGateway, RemoteGraphQLDataSource } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import autocannon, { type Result } from 'autocannon';
import { supergraphForGateway } from '../gateway/authorization';
import { startGateway } from '../gateway/server';
import { SUPERGRAPH_PATH } from '../gateway/supergraph';
import { startInProcessPlatform, type InProcessPlatform } from '../scripts/in-process-platform';
import { KCS_TRAIN, seedDemoData } from '../scripts/seed';
import { ROLE_SCOPES, type Caller } from '../subgraphs/kit/auth/roles';
import { signGatewayToken } from '../subgraphs/kit/auth/tokens';
import { CONTRACT_VARIABLES } from '../test/support/demo-identifiers';
import type { CryptoKey } from 'jose';
import { formatCount, formatLatency, formatRatio, numberFlag, printTable, startBenchDatabase } from './support';

const connections = numberFlag('connections', 16);
const durationSeconds = numberFlag('duration', 10);
const rounds = numberFlag('rounds', 3);
const declarationRows = numberFlag('declarations', 2_000);

const TRADER360 = readFileSync(new URL('../schema/operations/Trader360.graphql', import.meta.url), 'utf8');
const CALLER: Caller = { id: 'bench-security', role: 'service', scopes: ROLE_SCOPES.service };
const MODES = ['bare', 'secured', 'audited'] as const;
type Mode = (typeof MODES)[number];
const LABELS: Record<Mode, string> = {
  bare: 'bare gateway (baseline)',
  secured: 'tokens, limits, field rules',
  audited: 'tokens, limits, field rules, audit',
};

/** The baseline: the same gateway library and supergraph, with nothing of the platform's security. */
async function startBareGateway(subgraphUrls: Record<string, string>, signingKey: CryptoKey): Promise<{ graphqlUrl: string; stop(): Promise<void> }> {
  // Subgraphs answer only gateway tokens, which live a minute: sign one every 30 s, not per request.
  let token = await signGatewayToken(CALLER, signingKey);
  const renew = setInterval(() => void signGatewayToken(CALLER, signingKey).then((fresh) => (token = fresh)), 30_000);
  const gateway = new ApolloGateway({
    supergraphSdl: supergraphForGateway(readFileSync(SUPERGRAPH_PATH, 'utf8')),
    buildService: ({ name }) =>
      new (class extends RemoteGraphQLDataSource {
        override willSendRequest({ request }: Parameters<NonNullable<RemoteGraphQLDataSource['willSendRequest']>>[0]) {
          request.http?.headers.set('authorization', `Bearer ${token}`);
        }
      })({ url: subgraphUrls[name] }),
  });
  const server = new ApolloServer({ gateway });
  const { url } = await startStandaloneServer(server, { listen: { port: 0, host: '127.0.0.1' } });
  return {
    graphqlUrl: url,
    async stop() {
      clearInterval(renew);
      await server.stop();
    },
  };
}

/** Trader360 for each EORI in turn, so the answers are not one cached document. */
async function run(gateway: { graphqlUrl: string }, token: string, eoris: readonly string[]): Promise<Result> {
  let next = 0;
  return autocannon({
    url: gateway.graphqlUrl,
    connections,
    duration: durationSeconds,
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    requests: [
      {
        setupRequest: (request) => ({
          ...request,
          body: JSON.stringify({ query: TRADER360, operationName: 'Trader360', variables: { eori: eoris[next++ % eoris.length] } }),
        }),
      },
    ],
  });
}

const database = await startBenchDatabase();
const scratch = mkdtempSync(join(tmpdir(), 'customs-bench-security-'));
let platform: InProcessPlatform | undefined;
const stops: (() => Promise<void>)[] = [];
try {
  platform = await startInProcessPlatform({ uri: database.uri, databaseName: database.dbName });
  const kcsFile = join(scratch, 'train-subset.csv');
  const lines = readFileSync(KCS_TRAIN, 'utf8').trimEnd().split('\n');
  writeFileSync(kcsFile, `${lines.slice(0, declarationRows + 1).join('\n')}\n`);
  await seedDemoData({ urls: platform.subgraphUrls, token: platform.trust.serviceToken, kcsFile, log: (line) => process.stderr.write(`${line}\n`) });
  const unaudited = await startGateway({ port: 0, subgraphUrls: platform.subgraphUrls, trust: platform.trust, audit: false });
  stops.push(() => unaudited.stop());
  const bare = await startBareGateway(platform.subgraphUrls, platform.trust.gatewaySigningKey);
  stops.push(() => bare.stop());

  const operators = await platform.aeo.models.operators.find({}, { _id: 1 }).limit(200).lean<{ _id: string }[]>().exec();
  const eoris = [String(CONTRACT_VARIABLES.Trader360!.eori), ...operators.map((operator) => operator._id)];
  const token = await platform.trust.localIssuer.issue(CALLER, '1h');
  const gateways: Record<Mode, { graphqlUrl: string }> = { bare, secured: unaudited, audited: platform.gateway };

  console.log(
    `Security benchmark: Trader360 over ${eoris.length} EORIs, ${connections} connections, ${rounds} rounds of ${durationSeconds} s per mode ` +
      `(alternating, after a warm-up of each), ${declarationRows.toLocaleString('en')} declarations, on ${database.description}`,
  );
  // Warm-up; what the audited gateway answers then counts towards the entries it must store.
  await run(gateways.bare, token, eoris);
  await run(gateways.secured, token, eoris);
  let answeredWithAudit = (await run(gateways.audited, token, eoris)).requests.total;
  const results: Record<Mode, Result[]> = { bare: [], secured: [], audited: [] };
  for (let round = 0; round < rounds; round++) {
    // Each round in another order, so no mode always runs first (or last) on a warming machine.
    const order = MODES.map((_, i) => MODES[(i + round) % MODES.length]!);
    for (const mode of order) {
      const result = await run(gateways[mode], token, eoris);
      results[mode].push(result);
      if (mode === 'audited') answeredWithAudit += result.requests.total;
      process.stderr.write(`  round ${round + 1}, ${LABELS[mode]}: ${formatCount(result.requests.average)} requests/s\n`);
    }
  }

  // Every request the audited gateway answered must have its entry.
  await platform.gateway.flushAudit();
  const stored = await platform.audit.models.entries.countDocuments({ subject: CALLER.id });

  const sum = (list: Result[], pick: (result: Result) => number) => list.reduce((total, result) => total + pick(result), 0);
  const rate = (list: Result[]) => sum(list, (result) => result['2xx']) / sum(list, (result) => result.duration);
  const row = (mode: Mode) => {
    const list = results[mode];
    return [
      LABELS[mode],
      formatCount(sum(list, (result) => result['2xx'])),
      formatCount(sum(list, (result) => result.non2xx + result.errors)),
      formatCount(rate(list)),
      formatLatency(sum(list, (result) => result.latency.p50) / list.length),
      formatLatency(sum(list, (result) => result.latency.p99) / list.length),
      formatRatio(rate(list) / rate(results.bare)),
    ];
  };
  console.log('');
  printTable(['gateway', 'answered', 'errors', 'requests/s', 'p50', 'p99', 'ratio'], MODES.map(row));
  console.log(
    `\nratio = requests/s ÷ the bare gateway's: security at the gateway costs ${formatRatio(rate(results.audited) / rate(results.bare))} with the audit trail, ` +
      `${formatRatio(rate(results.secured) / rate(results.bare))} without it; the trail alone ${formatRatio(rate(results.audited) / rate(results.secured))} ` +
      `(its goal: no more than 10% slower, 0.90× or more).` +
      `\naudit entries stored: ${formatCount(stored)} for the ${formatCount(answeredWithAudit)} requests autocannon saw answered by the audited gateway, warm-up included` +
      ` (${stored >= answeredWithAudit ? 'none lost' : `${formatCount(answeredWithAudit - stored)} MISSING`}; a few more where requests were in flight when a run ended).`,
  );
} finally {
  for (const stop of stops) await stop().catch((error: unknown) => console.error('stopping:', error));
  await platform?.stop().catch((error: unknown) => console.error('stopping:', error));
  await database.stop();
  rmSync(scratch, { recursive: true, force: true });
}
