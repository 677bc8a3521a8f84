// The embedded engine is built once per version, and its absence is explained, not mysterious.
import { spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import mongoose from 'mongoose';
import { afterEach, describe, expect, it } from 'vitest';
import { buildEngine, EngineUnavailableError, enginePath, engineVersion } from '../../db/build';
import { startDatabase, temporaryDataDir } from '../../db/engine';

/** Whether something accepts TCP connections on this loopback port. */
function connects(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** The unprivileged account on Debian (and most Linux systems). */
const NOBODY = 65534;

const saved = { PATH: process.env.PATH, ENGINE_DIR: process.env.ENGINE_DIR, MONGODB_URI: process.env.MONGODB_URI };

afterEach(() => {
  for (const [key, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
});

describe('the embedded engine', () => {
  it('is pinned to FerretDB v1.24.2 and named by its version', () => {
    expect(engineVersion()).toBe('v1.24.2');
    expect(enginePath()).toMatch(/ferretdb-v1\.24\.2-[0-9a-f]{10}$/);
  });

  it('is not rebuilt when this version is already built, even without Go', () => {
    expect(existsSync(enginePath())).toBe(true);
    process.env.PATH = '/nonexistent';
    expect(buildEngine(() => {})).toBe(enginePath());
  });

  it('fails at once, naming both ways out, when it is not built and Go is missing', async () => {
    const empty = temporaryDataDir('no-engine-');
    try {
      process.env.ENGINE_DIR = empty;
      process.env.PATH = '/nonexistent';
      delete process.env.MONGODB_URI;
      const started = Date.now();
      const error = await startDatabase({ dataDir: empty }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(EngineUnavailableError);
      expect(String(error)).toMatch(/install Go/);
      expect(String(error)).toMatch(/MONGODB_URI=/);
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it('starts no engine when MONGODB_URI is set', async () => {
    process.env.MONGODB_URI = 'mongodb://db.example:27017/';
    process.env.PATH = '/nonexistent';
    const database = await startDatabase();
    expect(database).toMatchObject({ uri: 'mongodb://db.example:27017/', embedded: false });
    await database.stop();
  });

  // The rest of this file runs as whoever runs the tests; as root (CI), postgres runs as nobody.
  // This runs the engine as that ordinary user itself, in a child process.
  it.runIf(process.getuid?.() === 0)('starts, answers and stops when run by an ordinary user', () => {
    const dataDir = temporaryDataDir('engine-user-');
    try {
      chownSync(dataDir, NOBODY, NOBODY);
      const script = [
        "const { startDatabase } = await import('./db/engine.ts');",
        "const { default: mongoose } = await import('mongoose');",
        'const database = await startDatabase({ dataDir: process.argv[1] });',
        'const client = new mongoose.mongo.MongoClient(database.uri);',
        "await client.db('probe').collection('t').insertOne({ _id: 'a', v: 1 });",
        "const found = await client.db('probe').collection('t').findOne({ _id: 'a' });",
        'await client.close();',
        'await database.stop();',
        'console.log(JSON.stringify({ uid: process.getuid(), found }));',
      ].join('\n');
      const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, dataDir], {
        cwd: ROOT,
        uid: NOBODY,
        gid: NOBODY,
        env: { ...process.env, HOME: dataDir, TMPDIR: dataDir },
        encoding: 'utf8',
        timeout: 60_000,
      });
      expect(run.status, run.stderr).toBe(0);
      expect(JSON.parse(run.stdout.trim().split('\n').at(-1)!)).toEqual({ uid: NOBODY, found: { _id: 'a', v: 1 } });
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it.runIf(process.getuid?.() === 0)(
    'as root, keeps the cluster in the temporary directory, and says so, when nobody can reach the data directory',
    async () => {
      const parent = mkdtempSync(join(tmpdir(), 'engine-private-')); // 0700: nobody cannot pass
      const lines: string[] = [];
      try {
        const database = await startDatabase({ dataDir: join(parent, 'data'), log: (line) => lines.push(line) });
        const client = new mongoose.mongo.MongoClient(database.uri);
        await client
          .db('probe')
          .collection('t')
          .insertOne({ _id: 'a' as never });
        expect(await client.db('probe').collection('t').countDocuments()).toBe(1);
        await client.close();
        await database.stop();
        const notice = lines.find((line) => line.includes('cannot reach'));
        expect(notice).toContain(join(parent, 'data', 'engine'));
        expect(existsSync(join(parent, 'data', 'engine', 'pg'))).toBe(false);
        rmSync(/its files are in (\S+) instead/.exec(notice!)![1]!, { recursive: true, force: true });
      } finally {
        rmSync(parent, { recursive: true, force: true });
      }
    },
  );

  it('listens on loopback only and stops cleanly', async () => {
    const dataDir = temporaryDataDir('engine-');
    try {
      delete process.env.MONGODB_URI;
      const database = await startDatabase({ dataDir });
      expect(database.uri).toMatch(/^mongodb:\/\/127\.0\.0\.1:\d+\/$/);
      const port = Number(new URL(database.uri).port);
      expect(await connects(port)).toBe(true);
      await database.stop();
      expect(await connects(port)).toBe(false);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
