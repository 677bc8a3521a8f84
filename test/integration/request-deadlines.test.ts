// A subgraph request's deadline reaches the database: its reads carry the time it has left as
// maxTimeMS, and once the request is abandoned (its deadline passed, its client went away) no
// further command starts for it. A request that has begun to write is never cut half-way.
import type { mongo } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeclarationsStore } from '../../subgraphs/declarations/context';
import { declarationsSubgraph } from '../../subgraphs/declarations/subgraph';
import { countMatching } from '../../subgraphs/kit/counting';
import { ClientGoneError, REQUEST_TIMEOUT_HEADER } from '../../subgraphs/kit/request-deadline';
import { startSubgraph, type RunningSubgraph } from '../../subgraphs/kit/server';
import { fromGateway, testTrust } from '../support/auth';
import { controlResult, declaration } from '../support/fixtures';
import { postGraphQL, testDatabase, type GraphQLResponse } from '../support/platform';
import { createProbe, type ProbeModels } from '../support/probe-subgraph';
import { startStallingProxy } from '../support/stalling-proxy';

const BUDGET_MS = 20_000;
const probe = createProbe();
let declarations: RunningSubgraph<DeclarationsStore>;
let probed: RunningSubgraph<ProbeModels>;

beforeAll(async () => {
  declarations = await startSubgraph(declarationsSubgraph, { port: 0, database: testDatabase('declarations'), trust: testTrust });
  probed = await startSubgraph(probe.definition, { port: 0, database: testDatabase('probe'), trust: testTrust });
  await declarations.models.writer.write([declaration(1), declaration(2), declaration(3), controlResult(1), controlResult(2)]);
  await probed.models.notes.insertMany([1, 2, 3, 4].map((n) => ({ _id: `n${n}`, text: `note n${n}` })));
});

afterAll(async () => {
  for (const subgraph of [declarations, probed]) {
    await subgraph?.database.connection.dropDatabase();
    await subgraph?.stop();
  }
});

/** The commands a subgraph starts while `work` runs, as its driver announces them. */
async function commandsDuring(subgraph: RunningSubgraph<unknown>, work: () => Promise<unknown>): Promise<mongo.CommandStartedEvent[]> {
  const started: mongo.CommandStartedEvent[] = [];
  const client = subgraph.database.connection.getClient();
  const record = (event: mongo.CommandStartedEvent) => {
    if (!DRIVER_COMMANDS.has(event.commandName)) started.push(event);
  };
  client.on('commandStarted', record);
  try {
    await work();
  } finally {
    client.off('commandStarted', record);
  }
  return started;
}

const DRIVER_COMMANDS = new Set(['hello', 'isMaster', 'ismaster', 'ping', 'endSessions', 'killCursors']);

async function send<TData>(subgraph: RunningSubgraph<unknown>, query: string, options: { timeoutMs?: number; signal?: AbortSignal } = {}) {
  const headers = {
    'content-type': 'application/json',
    ...(await fromGateway()),
    ...(options.timeoutMs && { [REQUEST_TIMEOUT_HEADER]: String(options.timeoutMs) }),
  };
  if (!options.signal) return postGraphQL<TData>(subgraph.url, query, {}, headers);
  // A client that gives up: its answer never comes.
  return fetch(subgraph.url, { method: 'POST', headers, body: JSON.stringify({ query }), signal: options.signal }).then(
    async (response) => (await response.json()) as GraphQLResponse<TData>,
    () => undefined,
  );
}

