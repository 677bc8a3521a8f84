// The watchdog of a subgraph's /ingest endpoint (kit/ingest.ts): a batch stored record by record
// is stuck when no record is stored for the limit, not when the whole batch takes longer.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eachRecord, ingestRoute, type IngestHandler } from '../../subgraphs/kit/ingest';
import { signedIn, testTrust } from '../support/auth';

/** Stores record `n` after `delayMs(n)` milliseconds, one after the other. */
function recordByRecord(delayMs: (record: number) => number): IngestHandler {
  return {
    kinds: ['slow'],
    isEmpty: async () => true,
    write: (records, _caller, progress) =>
      eachRecord(
        records,
        async (record) => {
          await sleep(delayMs(record as number));
          return 'stored';
        },
        progress,
      ),
  };
}

let server: Server;
let handler: IngestHandler;

beforeAll(async () => {
  // The endpoint allows a batch three quarters of this without progress: 750 ms.
  process.env.JOB_STALL_TIMEOUT_MS = '1000';
  const route = ingestRoute(
    { kinds: ['slow'], isEmpty: async () => true, write: (records, caller, progress) => handler.write(records, caller, progress) },
    testTrust,
  );
  server = createServer((req, res) => void route(req, res));
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
});

afterAll(async () => {
  delete process.env.JOB_STALL_TIMEOUT_MS;
  await new Promise((closed) => server.close(closed));
});

async function post(records: number[]) {
  const { port } = server.address() as AddressInfo;
  const response = await fetch(`http://127.0.0.1:${port}/ingest`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(await signedIn()) },
    body: JSON.stringify({ records }),
  });
  return { status: response.status, body: (await response.json()) as { results?: { status: string }[]; error?: string; code?: string } };
}

const records = (count: number) => Array.from({ length: count }, (_, index) => index + 1);

describe('storing a batch record by record', () => {
  it('stores a batch that takes longer than the limit while every record moves it on', async () => {
    handler = recordByRecord(() => 50);
    const { status, body } = await post(records(30));
    expect(status, body.error).toBe(200);
    expect(body.results).toHaveLength(30);
    expect(body.results?.every((result) => result.status === 'stored')).toBe(true);
  });

  it('answers 503 STALLED, naming the record it stuck after, when one record stores nothing for the limit', async () => {
    handler = recordByRecord((record) => (record === 4 ? 5_000 : 10));
    const { status, body } = await post(records(8));
    expect(status).toBe(503);
    expect(body.code).toBe('STALLED');
    expect(body.error).toMatch(/^storing the batch made no progress for 1 s at 3 of 8 records; waiting for /);
  });
});
