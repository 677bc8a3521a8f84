// Long jobs against an engine that stops answering: they stop, and say where and why, instead
// of waiting forever.
import { spawn } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDatabase, type Database, temporaryDataDir } from '../../db/engine';
import { ingest } from '../../scripts/ingest/run';
import { fromRecords } from '../../scripts/ingest/sources';
import { openWriters } from '../../scripts/ingest/writers';
import { declarationsSubgraph } from '../../subgraphs/declarations/subgraph';
import { startSubgraph } from '../../subgraphs/kit/server';
import { StalledError } from '../../subgraphs/kit/watchdog';
import { declaration } from '../support/fixtures';
import { testTrust } from '../support/auth';
import { startStallingProxy } from '../support/stalling-proxy';

const ROOT = new URL('../..', import.meta.url).pathname;
let dataDir: string;
let engine: Database;
let enginePid: number;

beforeAll(async () => {
  dataDir = temporaryDataDir('stalled-jobs-');
  engine = await startDatabase({ dataDir });
  enginePid = (JSON.parse(readFileSync(join(dataDir, 'engine', 'engine.json'), 'utf8')) as { pid: number }).pid;
});

afterAll(async () => {
  process.kill(enginePid, 'SIGCONT');
  await engine?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('a long job whose engine stops answering', () => {
  it('stops an ingest with an error that names the batch, the subgraph and the collection it waited for', async () => {
    process.env.JOB_STALL_TIMEOUT_MS = '2000';
    const declarations = await startSubgraph(declarationsSubgraph, { port: 0, database: { uri: engine.uri, dbName: 'stall_declarations' }, trust: testTrust });
    const { writers } = await openWriters({ urls: { declarations: declarations.url }, token: testTrust.serviceToken });
    const started = Date.now();
    let error: unknown;
    try {
      await ingest(
        fromRecords(
          Array.from({ length: 30 }, (_, index) => declaration(index + 1)),
          'stalling.jsonl',
        ),
        {
          writers,
          batchSize: 10,
          // After the first batch is stored, the engine freezes (SIGSTOP): connections stay open, nothing answers.
          progress: { update: () => process.kill(enginePid, 'SIGSTOP'), finish: () => {} },
        },
      );
    } catch (caught) {
      error = caught;
    } finally {
      delete process.env.JOB_STALL_TIMEOUT_MS;
      process.kill(enginePid, 'SIGCONT');
      await declarations.stop();
    }
    expect(error).toBeInstanceOf(StalledError);
    // The subgraph gives up first and says where it stuck; the ingest adds which batch it was.
    expect((error as Error).message).toMatch(
      /^ingest stopped at batch 2 \(stalling\.jsonl lines 11–20, declaration records\): the declarations subgraph: storing the batch made no progress for 2 s at 10 records; waiting for .*\w+ on stall_declarations\.\w+ \(\d+ s\)/,
    );
    expect(Date.now() - started).toBeLessThan(15_000);
  });

  it('makes npm start exit non-zero with that message while it loads the demo data', async () => {
    // The proxy passes the first 3 MB on (the operators and the start of the declarations), then swallows everything.
    // The limit is wider than the first test's: 5,000 operators in one batch must not pass for a stall on a busy machine.
    const proxy = await startStallingProxy(engine.uri, { stallAfterBytes: 3_000_000 });
    const startDir = temporaryDataDir('stalled-start-');
    try {
      const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/start.ts'], {
        cwd: ROOT,
        env: { ...process.env, MONGODB_URI: proxy.uri, MONGODB_DB_PREFIX: 'stalled', DATA_DIR: startDir, JOB_STALL_TIMEOUT_MS: '8000', NO_COLOR: '1' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      const code = await new Promise<number | null>((done) => child.once('exit', (exitCode) => done(exitCode)));
      expect(proxy.forwarded, output).toBeGreaterThanOrEqual(3_000_000);
      expect(code, output).toBe(1);
      expect(output).toMatch(
        /demo data stopped at batch \d+ \(.+\): the \w+ subgraph: storing the batch made no progress for 6 s at (?:[\d,]+ of )?[\d,]+ records; waiting for \w+ on stalled_\w+\.\w+ \(\d+ s\)/,
      );
    } finally {
      await proxy.close();
      rmSync(startDir, { recursive: true, force: true });
    }
  }, 120_000);
});
