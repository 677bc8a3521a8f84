// The embedded engine is built once per version, and its absence is explained, not mysterious.
import { existsSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join } from 'node:path';
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
