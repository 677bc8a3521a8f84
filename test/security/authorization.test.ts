// Authorisation declared in the schema (@requiresScopes, @policy) and enforced twice: the
// gateway removes what a caller may not see before planning, answering FORBIDDEN at each removed
// field's path and the rest as usual; a subgraph refuses the same fields to a request that
// reaches it for a caller without the scope.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kcsMrn, kcsRecordList, readKcsCsv } from '../../demo/kcs';
import type { Role } from '../../subgraphs/kit/auth/roles';
import { learnThroughGraph } from '../../subgraphs/risk/learning';
import { screenPending } from '../../subgraphs/risk/screening';
import { caller, signedIn } from '../support/auth';
import { contractOperation, contractOperationNames } from '../support/contract';
import { postToSubgraph, startPlatform, type GraphQLResponse, type Platform } from '../support/platform';

let platform: Platform;
type Data = Record<string, any>;

const HISTORY = readKcsCsv('data/kcs-synthetic/train.csv').slice(0, 120);
const MRN = kcsMrn(HISTORY[1]!);
const EORI = 'DE100000000001';
const AUTHORISATION = 'DEAEOF0000000001';

const OFFICER = caller('customs-officer', { memberState: 'NL' });
const PARTNER = caller('mra-partner', { programme: 'US-CTPAT' });
const SERVICE = caller('service');

async function as(who: ReturnType<typeof caller>, query: string, variables?: Record<string, unknown>): Promise<GraphQLResponse<Data>> {
  return platform.query<Data>(query, variables, await signedIn(who, platform.trust));
}

function forbidden(response: GraphQLResponse<Data>) {
  return (response.errors ?? [])
    .filter((error) => error.extensions?.code === 'FORBIDDEN')
    .map((error) => ({ path: error.path, field: error.extensions?.field }));
}

beforeAll(async () => {
  platform = await startPlatform();
  await platform.declarations.models.writer.write(kcsRecordList(HISTORY, { withLabels: true }));
  await learnThroughGraph(platform.risk.models, { batchSize: 60 });
  await screenPending(platform.risk.models, { batchSize: 100 });
  await platform.aeo.models.operators.create({ _id: EORI, name: 'Beispiel Logistik GmbH', country: 'DE', aeoTags: [] });
  await platform.aeo.models.authorisations.create({
    _id: AUTHORISATION,
    holder: EORI,
    type: 'AEOF',
    status: 'VALID',
    issuingCountry: 'DE',
    validFrom: '2018-01-01',
    history: [{ status: 'VALID', date: '2018-01-01', reason: 'Authorisation granted' }],
  });
  // The operator consents to the exchange of its data with partners: an AEO auditor of its Member State records it.
  const consent = await as(
    caller('aeo-auditor', { memberState: 'DE' }),
    `mutation { grantDataExchangeConsent(input: { eori: "${EORI}", date: "2024-01-01" }) { granted } }`,
  );
  expect(consent.errors).toBeUndefined();
}, 120_000);

afterAll(() => platform.stop());

