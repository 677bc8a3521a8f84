// A subgraph's /ingest endpoint (kit/ingest.ts), called as any client would.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aeoSubgraph } from '../../subgraphs/aeo/subgraph';
import type { AeoModels } from '../../subgraphs/aeo/models';
import { startSubgraph, type RunningSubgraph } from '../../subgraphs/kit/server';
import { mraSubgraph } from '../../subgraphs/mra/subgraph';
import type { MraModels } from '../../subgraphs/mra/models';
import { testDatabase } from '../support/platform';
import { caller, signedIn, testTrust } from '../support/auth';

let aeo: RunningSubgraph<AeoModels>;
let mra: RunningSubgraph<MraModels>;

beforeAll(async () => {
  [aeo, mra] = await Promise.all([
    startSubgraph(aeoSubgraph, { port: 0, database: testDatabase('aeo'), trust: testTrust }),
    startSubgraph(mraSubgraph, { port: 0, database: testDatabase('mra'), trust: testTrust }),
  ]);
});

afterAll(async () => {
  for (const subgraph of [aeo, mra]) {
    await subgraph.database.connection.dropDatabase();
    await subgraph.stop();
  }
});

async function post(subgraph: RunningSubgraph<unknown>, records: unknown[], who = caller('service', {}, 'loader')) {
  const response = await fetch(new URL('/ingest', subgraph.url), {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(await signedIn(who)) },
    body: JSON.stringify({ records }),
  });
  return { status: response.status, body: (await response.json()) as { results?: unknown[]; error?: string; code?: string } };
}

const operator = { kind: 'economicOperator', eori: 'DE000000777', name: 'Holder 777', country: 'DE', address: null };
const authorisation = {
  kind: 'aeoAuthorisation',
  number: 'DEAEOF0000000777',
  holder: 'DE000000777',
  type: 'AEOF',
  validFrom: '2020-01-01',
  history: [{ status: 'VALID', date: '2020-01-01', reason: 'Authorisation granted' }],
};

describe('a subgraph’s ingest endpoint', () => {
  it('refuses a caller whose role holds no ingest scope with FORBIDDEN, and stores nothing', async () => {
    const { status, body } = await post(aeo, [operator], caller('aeo-auditor', { memberState: 'DE' }, 'auditor-7'));
    expect(status).toBe(403);
    expect(body).toMatchObject({ code: 'FORBIDDEN', error: expect.stringContaining('ingest scope') });
    expect(await aeo.models.operators.countDocuments({ _id: 'DE000000777' })).toBe(0);
  });

  it('rejects a record of another kind, or a lane without operators, alone in its batch', async () => {
    const lane = { kind: 'tradeLane', code: 'CN-NL-SEA-77', name: 'Shanghai–Rotterdam', origin: 'CNSHA', destination: 'NLRTM', transportMode: 'SEA' };
    const { status, body } = await post(mra, [{ kind: 'invoice' }, lane, { ...lane, code: 'CN-NL-SEA-78', operators: [] }]);
    expect(status).toBe(200);
    expect(body.results).toEqual([
      { status: 'rejected', field: 'kind', reason: 'must be partnerTrader, consent or tradeLane' },
      { status: 'rejected', field: 'operators', reason: 'must be a list of EORIs' },
      { status: 'stored' },
    ]);
  });

  it('reports the same registry sent again by another caller as unchanged, keeping who recorded it', async () => {
    expect((await post(aeo, [operator, authorisation], caller('service', {}, 'demo-seed'))).body.results).toEqual([{ status: 'stored' }, { status: 'stored' }]);
    expect((await post(aeo, [operator, authorisation], caller('service', {}, 'npm run ingest'))).body.results).toEqual([
      { status: 'unchanged' },
      { status: 'unchanged' },
    ]);
    const stored = await aeo.models.authorisations.findById('DEAEOF0000000777').lean().exec();
    expect(stored?.history.map((change) => change.recordedBy)).toEqual(['demo-seed']);
    expect((await aeo.models.operators.findById('DE000000777').lean().exec())?.aeoTags).toEqual(['AEOF', 'AEOF:VALID', 'VALID']);
  });
});
