// How the gateway speaks of a subgraph that fails: which fields go missing, when it stops asking,
// and how a failure the subgraph reports itself is named.
import { createServer, type Server } from 'node:http';
import type { GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CircuitBreaker } from '../../gateway/circuit-breaker';
import { fieldPaths, MAX_ERRORS_PER_FETCH, missingFieldErrors } from '../../gateway/missing-fields';
import { DEFAULT_FETCH_POLICY, fetchPolicyFromEnv, SubgraphSource, type FetchContext } from '../../gateway/subgraph-source';

describe('the fields a failed fetch leaves missing', () => {
  it('are the root fields of a root fetch, by alias', () => {
    expect(fieldPaths('query { licence(reference: "X") { status } other: licences { totalCount } __typename }', undefined)).toEqual([['licence'], ['other']]);
  });

  it("are each representation's fields of its own type in an entity fetch", () => {
    const query =
      'query($representations: [_Any!]!) { _entities(representations: $representations) { ... on GoodsItem { licenceChecks { outcome } } ... on EconomicOperator { licences { reference } } } }';
    const representations = [
      { __typename: 'GoodsItem', mrn: 'A', itemNumber: 1 },
      { __typename: 'EconomicOperator', eori: 'NL1' },
      { __typename: 'GoodsItem', mrn: 'A', itemNumber: 2 },
    ];
    expect(fieldPaths(query, { representations })).toEqual([
      ['_entities', 0, 'licenceChecks'],
      ['_entities', 1, 'licences'],
      ['_entities', 2, 'licenceChecks'],
    ]);
  });

  it('leave out what @skip and @include leave out, with the fetch’s variables', () => {
    const query =
      'query($brief: Boolean!) { licence(reference: "X") { status } other: licences @skip(if: $brief) { totalCount } third: licences @include(if: $brief) { totalCount } }';
    expect(fieldPaths(query, { brief: true })).toEqual([['licence'], ['third']]);
    expect(fieldPaths(query, { brief: false })).toEqual([['licence'], ['other']]);
  });

  it(`are named one error each, up to ${MAX_ERRORS_PER_FETCH}, and the rest counted in one more`, () => {
    const query = 'query($representations: [_Any!]!) { _entities(representations: $representations) { ... on GoodsItem { licenceChecks { outcome } } } }';
    const representations = Array.from({ length: MAX_ERRORS_PER_FETCH + 7 }, (_, index) => ({ __typename: 'GoodsItem', mrn: 'A', itemNumber: index + 1 }));
    const errors = missingFieldErrors('licences', query, { representations }, { code: 'SUBGRAPH_UNAVAILABLE', reason: 'connection refused' });
    expect(errors).toHaveLength(MAX_ERRORS_PER_FETCH + 1);
    expect(errors[0]).toMatchObject({
      path: ['_entities', 0, 'licenceChecks'],
      extensions: { code: 'SUBGRAPH_UNAVAILABLE', subgraph: 'licences', reason: 'connection refused' },
    });
    expect(errors.at(-1)).toMatchObject({ message: expect.stringMatching(/7 more fields are missing$/) });
    expect(errors.at(-1)?.path).toBeUndefined();
  });
});

describe('the circuit of a subgraph', () => {
  const at = { now: 0 };
  const breaker = () => new CircuitBreaker({ failureThreshold: 3, openMs: 1_000, now: () => at.now });
  const failTimes = (circuit: CircuitBreaker, times: number) => {
    for (let i = 0; i < times; i++) circuit.failed(circuit.tryPass()!);
  };

  it('opens after so many failures in a row, and lets nothing through while open', () => {
    const circuit = breaker();
    failTimes(circuit, 3);
    expect(circuit.state).toBe('open');
    expect(circuit.tryPass()).toBeUndefined();
  });

  it('lets one probe through once open long enough, and closes when it succeeds', () => {
    const circuit = breaker();
    failTimes(circuit, 3);
    at.now += 1_000;
    const probe = circuit.tryPass();
    expect(probe?.probe).toBe(true);
    expect(circuit.state).toBe('half-open');
    expect(circuit.tryPass()).toBeUndefined();
    circuit.succeeded(probe!);
    expect(circuit.state).toBe('closed');
    expect(circuit.tryPass()).toBeDefined();
  });

  it('closes at once when the subgraph reports itself ready, and opens again after as many failures', () => {
    const circuit = breaker();
    failTimes(circuit, 3);
    circuit.reportedReady();
    expect(circuit.state).toBe('closed');
    expect(circuit.tryPass()?.probe).toBe(false);
    failTimes(circuit, 2);
    expect(circuit.state).toBe('closed');
    failTimes(circuit, 1);
    expect(circuit.state).toBe('open');
  });

  it('opens again when the probe fails, and a success in between resets the count', () => {
    const circuit = breaker();
    failTimes(circuit, 2);
    circuit.succeeded(circuit.tryPass()!);
    failTimes(circuit, 2);
    expect(circuit.state).toBe('closed');
    failTimes(circuit, 1);
    at.now += 1_000;
    circuit.failed(circuit.tryPass()!);
    expect(circuit.state).toBe('open');
    expect(circuit.retryInMs).toBe(1_000);
  });

  it('hears only the probe while half-open: a request let through before it opened decides nothing', () => {
    const circuit = breaker();
    const early = circuit.tryPass()!;
    failTimes(circuit, 3);
    at.now += 1_000;
    const probe = circuit.tryPass()!;
    circuit.succeeded(early);
    circuit.failed(early);
    expect(circuit.state).toBe('half-open');
    expect(circuit.tryPass()).toBeUndefined();
    circuit.abandoned(probe);
    expect(circuit.tryPass()?.probe).toBe(true);
  });
});

