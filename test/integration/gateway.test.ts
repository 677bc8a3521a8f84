// The composed graph through the gateway, over real HTTP to the subgraphs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiSchema, contractOperation, pruneToSchema } from '../support/contract';
import { startPlatform, type GraphQLResponse, type Platform } from '../support/platform';
import { caller, fromGateway, SERVICE, signedIn } from '../support/auth';
import { SUBGRAPHS } from '../../subgraphs/registry';

interface OperatorPage {
  totalCount: number;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  edges: { node: { eori: string } }[];
}

let platform: Platform;
// Fields of subgraphs still to come are left out here; contract.test.ts tracks them.
const trader360 = pruneToSchema(contractOperation('Trader360'), apiSchema());

/** 100 operators, every other one holding an authorisation, so a page of them fans out. */
function operators(count: number) {
  return Array.from({ length: count }, (_, i) => ({
    _id: `NL${String(100000000 + i)}`,
    name: `Operator ${i}`,
    country: 'NL',
    aeoTags: i % 2 ? ['AEOF', 'AEOF:VALID', 'VALID'] : [],
  }));
}

beforeAll(async () => {
  platform = await startPlatform();
  const { operators: operatorModel, authorisations } = platform.aeo.models;
  const rows = operators(100);
  await operatorModel.insertMany(rows);
  await authorisations.insertMany(
    rows
      .filter((_, i) => i % 2)
      .map((row, i) => ({
        _id: `NLAEOF${String(i).padStart(10, '0')}`,
        holder: row._id,
        type: 'AEOF',
        status: 'VALID',
        issuingCountry: 'NL',
        validFrom: '2018-01-01',
        history: [{ status: 'VALID', date: '2018-01-01', reason: 'Authorisation granted' }],
      })),
  );
});

afterAll(async () => {
  await platform.stop();
});

describe('the gateway', () => {
  it('answers /healthz, and /readyz with the state of every subgraph', async () => {
    expect((await fetch(`${platform.gatewayUrl}/healthz`)).status).toBe(200);
    const ready = await fetch(`${platform.gatewayUrl}/readyz`);
    const body = (await ready.json()) as { ready: boolean; status: string; subgraphs: Record<string, { state: string; circuit: string }> };
    expect(body).toMatchObject({ ready: true, status: 'ok' });
    expect(Object.entries(body.subgraphs).map(([name, { state, circuit }]) => [name, state, circuit])).toEqual(
      SUBGRAPHS.map(({ name }) => [name, 'up', 'closed']),
    );
  });

  it("answers the AEO part of Trader360 with the operator's name, country and authorisations", async () => {
    const { data } = await platform.query<{ economicOperator: Record<string, unknown> }>(trader360, { eori: 'NL100000001' });
    expect(data?.economicOperator).toMatchObject({
      eori: 'NL100000001',
      name: 'Operator 1',
      country: 'NL',
      aeoAuthorisations: [{ number: 'NLAEOF0000000000', type: 'AEOF', status: 'VALID', validFrom: '2018-01-01' }],
    });
  });

  it('passes BAD_USER_INPUT from a subgraph through to the client', async () => {
    const { data, errors } = await platform.query(`{ economicOperator(eori: "NL 1000") { eori } }`);
    expect(data?.economicOperator).toBeNull();
    expect(errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(errors?.[0]?.message).toMatch(/whitespace/);
  });

  it('returns null for an unknown but valid EORI', async () => {
    const { data, errors } = await platform.query(`{ economicOperator(eori: "NL999999999") { eori name } }`);
    expect(errors).toBeUndefined();
    expect(data).toEqual({ economicOperator: null });
  });

  it('pages through operators with a filter', async () => {
    const query = `query ($after: String) { economicOperators(filter: { aeoType: AEOF, aeoStatus: VALID }, first: 30, after: $after) {
      totalCount pageInfo { hasNextPage endCursor } edges { node { eori } } } }`;
    const seen = new Set<string>();
    let after: string | null = null;
    for (let page = 0; page < 5; page++) {
      const response: GraphQLResponse<{ economicOperators: OperatorPage }> = await platform.query(query, { after });
      const page = response.data!.economicOperators;
      expect(page.totalCount).toBe(50);
      for (const edge of page.edges) seen.add(edge.node.eori);
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(seen.size).toBe(50);
  });

  it('rejects a page larger than 100', async () => {
    const { errors } = await platform.query(`{ economicOperators(first: 101) { totalCount } }`);
    expect(errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'first' });
  });

  it('forwards the caller identity to the subgraphs', async () => {
    await platform.query(
      `mutation { suspendAeoAuthorisation(input: { number: "NLAEOF0000000003", reason: "Audit finding", date: "2025-01-01" }) { status } }`,
      {},
      await signedIn(caller('aeo-auditor', { memberState: 'NL' }, 'auditor-42'), platform.trust),
    );
    const stored = await platform.aeo.models.authorisations.findById('NLAEOF0000000003').lean();
    expect(stored?.history.at(-1)?.recordedBy).toBe('auditor-42');
  });
});

describe('database round trips', () => {
  async function commandsFor(query: string, variables: Record<string, unknown>) {
    const { commands } = platform.aeo.database;
    commands.reset();
    const { errors } = await platform.query(query, variables);
    expect(errors).toBeUndefined();
    return commands.total;
  }

  it('are the same for a page of 1 operator and a page of 100, authorisations included', async () => {
    const query = `query ($first: Int) { economicOperators(first: $first) {
      edges { node { eori name aeoAuthorisations { number status holder { name } } } } } }`;
    const one = await commandsFor(query, { first: 1 });
    const hundred = await commandsFor(query, { first: 100 });
    expect(one).toBeGreaterThan(0);
    expect(hundred).toBe(one);
  });

  it('are the same for resolving 1 operator reference and 100', async () => {
    const query = `query ($representations: [_Any!]!) { _entities(representations: $representations) {
      ... on EconomicOperator { eori aeoAuthorisations { type status } } } }`;
    const refs = (n: number) => operators(n).map((row) => ({ __typename: 'EconomicOperator', eori: row._id }));
    // _entities is a subgraph query, so this goes to the AEO subgraph directly, as the gateway would send it.
    const { commands } = platform.aeo.database;
    const count = async (n: number) => {
      commands.reset();
      const response = await fetch(platform.aeo.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(await fromGateway(SERVICE, platform.trust)) },
        body: JSON.stringify({ query, variables: { representations: refs(n) } }),
      });
      const body = (await response.json()) as { data: { _entities: unknown[] } };
      expect(body.data._entities).toHaveLength(n);
      return commands.total;
    };
    const one = await count(1);
    expect(await count(100)).toBe(one);
    expect(one).toBe(2);
  });
});