describe('the database commands of a request', () => {
  it('gives every read of a request the time the request has left as maxTimeMS', async () => {
    let response: GraphQLResponse<unknown> | undefined;
    const started = await commandsDuring(declarations, async () => {
      response = await send(
        declarations,
        `{ declarations(first: 5) { totalCount edges { node { mrn controlResults { outcome } } } }
           changes(first: 10) { edges { node { kind mrn } } } }`,
        { timeoutMs: BUDGET_MS },
      );
    });
    expect(response?.errors).toBeUndefined();
    // Finds (a page, loaders, the change feed's raw reads), counts (totalCount, statistics).
    expect(new Set(started.map((event) => event.commandName))).toEqual(new Set(['find', 'count']));
    const limits = started.map((event) => event.command.maxTimeMS as unknown);
    for (const limit of limits) {
      expect(limit).toEqual(expect.any(Number));
      expect(limit).toBeGreaterThan(0);
      expect(limit).toBeLessThanOrEqual(BUDGET_MS);
    }
    // What is left only shrinks: a later command never gets more than an earlier one.
    expect(limits).toEqual([...limits].sort((a, b) => (b as number) - (a as number)));
  });

  it('gives the database work outside any request (start-up, jobs, ingest) no time limit', async () => {
    const started = await commandsDuring(declarations, async () => {
      await declarations.models.declarations.find({}).lean().exec();
      await countMatching(declarations.models.declarations, {});
    });
    expect(started.map((event) => [event.commandName, event.command.maxTimeMS])).toEqual([
      ['find', undefined],
      ['count', undefined],
    ]);
  });

  it('starts no database command for a request whose client has gone', async () => {
    probe.pauseUntil = 'abandoned';
    const client = new AbortController();
    const started = await commandsDuring(probed, async () => {
      const call = probe.nextCall();
      const answer = send(probed, '{ notes(keys: ["n1", "n2", "n3", "n4"], pauseAfter: 1) }', { signal: client.signal });
      await (
        await call
      ).paused;
      client.abort();
      const outcome = await (await call).ended;
      expect(outcome.done).toBe(1);
      expect(outcome.error).toMatchObject({ extensions: { code: 'DEADLINE_EXCEEDED', reason: 'CLIENT_GONE' } });
      expect(await answer).toBeUndefined();
    });
    expect(started.map((event) => event.commandName)).toEqual(['find']);
  });

  it("answers DEADLINE_EXCEEDED, and reads no more, once the request's deadline has passed", async () => {
    probe.pauseUntil = 'abandoned';
    let response: GraphQLResponse<unknown> | undefined;
    const started = await commandsDuring(probed, async () => {
      response = await send(probed, '{ notes(keys: ["n1", "n2", "n3"], pauseAfter: 2) }', { timeoutMs: 200 });
    });
    expect(started.map((event) => event.commandName)).toEqual(['find', 'find']);
    expect(response?.errors?.map((error) => error.extensions)).toEqual([expect.objectContaining({ code: 'DEADLINE_EXCEEDED', reason: 'DEADLINE_PASSED' })]);
    expect(response?.errors?.[0]?.message).toMatch(/no further database command was started for it: the request's deadline of 200 ms passed/);
  });
});

describe('a read in flight when its client goes', () => {
  it('is dropped at once, not left to run until the database answers', async () => {
    const { uri, dbName } = testDatabase('probe');
    const proxy = await startStallingProxy(uri);
    const stalling = await startSubgraph(probe.definition, { port: 0, database: { uri: proxy.uri, dbName }, trust: testTrust });
    try {
      probe.pauseUntil = 'abandoned';
      const client = stalling.database.connection.getClient();
      // The engine never hears of the find: it hangs, as a slow query would.
      const findStarted = new Promise<number>((resolve) =>
        client.on('commandStarted', (event) => {
          if (event.commandName !== 'find') return;
          proxy.stall();
          resolve(event.requestId);
        }),
      );
      const failures: mongo.CommandFailedEvent[] = [];
      client.on('commandFailed', (event) => failures.push(event));

      const call = probe.nextCall();
      const caller = new AbortController();
      const answer = send(stalling, '{ notes(keys: ["n1"]) }', { signal: caller.signal });
      const find = await findStarted;
      caller.abort();
      const outcome = await (await call).ended;

      expect(outcome.done).toBe(0);
      expect(outcome.error).toBeInstanceOf(ClientGoneError);
      expect(failures.map((event) => [event.requestId, event.commandName, event.failure])).toEqual([[find, 'find', outcome.error]]);
      expect(await answer).toBeUndefined();
    } finally {
      await proxy.close();
      await stalling.stop();
    }
  });
});

describe('the writes of a request', () => {
  it('refuses the first write of a request abandoned before it wrote anything, and writes nothing', async () => {
    probe.pauseUntil = 'abandoned';
    let response: GraphQLResponse<unknown> | undefined;
    const started = await commandsDuring(probed, async () => {
      response = await send(probed, 'mutation { putNotes(keys: ["w1", "w2"], pauseAfter: 0) }', { timeoutMs: 200 });
    });
    expect(started).toEqual([]);
    expect(response?.errors?.map((error) => error.extensions?.code)).toEqual(['DEADLINE_EXCEEDED']);
    expect(await probed.models.notes.countDocuments({ _id: { $in: ['w1', 'w2'] } })).toBe(0);
  });

  it('finishes a mutation that had begun to write when its client went away, down to its last read', async () => {
    probe.pauseUntil = 'abandoned';
    const client = new AbortController();
    const started = await commandsDuring(probed, async () => {
      const call = probe.nextCall();
      const answer = send(probed, 'mutation { putNotes(keys: ["m1", "m2", "m3"], pauseAfter: 1) }', { signal: client.signal });
      await (
        await call
      ).paused;
      client.abort();
      expect(await (await call).ended).toEqual({ done: 3 });
      expect(await answer).toBeUndefined();
    });
    // Three upserts, then the read that gathers the stored notes.
    expect(started.map((event) => event.commandName)).toEqual(['update', 'update', 'update', 'find']);
    expect(started.at(-1)?.command.maxTimeMS).toBeUndefined();
    expect(await probed.models.notes.countDocuments({ _id: { $in: ['m1', 'm2', 'm3'] } })).toBe(3);
  });
});
