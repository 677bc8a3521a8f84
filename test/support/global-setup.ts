// Starts the database once for the whole run (the embedded engine, or MONGODB_URI when set).
import { rmSync } from 'node:fs';
import type { TestProject } from 'vitest/node';
import { startDatabase, type Database, temporaryDataDir } from '../../db/engine';

declare module 'vitest' {
  export interface ProvidedContext {
    mongoUri: string;
  }
}

let database: Database | undefined;
let dataDir: string | undefined;

export async function setup(project: TestProject): Promise<void> {
  dataDir = temporaryDataDir('customs-graph-test-');
  database = await startDatabase({ dataDir });
  project.provide('mongoUri', database.uri);
}

export async function teardown(): Promise<void> {
  await database?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
}
