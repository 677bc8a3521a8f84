// A subgraph whose database goes away keeps running: /readyz says it is reconnecting, its log
// says when the database went and when it came back, and it reconnects by itself.
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSubgraph, type RunningSubgraph } from '../../subgraphs/kit/server';
import { fromGateway, testTrust } from '../support/auth';
import { startCuttableProxy, type CuttableProxy } from '../support/cuttable-proxy';
import { postGraphQL, testDatabase } from '../support/platform';
import { createProbe, type ProbeModels } from '../support/probe-subgraph';

let proxy: CuttableProxy;
let probed: RunningSubgraph<ProbeModels>;
const logged: string[] = [];

beforeAll(async () => {
  const { uri, dbName } = testDatabase('probe');
  proxy = await startCuttableProxy(uri);
  probed = await startSubgraph(createProbe().definition, { port: 0, database: { uri: proxy.uri, dbName, log: (line) => logged.push(line) }, trust: testTrust });
  await probed.models.notes.insertMany([{ _id: 'n1', text: 'note n1' }]);
});

afterAll(async () => {
  proxy?.restore();
  await probed?.database.connection.dropDatabase();
  await probed?.stop();
  await proxy?.close();
});

async function readiness(): Promise<{ status: number; body: unknown }> {
  const response = await fetch(probed.url.replace(/\/graphql$/, '/readyz'));
  return { status: response.status, body: await response.json() };
}

/** Asks again until `check` holds; the driver notices a lost or returning server in its own time. */
async function eventually<T>(ask: () => Promise<T>, check: (value: T) => boolean, attempts = 100): Promise<T> {
  let value = await ask();
  for (let attempt = 1; attempt < attempts && !check(value); attempt++) {
    await sleep(100);
    value = await ask();
  }
  return value;
}

const readNote = async () => postGraphQL<{ notes: (string | null)[] }>(probed.url, '{ notes(keys: ["n1"]) }', {}, await fromGateway());

describe('a subgraph whose database connection drops', () => {
  it('says reconnecting in /readyz while its database is unreachable, and ready again once it is back', async () => {
    expect(await readiness()).toEqual({ status: 200, body: { ready: true, subgraph: 'probe', database: 'connected' } });

    proxy.cut();
    const down = await eventually(readiness, ({ status }) => status === 503);
    expect(down).toEqual({ status: 503, body: { ready: false, subgraph: 'probe', database: 'reconnecting' } });
    const whileDown = await readNote();
    expect(whileDown.data).toBeNull();
    expect(whileDown.errors).toHaveLength(1);

    proxy.restore();
    const back = await eventually(readiness, ({ status }) => status === 200);
    expect(back).toEqual({ status: 200, body: { ready: true, subgraph: 'probe', database: 'connected' } });
    expect((await readNote()).data).toEqual({ notes: ['note n1'] });
  });

  it('logs one line when it loses its database and one when it is back', async () => {
    logged.length = 0;
    proxy.cut();
    // Asked twice while it is down: still one line.
    await eventually(readiness, ({ status }) => status === 503);
    await eventually(readiness, ({ status }) => status === 503);
    proxy.restore();
    await eventually(readiness, ({ status }) => status === 200);
    expect(logged).toEqual([
      expect.stringMatching(/^probe subgraph lost its database \(127\.0\.0\.1:\d+\/test_\w+_probe: .+\); reconnecting$/),
      expect.stringMatching(/^probe subgraph reconnected to its database \(127\.0\.0\.1:\d+\/test_\w+_probe\)$/),
    ]);
  });
});
