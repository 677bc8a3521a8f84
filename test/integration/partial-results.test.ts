// When a subgraph is down, slow or failing, the gateway still answers with everything the others
// can give: null where the failed subgraph would have answered, and an error on each such path
// naming the subgraph and the reason. The licences subgraph sits behind a proxy that fails on cue.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { apiSchema, contractOperation, pruneToSchema } from '../support/contract';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy';
import { chedLicence, declaration, entrySummary, mrn } from '../support/fixtures';
import { startPlatform, type GraphQLResponse, type Platform } from '../support/platform';

let platform: Platform;
let licences: FaultProxy;
type Data = Record<string, any>;
const operation = (name: string) => pruneToSchema(contractOperation(name), apiSchema());

const LICENCE_TIMEOUT_MS = 400;
const CIRCUIT_FAILURES = 3;
const CIRCUIT_OPEN_MS = 1_000;
/** The circuit's clock: an open circuit lets a probe through only once the test moves it on. */
const clock = { now: 0 };
const CHED = chedLicence(1).reference;
const FISH = mrn(1);
const ENS = entrySummary(2).mrn;

beforeAll(async () => {
  platform = await startPlatform({
    gatewaySubgraphUrl: async (subgraph, url) => (subgraph === 'licences' ? (licences = await startFaultProxy(url)).url : url),
    gateway: {
      fetchPolicies: { licences: { timeoutMs: LICENCE_TIMEOUT_MS, circuitFailures: CIRCUIT_FAILURES, circuitOpenMs: CIRCUIT_OPEN_MS, now: () => clock.now } },
    },
  });
  await platform.aeo.models.operators.create({ _id: 'NL100000001', name: 'Importer One B.V.', country: 'NL', aeoTags: [] });
  const issued = await platform.query(`mutation ($input: IssueLicenceInput!) { issueLicence(input: $input) { reference } }`, { input: chedLicence(1) });
  expect(issued.errors).toBeUndefined();
  const { kind: _kind, ...fish } = declaration(1);
  const lodged = await platform.query(`mutation ($input: LodgeDeclarationInput!) { lodgeDeclaration(input: $input) { mrn } }`, {
    input: {
      ...fish,
      items: [
        {
          ...fish.items[0]!,
          itemNumber: 1,
          commodityCode: '03021100',
          description: 'Fresh trout',
          supportingDocuments: [{ type: 'N853', reference: CHED }],
          containers: [],
        },
        {
          ...fish.items[0]!,
          itemNumber: 2,
          commodityCode: '03021100',
          description: 'Frozen trout',
          supportingDocuments: [{ type: 'N853', reference: CHED }],
          containers: [],
        },
      ],
    },
  });
  expect(lodged.errors).toBeUndefined();
  const { kind: _ens, ...ens } = entrySummary(2);
  const filed = await platform.query(`mutation ($input: FileEntrySummaryDeclarationInput!) { fileEntrySummaryDeclaration(input: $input) { mrn } }`, {
    input: ens,
  });
  expect(filed.errors).toBeUndefined();
}, 120_000);

afterEach(async () => {
  licences.set({ kind: 'pass' });
  await untilLicencesAnswer();
});

afterAll(async () => {
  await platform.stop();
  await licences.close();
});