describe('a subgraph that reports a failure of its own', () => {
  let server: Server;
  let url: string;
  beforeAll(async () => {
    server = createServer((_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(
        JSON.stringify({
          data: { licence: null, other: null, third: null },
          errors: [
            { message: 'MongoServerSelectionError: connect ECONNREFUSED 10.0.0.7:27017', path: ['licence'], extensions: { code: 'INTERNAL_SERVER_ERROR' } },
            { message: 'no time left', path: ['other'], extensions: { code: 'DEADLINE_EXCEEDED', reason: 'DEADLINE_PASSED' } },
            { message: 'Invalid reference', path: ['third'], extensions: { code: 'BAD_USER_INPUT', field: 'reference' } },
          ],
        }),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}/graphql`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('is named like a subgraph that did not answer, without its internals; the caller’s own errors pass as they are', async () => {
    const source = new SubgraphSource('licences', url, DEFAULT_FETCH_POLICY, () => {});
    // The gateway's executor passes more; the source reads only the request and the context.
    const options = {
      kind: 'incoming operation',
      request: { query: '{ licence(reference: "A") { status } other: licence(reference: "B") { status } third: licence(reference: "C") { status } }' },
      context: {},
    } as unknown as GraphQLDataSourceProcessOptions<FetchContext>;
    const response = await source.process(options);
    expect(response.errors?.map(({ path, extensions }) => [path?.[0], extensions])).toEqual([
      ['licence', { code: 'SUBGRAPH_ERROR', subgraph: 'licences', reason: 'internal error' }],
      ['other', { code: 'SUBGRAPH_TIMEOUT', subgraph: 'licences', reason: "the request's time was up" }],
      ['third', { code: 'BAD_USER_INPUT', field: 'reference' }],
    ]);
    expect(JSON.stringify(response.errors)).not.toMatch(/Mongo|10\.0\.0\.7/);
    expect(source.breaker.state).toBe('closed');
  });
});

describe('the fetch policy', () => {
  it("takes a subgraph's own deadline over its registry entry's, and that over the common one", () => {
    const env = { SUBGRAPH_TIMEOUT_MS: '2000', SUBGRAPH_RISK_TIMEOUT_MS: '45000' };
    expect(fetchPolicyFromEnv({ name: 'risk', fetchTimeoutMs: 30_000 }, env).timeoutMs).toBe(45_000);
    expect(fetchPolicyFromEnv({ name: 'risk', fetchTimeoutMs: 30_000 }, { SUBGRAPH_TIMEOUT_MS: '2000' }).timeoutMs).toBe(30_000);
    expect(fetchPolicyFromEnv({ name: 'aeo' }, env).timeoutMs).toBe(2_000);
    expect(fetchPolicyFromEnv({ name: 'aeo' }, {}).timeoutMs).toBe(DEFAULT_FETCH_POLICY.timeoutMs);
  });

  it('refuses a deadline that is no whole number of milliseconds, naming the setting', () => {
    expect(() => fetchPolicyFromEnv({ name: 'aeo' }, { SUBGRAPH_AEO_TIMEOUT_MS: '5s' })).toThrow(
      /SUBGRAPH_AEO_TIMEOUT_MS must be a whole number of milliseconds above 0, not "5s"/,
    );
  });
});
