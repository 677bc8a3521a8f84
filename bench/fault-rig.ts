// The platform as `npm start` runs it, for fault injection and load: the embedded engine, every
// subgraph and the gateway as supervised processes of their own (scripts/supervisor.ts), real HTTP
// between them, and demo data. What it adds are handles to break things on purpose (kill -9 a
// subgraph, slow one down behind a proxy, pause the engine), and more processes over the same
// subgraphs and databases (other gateways, for bench/federation.ts).
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import mongoose from 'mongoose';
import { startDatabase, temporaryDataDir, type Database } from '../db/engine';
import { runRiskJob } from '../scripts/risk/services';
import { KCS_TRAIN, seedDemoData } from '../scripts/seed';
import { supervise, type Supervisor } from '../scripts/supervisor';
import { ensureLocalKeys, trustFromEnv, type LocalIssuer } from '../subgraphs/kit/auth/trust';
import { PARENT_LIFELINE } from '../subgraphs/kit/http';
import { SUBGRAPHS } from '../subgraphs/registry';
import { startFaultProxy, type FaultProxy } from '../test/support/fault-proxy';
import type { CryptoKey } from 'jose';
import type { Phase } from './fault-load';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

export interface FaultRigOptions {
  /** Rows of the KCS train split to load as declarations (plus the demo's operators, licences, ENS); all of them, as npm start loads it, when absent. */
  kcsRows?: number;
  /** The subgraph that sits behind a proxy that can slow it down; none when absent: the gateway asks every subgraph directly. */
  slowable?: string;
  /** The gateway's deadline for that subgraph's fetches. */
  slowableTimeoutMs?: number;
  /** Then the risk subgraph's first setup (learn, screen every filing through the gateway), as npm start's first start runs it. */
  riskSetup?: boolean;
  /** Log lines of the rig itself (restarts, readiness); the processes' own lines are kept quiet. */
  log: (line: string) => void;
}

