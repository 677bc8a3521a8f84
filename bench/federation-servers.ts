// The three servers bench/federation.ts loads, each a process of its own over the same subgraph
// processes (or, for the monolith, the same databases): the platform's gateway is the rig's own;
// the monolith and Hive Gateway are started here, supervised and stopped by the rig.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { Kind, parse, print, visit, type ArgumentNode } from 'graphql';
import { supergraphForGateway } from '../gateway/authorization';
import { SUPERGRAPH_PATH } from '../gateway/supergraph';
import type { Caller } from '../subgraphs/kit/auth/roles';
import { signGatewayToken } from '../subgraphs/kit/auth/tokens';
import { SUBGRAPHS } from '../subgraphs/registry';
import { freePort, type FaultRig } from './fault-rig';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const HIVE_GATEWAY_BIN = join(ROOT, 'node_modules', '.bin', 'hive-gateway');
const HIVE_GATEWAY_CONFIG = fileURLToPath(new URL('./federation-hive.config.ts', import.meta.url));

export type ServerName = 'platform gateway' | 'monolith' | 'Hive Gateway';

export interface Server {
  name: ServerName;
  graphqlUrl: string;
  /** The Authorization header for the next run: made fresh each time, as gateway tokens last a minute. */
  authorization(): Promise<string>;
}

/** The platform's gateway (gateway/index.ts) and the monolith take the caller's identity token. */
export async function platformGateway(rig: FaultRig, caller: Caller): Promise<Server> {
  const token = await rig.issuer.issue(caller, '2h');
  return { name: 'platform gateway', graphqlUrl: rig.graphqlUrl, authorization: async () => `Bearer ${token}` };
}

export async function startMonolith(rig: FaultRig, caller: Caller): Promise<Server> {
  const port = await freePort();
  rig.startProcess('monolith', ['--import', 'tsx', 'bench/federation-monolith.ts'], {
    GATEWAY_PORT: String(port),
    ...Object.fromEntries(SUBGRAPHS.map((entry) => [`SUBGRAPH_${entry.name.toUpperCase()}_URL`, rig.subgraphUrls[entry.name]])),
  });
  const origin = `http://127.0.0.1:${port}`;
  await untilAnswers(new URL('/healthz', origin));
  const token = await rig.issuer.issue(caller, '2h');
  return { name: 'monolith', graphqlUrl: `${origin}/graphql`, authorization: async () => `Bearer ${token}` };
}

/**
 * Hive Gateway's CLI on the supergraph as our gateway loads it, with each subgraph's URL that of
 * its process. The client sends it a gateway token for the caller, which it passes on (the config).
 */
export async function startHiveGateway(rig: FaultRig, caller: Caller, scratch: string): Promise<Server> {
  const port = await freePort();
  const supergraphFile = join(scratch, 'supergraph.graphql');
  writeFileSync(supergraphFile, supergraphAt(rig.subgraphUrls));
  rig.startProcess('hive-gateway', [
    HIVE_GATEWAY_BIN,
    'supergraph',
    supergraphFile,
    '--config-path',
    HIVE_GATEWAY_CONFIG,
    '--host',
    '127.0.0.1',
    '--port',
    String(port),
  ]);
  const origin = `http://127.0.0.1:${port}`;
  await untilAnswers(new URL('/readiness', origin));
  return {
    name: 'Hive Gateway',
    graphqlUrl: `${origin}/graphql`,
    authorization: async () => `Bearer ${await signGatewayToken(caller, rig.gatewaySigningKey)}`,
  };
}

/** The committed supergraph without its SECURITY link purposes (as @apollo/gateway loads it), each join__graph's url replaced. */
function supergraphAt(urls: Record<string, string>): string {
  const document = visit(parse(supergraphForGateway(readFileSync(SUPERGRAPH_PATH, 'utf8'))), {
    Directive(node) {
      if (node.name.value !== 'join__graph') return undefined;
      const name = node.arguments?.find((arg) => arg.name.value === 'name')?.value;
      const url = name?.kind === Kind.STRING ? urls[name.value] : undefined;
      if (!url) throw new Error(`no subgraph process for the supergraph's ${print(node)}`);
      const withUrl = (arg: ArgumentNode): ArgumentNode => (arg.name.value === 'url' ? { ...arg, value: { kind: Kind.STRING, value: url } } : arg);
      return { ...node, arguments: node.arguments?.map(withUrl) };
    },
  });
  return print(document);
}

async function untilAnswers(url: URL, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if ((await fetch(url, { signal: AbortSignal.timeout(1_000) })).ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${url.origin} did not answer ${url.pathname} within ${timeoutMs / 1000} s`);
    await sleep(250);
  }
}
