// Identical reads in flight are sent once (gateway/inflight.ts, gateway/subgraph-source.ts).
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Inflight } from '../../gateway/inflight';
import { DEFAULT_FETCH_POLICY, SubgraphSource, type FetchContext } from '../../gateway/subgraph-source';

function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

describe('work in flight', () => {
  it('is done once for askers of the same key, and each gets its outcome', async () => {
    const inflight = new Inflight<string>();
    const gate = deferred<string>();
    let started = 0;
    const work = () => (started++, gate.promise);
    const answers = [inflight.share('a', work), inflight.share('a', work), inflight.share('b', work)];
    gate.resolve('done');
    expect(await Promise.all(answers)).toEqual(['done', 'done', 'done']);
    expect(started).toBe(2);
    expect(inflight.joined).toBe(1);
  });

  it('is started afresh once settled: nothing is kept as a cache', async () => {
    const inflight = new Inflight<number>();
    let started = 0;
    const work = async () => ++started;
    expect(await inflight.share('a', work)).toBe(1);
    expect(await inflight.share('a', work)).toBe(2);
    expect(inflight.size).toBe(0);
  });

  it('shares a failure with every asker', async () => {
    const inflight = new Inflight<never>();
    const gate = deferred<never>();
    const answers = [inflight.share('a', () => gate.promise), inflight.share('a', () => gate.promise)];
    gate.reject(new Error('refused'));
    for (const answer of answers) await expect(answer).rejects.toThrow('refused');
  });

  it('goes on for the others when one asker gives up, and is aborted when the last does', async () => {
    const inflight = new Inflight<string>();
    let signal: AbortSignal | undefined;
    const work = (own: AbortSignal) => ((signal = own), new Promise<string>(() => {}));
    const first = new AbortController();
    const second = new AbortController();
    const answers = [inflight.share('a', work, first.signal), inflight.share('a', work, second.signal)];
    first.abort(new Error('client gone'));
    await expect(answers[0]).rejects.toThrow('client gone');
    expect(signal?.aborted).toBe(false);
    second.abort(new Error('deadline passed'));
    await expect(answers[1]).rejects.toThrow('deadline passed');
    expect(signal?.aborted).toBe(true);
    expect(inflight.size).toBe(0);
  });
});

describe('reads sent to a subgraph', () => {
  let server: Server;
  let url: string;
  const seen: { authorization?: string; body: string }[] = [];
  let hold = deferred<void>();
  beforeAll(async () => {
    server = createServer(async (req: IncomingMessage, res) => {
      let body = '';
      for await (const chunk of req) body += chunk;
      seen.push({ authorization: req.headers.authorization, body });
      await hold.promise;
      res.setHeader('content-type', 'application/json');
      const mutation = body.includes('mutation');
      res.end(JSON.stringify({ data: mutation ? { suspendLicence: { status: 'SUSPENDED' } } : { licence: { status: 'VALID', holder: { eori: 'NL1' } } } }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}/graphql`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const ask = (source: SubgraphSource, query: string, token: string) =>
    source.process({
      kind: 'incoming operation',
      request: { query },
      context: { subgraphToken: async () => token },
    } as unknown as GraphQLDataSourceProcessOptions<FetchContext>);

  async function concurrently(source: SubgraphSource, asks: [string, string][]) {
    seen.length = 0;
    hold = deferred();
    const answers = asks.map(([query, token]) => ask(source, query, token));
    await new Promise((resolve) => setTimeout(resolve, 100));
    hold.resolve();
    return Promise.all(answers);
  }

  const READ = '{ licence(reference: "A") { status holder { eori } } }';

  it("are sent once when one caller's operations ask the same at the same time, each answer its own copy", async () => {
    const source = new SubgraphSource('licences', url, DEFAULT_FETCH_POLICY, () => {});
    const answers = await concurrently(
      source,
      Array.from({ length: 8 }, () => [READ, 'caller-a'] as [string, string]),
    );
    expect(seen).toHaveLength(1);
    expect(answers.every((answer) => answer.data?.licence?.status === 'VALID')).toBe(true);
    // The executor merges other subgraphs' fields into what it gets: no two answers may be one object.
    expect(new Set(answers.map((answer) => answer.data?.licence)).size).toBe(8);
    expect(source.sharedReads).toBe(7);
  });

  it("are never shared between callers: each caller's token asks on its own", async () => {
    const source = new SubgraphSource('licences', url, DEFAULT_FETCH_POLICY, () => {});
    await concurrently(source, [
      [READ, 'caller-a'],
      [READ, 'caller-b'],
      [READ, 'caller-a'],
    ]);
    expect(seen.map((request) => request.authorization).sort()).toEqual(['Bearer caller-a', 'Bearer caller-b']);
  });

  it('are sent one after another when they do not overlap', async () => {
    const source = new SubgraphSource('licences', url, DEFAULT_FETCH_POLICY, () => {});
    seen.length = 0;
    hold = deferred();
    hold.resolve();
    await ask(source, READ, 'caller-a');
    await ask(source, READ, 'caller-a');
    expect(seen).toHaveLength(2);
  });

  it('leave mutations alone: each is sent, however alike', async () => {
    const source = new SubgraphSource('licences', url, DEFAULT_FETCH_POLICY, () => {});
    const mutation = 'mutation { suspendLicence(input: { reference: "A", reason: "Audit" }) { status } }';
    await concurrently(source, [
      [mutation, 'caller-a'],
      [mutation, 'caller-a'],
    ]);
    expect(seen).toHaveLength(2);
  });
});