export interface FaultRig {
  graphqlUrl: string;
  /** Subgraph name → the GraphQL URL its process listens on. */
  subgraphUrls: Record<string, string>;
  /** Where the demo data came from: its declarations (with KCS importers) and ENS filings. */
  kcsFile: string;
  issuer: LocalIssuer;
  /** The gateway's key: what the subgraphs take, signed by another gateway over them. */
  gatewaySigningKey: CryptoKey;
  supervisors: Map<string, Supervisor>;
  /** kill -9 of a subgraph's process; its supervisor starts it again. */
  kill(subgraph: string): void;
  /** In front of the slowable subgraph, when there is one. */
  proxy: FaultProxy | undefined;
  /**
   * Another process over the same engine, databases and keys: `node <args>` with the rig's
   * environment and `env`, supervised, and stopped with the gateway, before the subgraphs.
   */
  startProcess(name: string, args: readonly string[], env?: NodeJS.ProcessEnv): Supervisor;
  /** SIGSTOP of the engine for `ms`, then SIGCONT; false when the engine is not this rig's (MONGODB_URI). */
  pauseEngine(ms: number): Promise<boolean>;
  /** Resolves once every subgraph answers /readyz and the gateway /healthz. */
  untilReady(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export async function startFaultRig(options: FaultRigOptions): Promise<FaultRig> {
  const dataDir = temporaryDataDir('customs-faults-');
  const authDir = join(dataDir, 'auth');
  let database: Database | undefined;
  const supervisors = new Map<string, Supervisor>();
  const stopping = new AbortController();
  let proxy: FaultProxy | undefined;
  const prefix = `faults_${randomBytes(4).toString('hex')}`;
  const subgraphNames = new Set(SUBGRAPHS.map((entry) => entry.name));
  let sampleDir: string | undefined;
  // Ctrl-C of a benchmark stops what it started: a child without a lifeline (Hive Gateway) would outlive it.
  const interrupted = () => void stop().finally(() => process.exit(130));
  process.once('SIGINT', interrupted);
  const stop = async () => {
    process.off('SIGINT', interrupted);
    stopping.abort();
    // The gateways first: they may still be answering; then the subgraphs, the engine last.
    const byRole = (subgraph: boolean) => [...supervisors].filter(([name]) => subgraphNames.has(name) === subgraph).map(([, supervisor]) => supervisor.stop());
    await Promise.all(byRole(false));
    await Promise.all(byRole(true));
    await proxy?.close();
    if (database && !database.embedded) await dropDatabases(database.uri, prefix);
    await database?.stop();
    rmSync(dataDir, { recursive: true, force: true });
    if (sampleDir) rmSync(sampleDir, { recursive: true, force: true });
  };
  try {
    database = await startDatabase({ dataDir });
    await ensureLocalKeys(authDir);
    const { localIssuer, serviceToken, gatewaySigningKey } = await trustFromEnv({ gateway: true }, { ...process.env, AUTH_DIR: authDir });
    if (!localIssuer || !serviceToken) throw new Error('the rig signs its own tokens: its local issuer and service token are missing');
    const ports = Object.fromEntries(
      await Promise.all([...SUBGRAPHS.map((entry) => entry.name), 'gateway'].map(async (name) => [name, await freePort()] as const)),
    );
    const subgraphUrls = Object.fromEntries(SUBGRAPHS.map((entry) => [entry.name, `http://127.0.0.1:${ports[entry.name]}/graphql`]));
    const gatewayUrl = `http://127.0.0.1:${ports.gateway}/graphql`;
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      MONGODB_URI: database.uri,
      // On a server of MONGODB_URI, this run's databases are its own, and dropped at the end.
      MONGODB_DB_PREFIX: prefix,
      AUTH_DIR: authDir,
      RISK_GATEWAY_URL: gatewayUrl,
      GATEWAY_PORT: String(ports.gateway),
      ...(options.slowable &&
        options.slowableTimeoutMs !== undefined && { [`SUBGRAPH_${options.slowable.toUpperCase()}_TIMEOUT_MS`]: String(options.slowableTimeoutMs) }),
      ...Object.fromEntries(SUBGRAPHS.map((entry) => [`${entry.name.toUpperCase()}_PORT`, String(ports[entry.name])])),
      [PARENT_LIFELINE]: 'stdin',
    };
    const startProcess = (name: string, args: readonly string[], extraEnv: NodeJS.ProcessEnv = {}) => {
      const supervisor = supervise({
        name,
        command: process.execPath,
        args,
        spawnOptions: { cwd: ROOT, env: { ...env, ...extraEnv }, stdio: ['pipe', 'pipe', 'pipe'] },
        onSpawn: quiet,
        log: options.log,
        signal: stopping.signal,
      });
      supervisors.set(name, supervisor);
      return supervisor;
    };
    const run = (name: string, entry: string, extraEnv: NodeJS.ProcessEnv = {}) => startProcess(name, ['--import', 'tsx', entry], extraEnv);
    for (const entry of SUBGRAPHS) run(entry.name, entry.entry);
    if (options.slowable) proxy = await startFaultProxy(subgraphUrls[options.slowable]!);
    const gatewayEnv = Object.fromEntries(
      SUBGRAPHS.map((entry) => [`SUBGRAPH_${entry.name.toUpperCase()}_URL`, entry.name === options.slowable ? proxy!.url : subgraphUrls[entry.name]]),
    );
    run('gateway', 'gateway/index.ts', gatewayEnv);

    const untilReady = async (timeoutMs = 120_000) => {
      const deadline = Date.now() + timeoutMs;
      const probes = [...Object.values(subgraphUrls).map((url) => new URL('/readyz', url)), new URL('/healthz', gatewayUrl)];
      for (const probe of probes) {
        while (!(await answers(probe))) {
          if (Date.now() > deadline) throw new Error(`${probe.origin} was not ready within ${timeoutMs / 1000} s`);
          await sleep(200);
        }
      }
    };
    await untilReady();

    let kcsFile = KCS_TRAIN;
    if (options.kcsRows !== undefined) {
      sampleDir = mkdtempSync(join(tmpdir(), 'kcs-faults-'));
      kcsFile = join(sampleDir, 'sample.csv');
      const [header, ...rows] = readFileSync(KCS_TRAIN, 'utf8').trimEnd().split('\n');
      writeFileSync(kcsFile, [header, ...rows.slice(0, options.kcsRows)].join('\n') + '\n');
    }
    await seedDemoData({ urls: subgraphUrls, kcsFile, log: () => {}, token: serviceToken });
    if (options.riskSetup)
      await runRiskJob<unknown, { line: string }>(
        'first-setup',
        {},
        {
          callerId: 'fault-rig',
          url: subgraphUrls.risk,
          token: serviceToken,
          onProgress: ({ line }) => options.log(`risk setup: ${line}`),
        },
      );

    const enginePid = database.pid;
    return {
      graphqlUrl: gatewayUrl,
      subgraphUrls,
      kcsFile,
      issuer: localIssuer,
      gatewaySigningKey,
      supervisors,
      proxy,
      startProcess,
      kill(subgraph) {
        const pid = supervisors.get(subgraph)?.child?.pid;
        if (pid === undefined) throw new Error(`${subgraph} has no process running to kill`);
        process.kill(pid, 'SIGKILL');
      },
      async pauseEngine(ms) {
        if (enginePid === undefined) return false;
        process.kill(enginePid, 'SIGSTOP');
        try {
          await sleep(ms);
        } finally {
          process.kill(enginePid, 'SIGCONT');
        }
        return true;
      },
      untilReady,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** The processes' own output is drained, not shown: the rig's report is the table. */
function quiet(child: ChildProcess): void {
  child.stdout?.resume();
  child.stderr?.resume();
}

async function dropDatabases(uri: string, prefix: string): Promise<void> {
  const client = await new mongoose.mongo.MongoClient(uri).connect();
  try {
    await Promise.all(SUBGRAPHS.map((entry) => client.db(`${prefix}_${entry.name}`).dropDatabase()));
  } finally {
    await client.close();
  }
}

async function answers(url: URL): Promise<boolean> {
  try {
    return (await fetch(url, { signal: AbortSignal.timeout(1_000) })).ok;
  } catch {
    return false;
  }
}

/** A port on the loopback that nothing listens on now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface FaultPhaseOptions {
  durationMs: number;
  /** How long the slow subgraph takes to answer: beyond its deadline. */
  slowDelayMs: number;
  enginePauseMs: number;
  /** The subgraph killed with kill -9. */
  killed: string;
}

/**
 * Steady; one subgraph killed (and restarted by its supervisor); another slowed past its deadline;
 * the engine paused; recovered. A phase that breaks something ends only once the platform has
 * mended, so each phase's figures hold the whole of its fault.
 */
export function faultPhases(rig: FaultRig, slowable: string, options: FaultPhaseOptions): Phase[] {
  const { durationMs } = options;
  const proxy = rig.proxy;
  if (!proxy) throw new Error(`fault phases slow ${slowable} down behind a proxy: start the rig with slowable: '${slowable}'`);
  const settled = async () => {
    await rig.untilReady();
    await untilWhole(rig);
  };
  return [
    { name: 'steady', broken: [], durationMs },
    {
      name: `${options.killed} killed`,
      broken: [options.killed],
      durationMs,
      start: () => {
        rig.kill(options.killed);
        return settled;
      },
    },
    {
      name: `${slowable} slow`,
      broken: [slowable],
      durationMs,
      start: () => {
        proxy.set({ kind: 'slow', delayMs: options.slowDelayMs });
        return async () => {
          proxy.set({ kind: 'pass' });
          await settled();
        };
      },
    },
    {
      name: 'engine paused',
      broken: ['engine'],
      durationMs,
      start: () => {
        const paused = rig.pauseEngine(options.enginePauseMs);
        return async () => {
          await paused;
          await settled();
        };
      },
    },
    { name: 'recovered', broken: [], durationMs },
  ];
}

/** Until the gateway's /readyz says every subgraph is up and its circuit closed. */
async function untilWhole(rig: FaultRig, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const readyz = new URL('/readyz', rig.graphqlUrl);
  for (;;) {
    try {
      const body = (await (await fetch(readyz, { signal: AbortSignal.timeout(3_000) })).json()) as {
        subgraphs: Record<string, { state: string; circuit: string }>;
      };
      if (Object.values(body.subgraphs).every(({ state, circuit }) => state === 'up' && circuit === 'closed')) return;
    } catch {
      // the gateway itself may be busy; ask again
    }
    if (Date.now() > deadline) throw new Error(`the platform did not mend within ${timeoutMs / 1000} s`);
    await sleep(250);
  }
}
