// A subgraph told to stop (SIGTERM runs the same stop()) takes no new connections, finishes the
// requests already in flight, and only then lets go of its database.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startSubgraph, type RunningSubgraph } from '../../subgraphs/kit/server';
import { fromGateway, testTrust } from '../support/auth';
import { postGraphQL, testDatabase } from '../support/platform';
import { createProbe, type ProbeModels } from '../support/probe-subgraph';

const probe = createProbe();
let probed: RunningSubgraph<ProbeModels>;

beforeEach(async () => {
  probed = await startSubgraph(probe.definition, { port: 0, database: testDatabase('probe'), trust: testTrust });
  await probed.models.notes.insertMany([1, 2, 3].map((n) => ({ _id: `n${n}`, text: `note n${n}` })));
  probe.pauseUntil = 'released';
});

afterEach(() => {
  probe.release();
});

/** Whether a new connection to the subgraph is refused, rather than answered. */
async function refusesConnections(url: string): Promise<boolean> {
  try {
    await fetch(url.replace(/\/graphql$/, '/healthz'));
    return false;
  } catch (error) {
    return (error as { cause?: { code?: string } }).cause?.code === 'ECONNREFUSED';
  }
}

describe('a subgraph that is stopped', () => {
  it('finishes a request in flight, refusing new connections meanwhile, then stops', async () => {
    const call = probe.nextCall();
    const inFlight = postGraphQL<{ notes: string[] }>(probed.url, '{ notes(keys: ["n1", "n2", "n3"], pauseAfter: 1) }', {}, await fromGateway());
    await (
      await call
    ).paused;

    let stopped = false;
    const stopping = probed.stop().then(() => (stopped = true));
    let refused = false;
    for (let attempt = 0; attempt < 50 && !refused; attempt++) refused = await refusesConnections(probed.url);
    expect(refused).toBe(true);
    expect(stopped).toBe(false);

    probe.release();
    expect(await inFlight).toEqual({ data: { notes: ['note n1', 'note n2', 'note n3'] } });
    await stopping;
    expect(await (await call).ended).toEqual({ done: 3 });
    expect(probed.database.connection.readyState).toBe(0);
  });

  it('finishes the writes of a mutation whose client has gone before it lets go of its database', async () => {
    const call = probe.nextCall();
    const client = new AbortController();
    const answer = fetch(probed.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(await fromGateway()) },
      body: JSON.stringify({ query: 'mutation { putNotes(keys: ["s1", "s2", "s3"], pauseAfter: 1) }' }),
      signal: client.signal,
    }).catch(() => 'gone');
    await (
      await call
    ).paused;
    client.abort();
    expect(await answer).toBe('gone');

    let stopped = false;
    const stopping = probed.stop().then(() => (stopped = true));
    let refused = false;
    for (let attempt = 0; attempt < 50 && !refused; attempt++) refused = await refusesConnections(probed.url);
    expect(refused).toBe(true);
    expect(stopped).toBe(false);

    probe.release();
    // Every write acknowledged, and the notes read back, on a database still open.
    expect(await (await call).ended).toEqual({ done: 3 });
    await stopping;
  });
});
