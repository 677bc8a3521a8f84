// What both benchmarks share: a throwaway database, unique database names, flags and a table.
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import mongoose from 'mongoose';
import { startDatabase, temporaryDataDir } from '../db/engine';

export interface BenchDatabase {
  uri: string;
  /** "embedded FerretDB (/tmp/...)" or "MONGODB_URI". */
  description: string;
  /** A database name unique to this run; every name handed out is dropped by stop(). */
  dbName(purpose: string): string;
  /** Drops this run's databases, stops the engine, removes the data directory. */
  stop(): Promise<void>;
}

/**
 * The embedded engine in a fresh temporary data directory, or the server of MONGODB_URI. Either
 * way every database gets a run-unique name and is dropped at the end, so a shared server keeps
 * nothing and a second run never sees the first one's data.
 */
export async function startBenchDatabase(): Promise<BenchDatabase> {
  const dataDir = temporaryDataDir('customs-bench-');
  const run = randomBytes(4).toString('hex');
  const names: string[] = [];
  let database;
  try {
    database = await startDatabase({ dataDir });
  } catch (error) {
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
  const external = Boolean(process.env.MONGODB_URI);
  return {
    uri: database.uri,
    description: external ? 'the server of MONGODB_URI' : `embedded FerretDB, data in ${dataDir}`,
    dbName(purpose) {
      const name = `bench_${run}_${purpose}`;
      names.push(name);
      return name;
    },
    async stop() {
      const client = new mongoose.mongo.MongoClient(database.uri, { serverSelectionTimeoutMS: 5_000 });
      try {
        await client.connect();
        for (const name of names)
          await client
            .db(name)
            .dropDatabase()
            .catch(() => {});
      } finally {
        await client.close().catch(() => {});
        await database.stop();
        rmSync(dataDir, { recursive: true, force: true });
      }
    },
  };
}

/** A positive whole number from `--name N` or `--name=N`, else the default. */
export function numberFlag(name: string, fallback: number): number {
  const args = process.argv.slice(2);
  const index = args.findIndex((arg) => arg === `--${name}` || arg.startsWith(`--${name}=`));
  if (index < 0) return fallback;
  const arg = args[index]!;
  const raw = arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : args[index + 1];
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) {
    console.error(`--${name} must be a positive whole number, not ${JSON.stringify(raw)}`);
    process.exit(2);
  }
  return value;
}

/** A left-aligned first column, right-aligned numbers after it. */
export function printTable(header: string[], rows: string[][]): void {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)));
  const line = (cells: string[]) => cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join('  ');
  console.log(line(header));
  console.log(widths.map((width) => '-'.repeat(width)).join('  '));
  for (const row of rows) console.log(line(row));
}

export const formatCount = (value: number): string => Math.round(value).toLocaleString('en-US');
export const formatMs = (ms: number): string => (ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms).toLocaleString('en-US')} ms`);
export const formatLatency = (ms: number): string => `${ms.toFixed(ms < 10 ? 2 : 1)} ms`;
export const formatRatio = (ratio: number): string => `${ratio.toFixed(2)}×`;

/** The q-quantile of an ascending list (nearest rank). */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}