describe('fields the gateway removes for a caller without their scope', () => {
  it('removes the reasons of an assessment for a customs officer, keeping its lane and score', async () => {
    const response = await as(OFFICER, contractOperation('DeclarationRisk'), { mrn: MRN });
    const assessment = response.data!.declaration.riskAssessment;
    expect(assessment).toMatchObject({ lane: expect.any(String), score: expect.any(Number), reasons: null });
    expect(forbidden(response)).toEqual([{ path: ['declaration', 'riskAssessment', 'reasons'], field: 'RiskAssessment.reasons' }]);
    expect(response.errors?.[0]?.message).toContain('risk-details:read');
  });

  it("answers an MRA partner an operator's mutual recognitions but not its name, with FORBIDDEN at the name's aliased path", async () => {
    const query = `query ($eori: ID!) { trader: economicOperator(eori: $eori) { eori name mutualRecognitions { programme { code } status } } }`;
    const response = await as(PARTNER, query, { eori: EORI });
    expect(response.data!.trader).toMatchObject({ eori: EORI, name: null });
    expect(response.data!.trader.mutualRecognitions.length).toBeGreaterThan(0);
    expect(forbidden(response)).toEqual([{ path: ['trader', 'name'], field: 'EconomicOperator.name' }]);
  });

  it('nulls a removed field in every element of a list, with one error whose path marks the list with @', async () => {
    const response = await as(OFFICER, contractOperation('ControlQueue'), { first: 5 });
    const nodes = response.data!.controlQueue.edges.map((edge: Data) => edge.node);
    expect(nodes.length).toBeGreaterThan(0);
    for (const node of nodes) expect(node).toMatchObject({ score: expect.any(Number), reasons: null });
    expect(forbidden(response)).toEqual([{ path: ['controlQueue', 'edges', '@', 'node', 'reasons'], field: 'RiskAssessment.reasons' }]);
  });

  it('answers data null and only the errors when nothing of the operation is left, asking no subgraph', async () => {
    platform.queryPlans.length = 0;
    const response = await as(OFFICER, `{ targetingRules { totalCount } }`);
    expect(response.data).toBeNull();
    expect(forbidden(response)).toEqual([{ path: ['targetingRules'], field: 'Query.targetingRules' }]);
    expect(platform.queryPlans).toHaveLength(0);
  });

  it('drops a variable only a removed field used, so the rest of the operation still runs', async () => {
    const query = `query ($mrn: ID!, $rule: ID!) { declaration(mrn: $mrn) { mrn } targetingRule(reference: $rule) { reference } }`;
    const response = await as(OFFICER, query, { mrn: MRN, rule: 'PCA-NONE' });
    expect(response.data).toEqual({ declaration: { mrn: MRN }, targetingRule: null });
    expect(forbidden(response)).toEqual([{ path: ['targetingRule'], field: 'Query.targetingRule' }]);
  });

  it('removes fields of a named fragment where it is spread, and keeps the rest of the fragment', async () => {
    const query = `query ($mrn: ID!) { declaration(mrn: $mrn) { ...Risk } } fragment Risk on Declaration { mrn riskAssessment { lane reasons { code } } }`;
    const response = await as(OFFICER, query, { mrn: MRN });
    expect(response.data!.declaration).toMatchObject({ mrn: MRN, riskAssessment: { lane: expect.any(String), reasons: null } });
    expect(forbidden(response)).toEqual([{ path: ['declaration', 'riskAssessment', 'reasons'], field: 'RiskAssessment.reasons' }]);
  });

  it('never reuses a query plan made for a caller who sees more', async () => {
    const query = `query ($mrn: ID!) { declaration(mrn: $mrn) { riskAssessment { lane reasons { code } } } }`;
    expect((await as(SERVICE, query, { mrn: MRN })).data!.declaration.riskAssessment.reasons).not.toBeNull();
    expect((await as(OFFICER, query, { mrn: MRN })).data!.declaration.riskAssessment.reasons).toBeNull();
  });
});

describe('the contract operations, for the roles that run them', () => {
  const VARIABLES: Record<string, Record<string, unknown>> = {
    Trader360: { eori: EORI },
    DeclarationCheck: { mrn: MRN },
    ConsignmentScreen: { mrn: MRN },
    DeclarationRisk: { mrn: MRN },
    ControlQueue: { first: 5 },
  };

  it.each<Role>(['service', 'commission-analyst'])('lets the %s run all five without a FORBIDDEN error', async (role) => {
    for (const name of contractOperationNames()) {
      const response = await as(caller(role), contractOperation(name), VARIABLES[name]);
      expect(forbidden(response), name).toEqual([]);
    }
  });

  it('lets a customs officer run DeclarationCheck and ConsignmentScreen whole, and ControlQueue without the reasons', async () => {
    expect(forbidden(await as(OFFICER, contractOperation('DeclarationCheck'), VARIABLES.DeclarationCheck))).toEqual([]);
    expect(forbidden(await as(OFFICER, contractOperation('ConsignmentScreen'), VARIABLES.ConsignmentScreen))).toEqual([]);
    expect(forbidden(await as(OFFICER, contractOperation('ControlQueue'), VARIABLES.ControlQueue)).map((error) => error.field)).toEqual([
      'RiskAssessment.reasons',
    ]);
  });
});