/** The licences subgraph answers through the gateway again: the circuit has let a probe through and closed. */
async function untilLicencesAnswer(): Promise<void> {
  for (let tries = 0; tries < 100; tries++) {
    clock.now += CIRCUIT_OPEN_MS;
    const { errors } = await platform.query(`{ licence(reference: "${CHED}") { reference } }`);
    if (!errors) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('the licences subgraph did not answer through the gateway again');
}

function errorsOf(response: GraphQLResponse<unknown>) {
  return (response.errors ?? []).map(({ path, extensions }) => ({ path: path?.join('.'), code: extensions?.code, subgraph: extensions?.subgraph }));
}

describe('with the licences subgraph gone', () => {
  beforeEach(() => licences.down());
  afterEach(() => licences.up());

  it('answers ConsignmentScreen in full, without errors: it needs nothing of licences', async () => {
    const { data, errors } = await platform.query<Data>(operation('ConsignmentScreen'), { mrn: ENS });
    expect(errors).toBeUndefined();
    expect(data?.entrySummaryDeclaration).toMatchObject({
      mrn: ENS,
      consignments: [{ consignee: { eori: 'NL100000001', operator: { aeoAuthorisations: [] } } }],
    });
  });

  it("answers Trader360 with everything but the operator's licences, and one error there naming licences", async () => {
    const response = await platform.query<Data>(operation('Trader360'), { eori: 'NL100000001' });
    expect(response.data?.economicOperator).toMatchObject({ eori: 'NL100000001', name: 'Importer One B.V.', declarations: { totalCount: 1 }, licences: null });
    expect(errorsOf(response)).toEqual([{ path: 'economicOperator.licences', code: 'SUBGRAPH_UNAVAILABLE', subgraph: 'licences' }]);
  });

  it("answers DeclarationCheck with everything but each item's licence checks, and an error on each of them", async () => {
    const response = await platform.query<Data>(operation('DeclarationCheck'), { mrn: FISH });
    expect(response.data?.declaration).toMatchObject({
      mrn: FISH,
      importer: { eori: 'NL100000001', name: 'Importer One B.V.' },
      items: [
        { itemNumber: 1, commodityCode: '03021100', supportingDocuments: [{ reference: CHED }], licenceChecks: null },
        { itemNumber: 2, commodityCode: '03021100', supportingDocuments: [{ reference: CHED }], licenceChecks: null },
      ],
    });
    expect(errorsOf(response)).toEqual([
      { path: 'declaration.items.0.licenceChecks', code: 'SUBGRAPH_UNAVAILABLE', subgraph: 'licences' },
      { path: 'declaration.items.1.licenceChecks', code: 'SUBGRAPH_UNAVAILABLE', subgraph: 'licences' },
    ]);
  });

  it('says why in the error, without the subgraph’s address', async () => {
    const { errors } = await platform.query(operation('Trader360'), { eori: 'NL100000001' });
    expect(errors?.[0]?.extensions?.reason).toMatch(/connection refused|skipped for \d+ s more after \d+ failures in a row/);
    expect(JSON.stringify(errors)).not.toMatch(/127\.0\.0\.1|http:/);
  });

  it('names licences as down in /readyz, and stays ready itself', async () => {
    const response = await fetch(`${platform.gatewayUrl}/readyz`);
    const body = (await response.json()) as { status: string; subgraphs: Record<string, { state: string }> };
    expect(response.status).toBe(200);
    expect(body.status).toBe('degraded');
    expect(body.subgraphs.licences?.state).toBe('down');
    expect(body.subgraphs.declarations?.state).toBe('up');
  });
});

describe('when the licences subgraph is back', () => {
  it('answers DeclarationCheck in full again, by itself', async () => {
    await licences.down();
    const down = await platform.query<Data>(operation('DeclarationCheck'), { mrn: FISH });
    expect(down.data?.declaration.items[0].licenceChecks).toBeNull();
    await licences.up();
    await untilLicencesAnswer();
    const { data, errors } = await platform.query<Data>(operation('DeclarationCheck'), { mrn: FISH });
    expect(errors).toBeUndefined();
    expect(data?.declaration.items[0].licenceChecks).toContainEqual(expect.objectContaining({ reference: CHED, outcome: 'MATCHED' }));
  });
});

describe('with the licences subgraph slow', () => {
  it('gives up on it at its deadline, with SUBGRAPH_TIMEOUT on the fields it owes', async () => {
    licences.set({ kind: 'slow', delayMs: LICENCE_TIMEOUT_MS * 5 });
    const response = await platform.query<Data>(operation('Trader360'), { eori: 'NL100000001' });
    expect(response.data?.economicOperator).toMatchObject({ name: 'Importer One B.V.', licences: null });
    expect(response.errors?.[0]?.extensions).toMatchObject({
      code: 'SUBGRAPH_TIMEOUT',
      subgraph: 'licences',
      reason: `no answer within ${LICENCE_TIMEOUT_MS} ms`,
    });
  });

  it(`skips it without asking once it has failed ${CIRCUIT_FAILURES} times in a row`, async () => {
    licences.set({ kind: 'unavailable' });
    const before = licences.requests;
    const answers = [];
    for (let i = 0; i < CIRCUIT_FAILURES + 3; i++) answers.push(await platform.query(operation('Trader360'), { eori: 'NL100000001' }));
    expect(licences.requests - before).toBe(CIRCUIT_FAILURES);
    expect(answers.map((answer) => answer.errors?.[0]?.extensions?.code)).toEqual(Array(CIRCUIT_FAILURES + 3).fill('SUBGRAPH_UNAVAILABLE'));
    expect(answers.at(-1)?.errors?.[0]?.extensions?.reason).toMatch(/^skipped for \d+ s more after 3 failures in a row$/);
  });
});

describe('asking a subgraph', () => {
  it('tries a read once more when its connection drops, and answers in full', async () => {
    const before = licences.requests;
    licences.set({ kind: 'drop-next' });
    const { data, errors } = await platform.query<Data>(`{ licence(reference: "${CHED}") { reference status } }`);
    expect(errors).toBeUndefined();
    expect(data?.licence).toEqual({ reference: CHED, status: 'VALID' });
    expect(licences.requests - before).toBe(2);
  });

  it('never sends a mutation twice: a dropped one is reported, for the caller to retry', async () => {
    const before = licences.requests;
    licences.set({ kind: 'drop-next' });
    const { data, errors } = await platform.query<Data>(`mutation { suspendLicence(input: { reference: "${CHED}", reason: "Audit" }) { status } }`);
    expect(data).toBeNull();
    expect(errorsOf({ errors })).toEqual([{ path: 'suspendLicence', code: 'SUBGRAPH_UNAVAILABLE', subgraph: 'licences' }]);
    expect(licences.requests - before).toBe(1);
  });

  it('tells the subgraph how long the operation may still take', async () => {
    await platform.query(`{ licence(reference: "${CHED}") { reference } }`);
    const told = Number(licences.seenHeaders.at(-1)?.['x-request-timeout-ms']);
    expect(told).toBeGreaterThan(0);
    expect(told).toBeLessThanOrEqual(LICENCE_TIMEOUT_MS);
  });

  it('keeps its connections alive between fetches', async () => {
    const before = licences.connections;
    for (let i = 0; i < 20; i++) await platform.query(`{ licence(reference: "${CHED}") { reference } }`);
    expect(licences.connections - before).toBeLessThanOrEqual(1);
  });
});