describe('writes a caller may not make', () => {
  const SUSPEND = `mutation ($number: ID!) { suspendAeoAuthorisation(input: { number: $number, reason: "Audit findings" }) { status } }`;

  it('refuses an MRA partner suspending an AEO authorisation, and the authorisation stays VALID', async () => {
    const response = await as(PARTNER, SUSPEND, { number: AUTHORISATION });
    expect(response.data).toBeNull();
    expect(forbidden(response)).toEqual([{ path: ['suspendAeoAuthorisation'], field: 'Mutation.suspendAeoAuthorisation' }]);
    expect((await platform.aeo.models.authorisations.findById(AUTHORISATION).lean().exec())?.status).toBe('VALID');
  });

  it('refuses a customs officer creating a targeting rule, and no rule is stored', async () => {
    const create = `mutation ($input: CreateTargetingRuleInput!) { createTargetingRule(input: $input) { reference } }`;
    const input = {
      reference: 'PCA-OFFICER',
      kind: 'LOCAL',
      description: 'Not the officer’s to write',
      criteria: { originCountries: ['CN'] },
      weight: 1,
      validFrom: '2020-01-01',
    };
    const response = await as(OFFICER, create, { input });
    expect(response.data).toBeNull();
    expect(forbidden(response)).toEqual([{ path: ['createTargetingRule'], field: 'Mutation.createTargetingRule' }]);
    expect(await platform.risk.models.rules.countDocuments({ _id: 'PCA-OFFICER' }).exec()).toBe(0);
  });

  it('registers a trade lane for an EU-wide commission analyst (policy eu-wide); a commission token confined to a Member State is no token at all', async () => {
    const register = `mutation ($code: ID!) { registerTradeLane(input: { code: $code, name: "SSTL test", origin: "CNSHA", destination: "NLRTM", transportMode: SEA, operators: [] }) { code } }`;
    // The policy itself is tested in test/unit/operation-filter.test.ts: no valid token reaches it confined.
    const confined = await as(caller('commission-analyst', { memberState: 'NL' }), register, { code: 'SSTL-CONFINED' });
    expect(confined.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(await platform.mra.models.lanes.countDocuments({ _id: 'SSTL-CONFINED' })).toBe(0);
    const euWide = await as(caller('commission-analyst'), register, { code: 'SSTL-EU-WIDE' });
    expect(euWide.errors).toBeUndefined();
    expect(euWide.data).toEqual({ registerTradeLane: { code: 'SSTL-EU-WIDE' } });
  });
});

describe('the subgraphs check the same directives', () => {
  it("refuses an operator's name to an MRA partner calling the aeo subgraph with a gateway token, naming the field and the scope", async () => {
    const response = await postToSubgraph<Data>(platform.aeo.url, `{ economicOperator(eori: "${EORI}") { eori name } }`, {}, PARTNER, platform.trust);
    expect(response.data?.economicOperator).toEqual({ eori: EORI, name: null });
    expect(response.errors?.[0]).toMatchObject({ path: ['economicOperator', 'name'], extensions: { code: 'FORBIDDEN', field: 'EconomicOperator.name' } });
    expect(response.errors?.[0]?.message).toMatch(/EconomicOperator\.name needs the scope operators:read/);
  });

  it('refuses entity resolution of a declaration to a caller without declarations:read', async () => {
    const query = `query ($representations: [_Any!]!) { _entities(representations: $representations) { ... on Declaration { mrn lrn } } }`;
    const response = await postToSubgraph<Data>(
      platform.declarations.url,
      query,
      { representations: [{ __typename: 'Declaration', mrn: MRN }] },
      PARTNER,
      platform.trust,
    );
    expect(response.data?._entities).toEqual([null]);
    expect(response.errors?.[0]).toMatchObject({ path: ['_entities', 0], extensions: { code: 'FORBIDDEN', field: 'Declaration' } });
    expect(response.errors?.[0]?.message).toContain('declarations:read');
  });

  it('refuses a targeting rule sent straight to the risk subgraph by a customs officer', async () => {
    const create = `mutation { createTargetingRule(input: { reference: "PCA-DIRECT", kind: LOCAL, description: "Direct", criteria: { originCountries: ["CN"] }, weight: 1, validFrom: "2020-01-01" }) { reference } }`;
    const response = await postToSubgraph<Data>(platform.risk.url, create, {}, OFFICER, platform.trust);
    expect(response.errors?.[0]).toMatchObject({ extensions: { code: 'FORBIDDEN', field: 'Mutation.createTargetingRule' } });
    expect(await platform.risk.models.rules.countDocuments({ _id: 'PCA-DIRECT' }).exec()).toBe(0);
  });
});
