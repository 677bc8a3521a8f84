// Which rows each role reaches: Dutch and German data side by side, read and written by callers
// of either Member State, through the gateway and straight against the subgraphs (_entities).
// Rows out of scope behave as if they did not exist, to writes too: a write to one is answered
// exactly as one to an unknown key, and changes nothing. A write to a row the caller sees but may
// not change is FORBIDDEN.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDeclarationsLoaders } from '../../subgraphs/declarations/loaders';
import { prepareDeclarationsModels } from '../../subgraphs/declarations/models';
import { learnThroughGraph } from '../../subgraphs/risk/learning';
import type { Caller } from '../../subgraphs/kit/auth/roles';
import { MRA_PROGRAMMES } from '../../subgraphs/mra/programmes';
import { registerLane, setConsent, writePartnerTrader } from '../../subgraphs/mra/writes';
import type { FilingFeatures } from '../../subgraphs/risk/model/features';
import { prepareRiskModels, type AssessmentDoc } from '../../subgraphs/risk/models';
import { touchQueue } from '../../subgraphs/risk/queue';
import { matchRule, type RuleDoc } from '../../subgraphs/risk/rules';
import { caller, signedIn } from '../support/auth';
import { controlResult, declaration, entrySummary, mrn } from '../support/fixtures';
import { postToSubgraph, startPlatform, type GraphQLResponse, type Platform } from '../support/platform';

let platform: Platform;
type Data = Record<string, any>;

const NL_OFFICER = caller('customs-officer', { memberState: 'NL' }, 'officer-nl');
const DE_OFFICER = caller('customs-officer', { memberState: 'DE' }, 'officer-de');
const NL_ANALYST = caller('risk-analyst', { memberState: 'NL' }, 'analyst-nl');
const DE_ANALYST = caller('risk-analyst', { memberState: 'DE' }, 'analyst-de');
const COMMISSION = caller('commission-analyst', {}, 'commission');
const NL_AUDITOR = caller('aeo-auditor', { memberState: 'NL' }, 'auditor-nl');
const DE_AUDITOR = caller('aeo-auditor', { memberState: 'DE' }, 'auditor-de');
const NL_CHED_AUTHORITY = caller('licensing-authority', { memberState: 'NL', licenceType: 'CHED' }, 'nvwa');
const US_PARTNER = caller('mra-partner', { programme: 'US-CTPAT' }, 'cbp');
const DPO = caller('data-protection-officer', {}, 'dpo');

// NL: lodged in the Netherlands by Dutch operators. DE: lodged in Germany by German operators.
// MIXED: lodged in the Netherlands by German operators (a Dutch officer's, a German auditor's).
const NL_MRN = mrn(1);
const DE_MRN = mrn(2, { country: 'DE' });
const MIXED_MRN = mrn(3);
const NL_ENS = mrn(11, { year: '26' });
const DE_ENS = mrn(12, { year: '26', country: 'DE' });
const DE_CHED = 'CHEDP.DE.2025.0000002';
const NL_CHED = 'CHEDP.NL.2025.0000001';
const NL_DUAL_USE = 'NL-DU-2025-000001';
const DE_DUAL_USE = 'DE-DU-2025-000002';

async function as<T = Data>(who: Caller, query: string, variables: Record<string, unknown> = {}): Promise<GraphQLResponse<T>> {
  return platform.query<T>(query, variables, await signedIn(who, platform.trust));
}

/** Straight to a subgraph, as the gateway would send it on behalf of `who`. */
function direct<T = Data>(url: string, who: Caller, query: string, variables: Record<string, unknown> = {}) {
  return postToSubgraph<T>(url, query, variables, who, platform.trust);
}

function ok<T>(response: GraphQLResponse<T>): T {
  expect(response.errors).toBeUndefined();
  return response.data!;
}

function forbidden(response: GraphQLResponse<unknown>, message: RegExp): void {
  expect(response.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  expect(response.errors?.[0]?.message).toMatch(message);
}

/**
 * A whole response with the key it names put aside: what must not tell an out-of-scope row from an
 * unknown one. Either key must name nothing else in the response.
 */
function asAnswered(response: GraphQLResponse<unknown>, key: string): unknown {
  return JSON.parse(JSON.stringify(response).replaceAll(key, '<key>'));
}

const mrns = (connection: { edges: { node: { mrn: string } }[] }) => connection.edges.map(({ node }) => node.mrn).sort();

function assessment(mrnValue: string, office: string, score: number): AssessmentDoc {
  return {
    _id: mrnValue,
    mrn: mrnValue,
    kind: 'DECLARATION',
    score,
    lane: 'RED',
    reasons: [],
    modelVersion: 1,
    randomlySelected: false,
    office,
    ruleHits: [],
    assessedAt: '2025-03-02T00:00:00.000Z',
    basis: 'test',
    memberState: office.slice(0, 2),
  };
}

beforeAll(async () => {
  platform = await startPlatform();
  const fish = {
    itemNumber: 1,
    commodityCode: '03021100',
    description: 'Fresh trout',
    originCountry: 'NO',
    netMass: 100,
    itemAmount: { amount: 900, currency: 'EUR' },
    supportingDocuments: [{ type: 'N853', reference: DE_CHED }],
  };
  const results = await platform.declarations.models.writer.write([
    declaration(1, { items: [fish] }),
    declaration(2, { mrn: DE_MRN, officeOfPresentation: 'DE004000', importer: { eori: 'DE100000000001' }, declarant: { eori: 'DE800000000001' } }),
    // Quotes a CHED held by a Dutch operator: a German auditor reaches the item, not the licence.
    declaration(3, { importer: { eori: 'DE100000000002' }, declarant: { eori: 'DE800000000001' }, items: [fish] }),
    controlResult(1),
    controlResult(2, { mrn: DE_MRN, office: 'DE004000' }),
    entrySummary(11),
    entrySummary(12, {
      mrn: DE_ENS,
      officeOfFirstEntry: 'DE004000',
      consignments: [
        {
          ...entrySummary(12).consignments[0]!,
          consignee: { eori: 'DE100000000001', name: 'Einfuhr GmbH' },
          placeOfUnloading: 'DEHAM',
        },
      ],
    }),
  ]);
  expect(results.filter(({ status }) => status === 'rejected')).toEqual([]);

  const { operators, authorisations } = platform.aeo.models;
  for (const [eori, number] of [
    ['NL100000001', 'NLAEOF0000000001'],
    ['DE100000000001', 'DEAEOF0000000001'],
  ] as const) {
    await operators.create({ _id: eori, name: `Operator ${eori}`, country: eori.slice(0, 2), aeoTags: ['AEOF', 'AEOF:VALID', 'VALID'] });
    await authorisations.create({
      _id: number,
      holder: eori,
      type: 'AEOF',
      status: 'VALID',
      issuingCountry: eori.slice(0, 2),
      validFrom: '2024-01-01',
      history: [{ status: 'VALID', date: '2024-01-01', reason: 'Authorisation granted' }],
    });
  }

  const issue = (input: Record<string, unknown>) =>
    platform.query(`mutation ($input: IssueLicenceInput!) { issueLicence(input: $input) { reference } }`, {
      input: {
        issuingAuthority: 'Authority',
        validFrom: '2025-01-01',
        validUntil: '2027-12-31',
        goods: [{ commodityCode: '0302', quantity: 500, unit: 'KGM' }],
        ...input,
      },
    });
  for (const input of [
    { reference: NL_CHED, type: 'CHED_P', issuingCountry: 'NL', holder: 'NL100000001', decision: 'ACCEPTABLE_FOR_RELEASE' },
    { reference: DE_CHED, type: 'CHED_P', issuingCountry: 'DE', holder: 'NL100000001', decision: 'ACCEPTABLE_FOR_RELEASE' },
    { reference: NL_DUAL_USE, type: 'DUAL_USE', issuingCountry: 'NL', holder: 'NL100000001' },
    { reference: DE_DUAL_USE, type: 'DUAL_USE', issuingCountry: 'DE', holder: 'DE100000000001' },
  ]) {
    expect((await issue(input)).errors).toBeUndefined();
  }

  const mra = platform.mra.models;
  const trader = { kind: 'partnerTrader', name: 'Trader', certifiedFrom: '2024-01-01', listDate: '2025-01-01' } as const;
  await writePartnerTrader(mra, MRA_PROGRAMMES, { ...trader, programme: 'US-CTPAT', identifier: 'AB12CD34' });
  await writePartnerTrader(mra, MRA_PROGRAMMES, { ...trader, programme: 'JP-AEO', identifier: 'JPAEO1234567890' });
  await setConsent(mra, { eori: 'NL100000001' }, true);
  await registerLane(mra, {
    code: 'CSST-SHA-RTM',
    name: 'Shanghai to Rotterdam',
    origin: 'CNSHA',
    destination: 'NLRTM',
    transportMode: 'SEA',
    operators: ['NL100000001'],
    status: 'ACTIVE',
  });

  const risk = platform.risk.models;
  const assessments = [assessment(NL_MRN, 'NL000396', 0.9), assessment(DE_MRN, 'DE004000', 0.8), assessment(MIXED_MRN, 'NL000396', 0.7)];
  await risk.assessments.insertMany(assessments);
  await risk.queueEntries.insertMany(assessments.map(({ _id, kind, score, lane, office, memberState }) => ({ _id, kind, score, lane, office, memberState })));
  await touchQueue(risk);
}, 120_000);

afterAll(() => platform.stop());

const DECLARATIONS = `{ declarations { totalCount edges { node { mrn } } } }`;
const DECLARATION = `query ($mrn: ID!) { declaration(mrn: $mrn) { mrn } }`;
const DECLARATION_ENTITIES = `query ($r: [_Any!]!) { _entities(representations: $r) { ... on Declaration { mrn } } }`;
const ENS_LIST = `{ entrySummaryDeclarations { totalCount edges { node { mrn } } } }`;
const CONTROLS = `{ controlResults { totalCount edges { node { id office } } } }`;
const RECORD_CONTROL = `mutation ($input: RecordControlResultInput!) { recordControlResult(input: $input) { id } }`;
const declarationRefs = (...values: string[]) => ({ r: values.map((value) => ({ __typename: 'Declaration', mrn: value })) });

describe('customs officers and risk analysts: filings of their Member State', () => {
  it('shows a Dutch customs officer the declarations lodged at Dutch offices, and counts only those', async () => {
    const { declarations } = ok(await as(NL_OFFICER, DECLARATIONS));
    expect(mrns(declarations)).toEqual([NL_MRN, MIXED_MRN].sort());
    expect(declarations.totalCount).toBe(2);
  });

  it('hides a German declaration from a Dutch customs officer, by MRN and in a batch', async () => {
    expect(ok(await as(NL_OFFICER, DECLARATION, { mrn: DE_MRN })).declaration).toBeNull();
    const { declarationsByMrn } = ok(await as(NL_OFFICER, `query ($m: [ID!]!) { declarationsByMrn(mrns: $m) { mrn } }`, { m: [DE_MRN, NL_MRN] }));
    expect(declarationsByMrn).toEqual([null, { mrn: NL_MRN }]);
  });

  it('resolves a German declaration to null in _entities for a Dutch customs officer', async () => {
    const { _entities } = ok(await direct(platform.declarations.url, NL_OFFICER, DECLARATION_ENTITIES, declarationRefs(DE_MRN, NL_MRN)));
    expect(_entities).toEqual([null, { mrn: NL_MRN }]);
  });

  it('shows a German customs officer only the German declaration', async () => {
    expect(mrns(ok(await as(DE_OFFICER, DECLARATIONS)).declarations)).toEqual([DE_MRN]);
  });

  it("shows an officer the ENS whose office of first entry is its Member State's, and hides the others", async () => {
    const nl = ok(await as(NL_OFFICER, ENS_LIST)).entrySummaryDeclarations;
    expect({ mrns: mrns(nl), totalCount: nl.totalCount }).toEqual({ mrns: [NL_ENS], totalCount: 1 });
    const { entrySummaryDeclaration } = ok(await as(NL_OFFICER, `query ($mrn: ID!) { entrySummaryDeclaration(mrn: $mrn) { mrn } }`, { mrn: DE_ENS }));
    expect(entrySummaryDeclaration).toBeNull();
    const { _entities } = ok(
      await direct(
        platform.declarations.url,
        DE_OFFICER,
        `query ($r: [_Any!]!) { _entities(representations: $r) { ... on EntrySummaryDeclaration { mrn } } }`,
        {
          r: [NL_ENS, DE_ENS].map((value) => ({ __typename: 'EntrySummaryDeclaration', mrn: value })),
        },
      ),
    );
    expect(_entities).toEqual([null, { mrn: DE_ENS }]);
  });

  it("shows an officer the control results made at its Member State's offices only", async () => {
    const { controlResults } = ok(await as(DE_OFFICER, CONTROLS));
    expect(controlResults.totalCount).toBe(1);
    expect(controlResults.edges[0].node.office).toBe('DE004000');
  });

  it("keeps the change feed, which numbers every Member State's writes, from callers scoped to one", async () => {
    const response = await as(NL_OFFICER, `{ changes(first: 100) { edges { cursor node { sequence kind mrn } } pageInfo { endCursor } } }`);
    expect(response.data).toBeNull();
    expect(response.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', field: 'changes' });
    const { changes } = ok(await as(COMMISSION, `{ changes(first: 100) { edges { node { mrn } } } }`));
    expect(changes.edges.map(({ node }: Data) => node.mrn)).toEqual(expect.arrayContaining([NL_MRN, DE_MRN, DE_ENS]));
  });

  it("counts only an officer's own Member State's declarations in an operator's control statistics", async () => {
    const query = `query ($r: [_Any!]!) { _entities(representations: $r) { ... on EconomicOperator { controlStatistics(role: DECLARANT) { declarationsLodged } } } }`;
    const r = [{ __typename: 'EconomicOperator', eori: 'DE800000000001' }];
    expect(ok(await direct(platform.declarations.url, DE_OFFICER, query, { r }))._entities[0].controlStatistics.declarationsLodged).toBe(1);
    expect(ok(await direct(platform.declarations.url, COMMISSION, query, { r }))._entities[0].controlStatistics.declarationsLodged).toBe(2);
  });

  it('answers a Dutch officer recording a control of a German declaration as if the declaration did not exist, writing nothing', async () => {
    const before = await platform.declarations.models.controlResults.countDocuments({});
    const control = { lane: 'YELLOW', controlType: 'DOCUMENTARY_CHECK', outcome: 'NO_IRREGULARITY', date: '2025-03-21', office: 'DE004000' };
    const unknown = mrn(98, { country: 'DE' });
    const german = await as(NL_OFFICER, RECORD_CONTROL, { input: { ...control, mrn: DE_MRN } });
    const neverLodged = await as(NL_OFFICER, RECORD_CONTROL, { input: { ...control, mrn: unknown } });
    expect(german.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'mrn' });
    expect(german.errors?.[0]?.message).toBe(`Invalid mrn: no declaration with MRN ${DE_MRN} has been lodged`);
    expect(asAnswered(german, DE_MRN)).toEqual(asAnswered(neverLodged, unknown));
    expect(await platform.declarations.models.controlResults.countDocuments({})).toBe(before);
  });

  it('refuses a Dutch officer recording a control of a Dutch declaration at a German office, naming only the office, and writes nothing', async () => {
    const before = await platform.declarations.models.controlResults.countDocuments({});
    const response = await as(NL_OFFICER, RECORD_CONTROL, {
      input: { mrn: NL_MRN, lane: 'YELLOW', controlType: 'DOCUMENTARY_CHECK', outcome: 'NO_IRREGULARITY', date: '2025-03-21', office: 'DE004000' },
    });
    forbidden(response, /^the office DE004000 is in DE; a customs-officer of NL may record controls only of NL$/);
    expect(await platform.declarations.models.controlResults.countDocuments({})).toBe(before);
  });

  it('lets a Dutch officer record a control of a Dutch declaration at a Dutch office', async () => {
    const response = await as(NL_OFFICER, RECORD_CONTROL, {
      input: { mrn: MIXED_MRN, lane: 'YELLOW', controlType: 'DOCUMENTARY_CHECK', outcome: 'NO_IRREGULARITY', date: '2025-03-21', office: 'NL000396' },
    });
    expect(ok(response).recordControlResult.id).toContain(MIXED_MRN);
  });

  it("ranks only a Dutch risk analyst's own Member State's assessments in the control queue", async () => {
    const { controlQueue } = ok(await as(NL_ANALYST, `{ controlQueue { totalCount edges { node { mrn office } } } }`));
    expect(controlQueue.totalCount).toBe(2);
    expect(controlQueue.edges.map(({ node }: Data) => node.mrn)).toEqual([NL_MRN, MIXED_MRN]);
    const all = ok(await as(COMMISSION, `{ controlQueue { totalCount } }`)).controlQueue;
    expect(all.totalCount).toBe(3);
  });

  it("hides a German declaration's assessment from a Dutch risk analyst in the risk subgraph's _entities", async () => {
    const query = `query ($r: [_Any!]!) { _entities(representations: $r) { ... on Declaration { riskAssessment { score } } } }`;
    const { _entities } = ok(await direct(platform.risk.url, NL_ANALYST, query, declarationRefs(DE_MRN, NL_MRN)));
    expect(_entities).toEqual([{ riskAssessment: null }, { riskAssessment: { score: 0.9 } }]);
  });

  it('reports a German declaration a Dutch risk analyst screens as it reports an unknown MRN, assessing nothing', async () => {
    // A model to screen with, from the few filings here: lanes cut at shares a handful of scores can give.
    const risk = platform.risk.models;
    await learnThroughGraph({ ...risk, settings: { ...risk.settings, capacity: { redShare: 0.5, yellowShare: 0.3 } } }, { batchSize: 50 });
    const before = await platform.risk.models.assessments.find({}).lean().exec();
    const SCREEN = `mutation ($m: [ID!]!) { screen(mrns: $m) { assessed unchanged notFound assessments { mrn } } }`;
    const unknown = mrn(97, { country: 'DE' });
    const german = await as(NL_ANALYST, SCREEN, { m: [DE_MRN] });
    expect(ok(german).screen).toEqual({ assessed: 0, unchanged: 0, notFound: [DE_MRN], assessments: [] });
    expect(asAnswered(german, DE_MRN)).toEqual(asAnswered(await as(NL_ANALYST, SCREEN, { m: [unknown] }), unknown));
    // Among others, in the order asked, as unknown ones are.
    const mixed = ok(await as(NL_ANALYST, SCREEN, { m: [unknown, DE_MRN] })).screen;
    expect({ notFound: mixed.notFound, assessments: mixed.assessments }).toEqual({ notFound: [unknown, DE_MRN], assessments: [] });
    expect(await platform.risk.models.assessments.find({}).lean().exec()).toEqual(before);
  });
});

describe('targeting rules: by Member State, or EU-wide', () => {
  const CREATE = `mutation ($input: CreateTargetingRuleInput!) { createTargetingRule(input: $input) { reference memberState revision } }`;
  const CHANGE = `mutation ($input: ChangeTargetingRuleInput!) { changeTargetingRule(input: $input) { reference revision } }`;
  const RULES = `{ targetingRules { totalCount edges { node { reference memberState } } } }`;
  const rule = (reference: string) => ({
    reference,
    kind: 'RISK_INFORMATION_FORM',
    description: `Rule ${reference}`,
    criteria: { originCountries: ['CN'] },
    weight: 1,
    validFrom: '2025-01-01',
  });
  const references = (data: Data) => data.targetingRules.edges.map(({ node }: Data) => node.reference).sort();

  beforeAll(async () => {
    expect(ok(await as(NL_ANALYST, CREATE, { input: rule('RIF-NL-1') })).createTargetingRule).toMatchObject({ memberState: 'NL' });
    expect(ok(await as(DE_ANALYST, CREATE, { input: rule('RIF-DE-1') })).createTargetingRule).toMatchObject({ memberState: 'DE' });
    expect(ok(await as(COMMISSION, CREATE, { input: rule('PCA-EU-1') })).createTargetingRule).toMatchObject({ memberState: null });
  });

  it("gives a rule an analyst creates the analyst's Member State, and a Commission analyst's none (EU-wide)", async () => {
    const stored = await platform.risk.models.rules.find({}).lean().exec();
    expect(Object.fromEntries(stored.map((doc) => [doc._id, doc.memberState]))).toEqual({ 'RIF-NL-1': 'NL', 'RIF-DE-1': 'DE', 'PCA-EU-1': null });
  });

  it('shows a German analyst the German and EU-wide rules, not the Dutch one, and counts only those', async () => {
    const data = ok(await as(DE_ANALYST, RULES));
    expect(references(data)).toEqual(['PCA-EU-1', 'RIF-DE-1']);
    expect(data.targetingRules.totalCount).toBe(2);
    expect(ok(await as(DE_ANALYST, `{ targetingRule(reference: "RIF-NL-1") { reference } }`)).targetingRule).toBeNull();
    const { _entities } = ok(
      await direct(platform.risk.url, DE_ANALYST, `query ($r: [_Any!]!) { _entities(representations: $r) { ... on TargetingRule { reference } } }`, {
        r: ['RIF-NL-1', 'PCA-EU-1'].map((reference) => ({ __typename: 'TargetingRule', reference })),
      }),
    );
    expect(_entities).toEqual([null, { reference: 'PCA-EU-1' }]);
  });

  it('shows a Commission analyst every rule', async () => {
    expect(references(ok(await as(COMMISSION, RULES)))).toEqual(['PCA-EU-1', 'RIF-DE-1', 'RIF-NL-1']);
  });

  it('refuses a German analyst changing a Dutch rule, and leaves it at its revision', async () => {
    forbidden(
      await as(DE_ANALYST, CHANGE, { input: { reference: 'RIF-NL-1', revision: 1, weight: 2 } }),
      /RIF-NL-1 is NL's; a risk-analyst of DE may change only DE's rules/,
    );
    expect((await platform.risk.models.rules.findById('RIF-NL-1').lean().exec())?.revision).toBe(1);
  });

  it('refuses an analyst retiring an EU-wide rule, and the Commission changing a Member State rule', async () => {
    forbidden(await as(NL_ANALYST, `mutation { retireTargetingRule(reference: "PCA-EU-1", revision: 1) { status } }`), /PCA-EU-1 is EU-wide/);
    forbidden(await as(COMMISSION, CHANGE, { input: { reference: 'RIF-DE-1', revision: 1, weight: 2 } }), /only EU-wide rules/);
    const stored = await platform.risk.models.rules.find({}).lean().exec();
    expect(stored.map((doc) => [doc._id, doc.status, doc.revision]).sort()).toEqual([
      ['PCA-EU-1', 'ACTIVE', 1],
      ['RIF-DE-1', 'ACTIVE', 1],
      ['RIF-NL-1', 'ACTIVE', 1],
    ]);
  });

  it('lets an analyst change its own Member State rule', async () => {
    expect(ok(await as(NL_ANALYST, CHANGE, { input: { reference: 'RIF-NL-1', revision: 1, weight: 2 } })).changeTargetingRule.revision).toBe(2);
  });

  it("applies a Member State's rule only to filings of that Member State, and an EU-wide rule to all", () => {
    const features = (office: string) => ({ kind: 'DECLARATION', mrn: NL_MRN, date: '2025-03-01', office, routes: [], items: [] }) as unknown as FilingFeatures;
    const base = {
      criteria: {
        offices: [],
        operators: [],
        transportModes: [],
        placesOfLoading: [],
        placesOfUnloading: [],
        commodityCodePrefixes: [],
        originCountries: [],
        valuePerKgBelow: null,
        valuePerKgAbove: null,
      },
      status: 'ACTIVE',
      validFrom: '2025-01-01',
      validUntil: null,
    } as Pick<RuleDoc, 'criteria' | 'status' | 'validFrom' | 'validUntil'>;
    expect(matchRule({ ...base, memberState: 'DE' }, features('DE004000'))).not.toBeNull();
    expect(matchRule({ ...base, memberState: 'DE' }, features('NL000396'))).toBeNull();
    expect(matchRule({ ...base, memberState: null }, features('NL000396'))).not.toBeNull();
  });
});

describe('AEO auditors: operators EU-wide, filings and licences of operators established in their Member State', () => {
  const SUSPEND = `mutation ($input: AeoStatusChangeInput!) { suspendAeoAuthorisation(input: $input) { number status } }`;

  it('reads operators and authorisations of every Member State', async () => {
    const { economicOperators } = ok(await as(NL_AUDITOR, `{ economicOperators { totalCount } }`));
    expect(economicOperators.totalCount).toBe(2);
    expect(ok(await as(NL_AUDITOR, `{ aeoAuthorisation(number: "DEAEOF0000000001") { number } }`)).aeoAuthorisation).toEqual({ number: 'DEAEOF0000000001' });
  });

  it('shows a Dutch auditor the declarations whose importer or declarant is established in the Netherlands', async () => {
    const { declarations } = ok(await as(NL_AUDITOR, DECLARATIONS));
    expect({ mrns: mrns(declarations), totalCount: declarations.totalCount }).toEqual({ mrns: [NL_MRN], totalCount: 1 });
  });

  it("shows a German auditor German operators' declarations wherever lodged, and hides the Dutch one in _entities", async () => {
    expect(mrns(ok(await as(DE_AUDITOR, DECLARATIONS)).declarations)).toEqual([DE_MRN, MIXED_MRN].sort());
    const { _entities } = ok(await direct(platform.declarations.url, DE_AUDITOR, DECLARATION_ENTITIES, declarationRefs(NL_MRN, MIXED_MRN)));
    expect(_entities).toEqual([null, { mrn: MIXED_MRN }]);
  });

  it("shows an auditor ENS by consignee or consignor, and controls of its operators' declarations", async () => {
    expect(mrns(ok(await as(DE_AUDITOR, ENS_LIST)).entrySummaryDeclarations)).toEqual([DE_ENS]);
    const { controlResults } = ok(await as(NL_AUDITOR, CONTROLS));
    expect(controlResults.edges.map(({ node }: Data) => node.id.split('/')[0])).toEqual([NL_MRN]);
  });

  it('shows an auditor the licences held by operators established in its Member State', async () => {
    const { licences } = ok(await as(DE_AUDITOR, `{ licences { totalCount edges { node { reference } } } }`));
    expect(licences.edges.map(({ node }: Data) => node.reference)).toEqual([DE_DUAL_USE]);
    expect(licences.totalCount).toBe(1);
  });

  it('refuses a German auditor suspending a Dutch authorisation, and writes nothing', async () => {
    const response = await as(DE_AUDITOR, SUSPEND, { input: { number: 'NLAEOF0000000001', reason: 'Audit findings' } });
    forbidden(response, /the authorisation NLAEOF0000000001 was issued by NL; an aeo-auditor of DE may change only DE's/);
    const stored = await platform.aeo.models.authorisations.findById('NLAEOF0000000001').lean().exec();
    expect({ status: stored?.status, history: stored?.history.length }).toEqual({ status: 'VALID', history: 1 });
  });

  it('refuses a Dutch auditor granting an authorisation issued by Germany, and writes nothing', async () => {
    const response = await as(NL_AUDITOR, `mutation ($input: GrantAeoAuthorisationInput!) { grantAeoAuthorisation(input: $input) { number } }`, {
      input: { number: 'DEAEOC0000000009', holder: 'DE100000000001', type: 'AEOC', validFrom: '2025-01-01' },
    });
    forbidden(response, /issued by DE; an aeo-auditor of NL may grant only NL's/);
    expect(await platform.aeo.models.authorisations.countDocuments({ _id: 'DEAEOC0000000009' })).toBe(0);
  });

  it('refuses a German auditor granting a German number to a French operator, and writes nothing', async () => {
    const response = await as(DE_AUDITOR, `mutation ($input: GrantAeoAuthorisationInput!) { grantAeoAuthorisation(input: $input) { number } }`, {
      input: { number: 'DEAEOF0000000077', holder: 'FR12345678901', type: 'AEOF', validFrom: '2025-01-01' },
    });
    expect(response.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'holder' });
    expect(await platform.aeo.models.authorisations.countDocuments({ _id: 'DEAEOF0000000077' })).toBe(0);
  });

  it('lets a German auditor suspend a German authorisation', async () => {
    const response = await as(DE_AUDITOR, SUSPEND, { input: { number: 'DEAEOF0000000001', reason: 'Audit findings' } });
    expect(ok(response).suspendAeoAuthorisation).toEqual({ number: 'DEAEOF0000000001', status: 'SUSPENDED' });
  });

  it("refuses an auditor recording consent for another Member State's operator", async () => {
    const response = await as(DE_AUDITOR, `mutation { grantDataExchangeConsent(input: { eori: "NL100000001" }) { granted } }`);
    forbidden(response, /established in NL/);
  });
});

describe("licences: a licensing authority's family and Member State; officials' by issuer or as quoted", () => {
  const LICENCES = `{ licences { totalCount edges { node { reference } } } }`;
  const SUSPEND = `mutation ($input: LicenceStatusInput!) { suspendLicence(input: $input) { reference status } }`;
  const references = (data: Data) => data.licences.edges.map(({ node }: Data) => node.reference).sort();

  it('shows a Dutch CHED authority only CHEDs issued in the Netherlands', async () => {
    const data = ok(await as(NL_CHED_AUTHORITY, LICENCES));
    expect({ references: references(data), totalCount: data.licences.totalCount }).toEqual({ references: [NL_CHED], totalCount: 1 });
    expect(ok(await as(NL_CHED_AUTHORITY, `{ licence(reference: "${DE_CHED}") { reference } }`)).licence).toBeNull();
    const { _entities } = ok(
      await direct(platform.licences.url, NL_CHED_AUTHORITY, `query ($r: [_Any!]!) { _entities(representations: $r) { ... on Licence { reference } } }`, {
        r: [NL_DUAL_USE, NL_CHED].map((reference) => ({ __typename: 'Licence', reference })),
      }),
    );
    expect(_entities).toEqual([null, { reference: NL_CHED }]);
  });

  it("answers a licensing authority cancelling another authority's licence as it answers an unknown reference", async () => {
    const CANCEL = `mutation ($input: LicenceStatusInput!) { cancelLicence(input: $input) { reference status } }`;
    const unknown = 'CHEDP.DE.2025.0000099';
    const neverIssued = asAnswered(await as(NL_CHED_AUTHORITY, CANCEL, { input: { reference: unknown, reason: 'x' } }), unknown);
    expect(neverIssued).toMatchObject({ errors: [{ message: 'No licence <key>', extensions: { code: 'NOT_FOUND' } }] });
    for (const reference of [DE_CHED, NL_DUAL_USE]) {
      const response = await as(NL_CHED_AUTHORITY, CANCEL, { input: { reference, reason: 'x' } });
      expect(asAnswered(response, reference), reference).toEqual(neverIssued);
      expect(JSON.stringify(asAnswered(response, reference))).not.toMatch(/DUAL_USE|CHED_|issued by|\bDE\b/);
    }
    const stored = await platform.licences.models.licences
      .find({ _id: { $in: [DE_CHED, NL_DUAL_USE] } })
      .lean()
      .exec();
    expect(stored.map((doc) => [doc.status, doc.history.length])).toEqual([
      ['VALID', 1],
      ['VALID', 1],
    ]);
  });

  it("answers a licensing authority suspending or amending another authority's licence, or one of another family, as an unknown reference, writing nothing", async () => {
    const AMEND = `mutation ($input: AmendLicenceInput!) { amendLicence(input: $input) { reference validUntil } }`;
    const unknown = 'NL-DU-2025-000099';
    const neverIssued = {
      suspend: asAnswered(await as(NL_CHED_AUTHORITY, SUSPEND, { input: { reference: unknown, reason: 'x' } }), unknown),
      amend: asAnswered(await as(NL_CHED_AUTHORITY, AMEND, { input: { reference: unknown, validUntil: '2028-01-01' } }), unknown),
    };
    for (const reference of [DE_CHED, NL_DUAL_USE]) {
      expect(asAnswered(await as(NL_CHED_AUTHORITY, SUSPEND, { input: { reference, reason: 'x' } }), reference), reference).toEqual(neverIssued.suspend);
      expect(asAnswered(await as(NL_CHED_AUTHORITY, AMEND, { input: { reference, validUntil: '2028-01-01' } }), reference), reference).toEqual(
        neverIssued.amend,
      );
    }
    const stored = await platform.licences.models.licences
      .find({ _id: { $in: [DE_CHED, NL_DUAL_USE] } })
      .lean()
      .exec();
    expect(stored.map((doc) => [doc.status, doc.validUntil])).toEqual([
      ['VALID', '2027-12-31'],
      ['VALID', '2027-12-31'],
    ]);
  });

  it('refuses a Dutch CHED authority issuing a dual-use licence, and answers its drawing on one as on an unknown reference, writing nothing', async () => {
    const issued = await as(NL_CHED_AUTHORITY, `mutation ($input: IssueLicenceInput!) { issueLicence(input: $input) { reference } }`, {
      input: {
        reference: 'NL-DU-2025-000009',
        type: 'DUAL_USE',
        issuingAuthority: 'CDIU',
        issuingCountry: 'NL',
        holder: 'NL100000001',
        validFrom: '2025-01-01',
        validUntil: '2026-01-01',
        goods: [{ commodityCode: '8517', quantity: 5, unit: 'NAR' }],
      },
    });
    forbidden(issued, /a licensing-authority for CHED licences of NL may write only CHED licences issued by NL/);
    const USE = `mutation ($input: RecordLicenceUsageInput!) { recordLicenceUsage(input: $input) { reference } }`;
    const used = await as(NL_CHED_AUTHORITY, USE, { input: { reference: NL_DUAL_USE, mrn: NL_MRN, itemNumber: 1, quantity: 1 } });
    const unknown = 'NL-DU-2025-000098';
    const neverIssued = await as(NL_CHED_AUTHORITY, USE, { input: { reference: unknown, mrn: NL_MRN, itemNumber: 1, quantity: 1 } });
    expect(used.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect(asAnswered(used, NL_DUAL_USE)).toEqual(asAnswered(neverIssued, unknown));
    expect(await platform.licences.models.licences.countDocuments({})).toBe(4);
    expect(await platform.licences.models.states.countDocuments({})).toBe(4);
  });

  it('lets a Dutch CHED authority suspend a Dutch CHED', async () => {
    expect(ok(await as(NL_CHED_AUTHORITY, SUSPEND, { input: { reference: NL_CHED, reason: 'Border post decision' } })).suspendLicence.status).toBe('SUSPENDED');
  });

  it('shows a Dutch officer the licences the Netherlands issued when asked directly', async () => {
    expect(references(ok(await as(NL_OFFICER, LICENCES)))).toEqual([NL_DUAL_USE, NL_CHED].sort());
    expect(ok(await as(NL_OFFICER, `{ licence(reference: "${DE_CHED}") { reference } }`)).licence).toBeNull();
  });

  it("checks a Dutch officer's goods item against a German licence it quotes, and shows that licence there", async () => {
    const query = `query ($mrn: ID!) { declaration(mrn: $mrn) { items { licenceChecks { reference outcome licence { reference issuingCountry } } } } }`;
    const { declaration: found } = ok(await as(NL_OFFICER, query, { mrn: NL_MRN }));
    const quoted = found.items[0].licenceChecks.find((check: Data) => check.reference === DE_CHED);
    expect(quoted).toEqual({ reference: DE_CHED, outcome: 'MATCHED', licence: { reference: DE_CHED, issuingCountry: 'DE' } });
  });

  const CHECKS = `query ($mrn: ID!) { declaration(mrn: $mrn) { items { licenceDecision { decision reasons }
    licenceChecks { documentType reference licenceType outcome reasons licence { reference } } } } }`;
  const checkOf = (data: Data, reference: string) => data.declaration.items[0].licenceChecks.find((check: Data) => check.reference === reference);

  it('checks a quoted licence an auditor may not see as if it were not there', async () => {
    // MIXED is a German importer's (a German auditor's); the CHED it quotes is held by a Dutch operator.
    const { declaration: found } = ok(await as(DE_AUDITOR, CHECKS, { mrn: MIXED_MRN }));
    expect(checkOf({ declaration: found }, DE_CHED)).toEqual({
      documentType: 'N853',
      reference: DE_CHED,
      licenceType: 'CHED_P',
      outcome: 'NOT_FOUND',
      reasons: [`no licence or certificate has the reference ${DE_CHED}`],
      licence: null,
    });
    expect(found.items[0].licenceDecision.decision).toBe('HOLD');
    expect(found.items[0].licenceDecision.reasons).toContain(`${DE_CHED}: not found`);
    // An officer, who reads every licence its items quote, finds it, and checks it against the importer.
    expect(checkOf(ok(await as(NL_OFFICER, CHECKS, { mrn: MIXED_MRN })), DE_CHED)).toMatchObject({
      outcome: 'HOLDER_MISMATCH',
      licence: { reference: DE_CHED },
    });
  });

  it('checks a quoted licence an auditor may see as an officer does', async () => {
    // NL_MRN is a Dutch importer's, and so is the CHED it quotes, whoever issued it.
    expect(checkOf(ok(await as(NL_AUDITOR, CHECKS, { mrn: NL_MRN })), DE_CHED)).toMatchObject({ outcome: 'MATCHED', licence: { reference: DE_CHED } });
  });
});

describe('MRA partners: their own programme only', () => {
  it('shows a partner its own programme and none other', async () => {
    expect(ok(await as(US_PARTNER, `{ mraProgrammes { code } }`)).mraProgrammes).toEqual([{ code: 'US-CTPAT' }]);
    expect(ok(await as(US_PARTNER, `{ mraProgramme(code: "JP-AEO") { code } }`)).mraProgramme).toBeNull();
  });

  it("shows a partner its own programme's traders only", async () => {
    const { partnerOperators } = ok(await as(US_PARTNER, `{ partnerOperators { totalCount edges { node { programme identifier } } } }`));
    expect(partnerOperators).toEqual({ totalCount: 1, edges: [{ node: { programme: 'US-CTPAT', identifier: 'AB12CD34' } }] });
    const other = await as(US_PARTNER, `{ partnerOperator(programme: "JP-AEO", identifier: "JPAEO1234567890") { identifier } }`);
    expect(ok(other).partnerOperator).toBeNull();
    const { _entities } = ok(
      await direct(platform.mra.url, US_PARTNER, `query ($r: [_Any!]!) { _entities(representations: $r) { ... on PartnerOperator { identifier } } }`, {
        r: [{ __typename: 'PartnerOperator', programme: 'JP-AEO', identifier: 'JPAEO1234567890' }],
      }),
    );
    expect(_entities).toEqual([null]);
  });

  it("lets a partner record a trader on its own programme's list, and refuses another programme's, writing nothing", async () => {
    const RECORD = `mutation ($input: PartnerOperatorInput!) { recordPartnerOperator(input: $input) { programme identifier name status } }`;
    const line = { name: 'Gulf Freight Inc', certifiedFrom: '2023-05-01', listDate: '2025-02-01' };
    const own = ok(await as(US_PARTNER, RECORD, { input: { ...line, programme: 'US-CTPAT', identifier: 'ZZ99YY88' } }));
    expect(own.recordPartnerOperator).toEqual({ programme: 'US-CTPAT', identifier: 'ZZ99YY88', name: 'Gulf Freight Inc', status: 'CERTIFIED' });
    const other = await as(US_PARTNER, RECORD, { input: { ...line, programme: 'JP-AEO', identifier: 'JPAEO9999999999' } });
    forbidden(other, /may record traders of US-CTPAT only, not of JP-AEO/);
    expect(await platform.mra.models.partners.countDocuments({ programme: 'JP-AEO', identifier: 'JPAEO9999999999' })).toBe(0);
  });

  it('shows a partner no trade lanes', async () => {
    expect(ok(await as(US_PARTNER, `{ tradeLanes { code } }`)).tradeLanes).toEqual([]);
    expect(ok(await as(US_PARTNER, `{ tradeLane(code: "CSST-SHA-RTM") { code } }`)).tradeLane).toBeNull();
    expect(ok(await as(COMMISSION, `{ tradeLanes { code } }`)).tradeLanes).toEqual([{ code: 'CSST-SHA-RTM' }]);
  });

  it("shows a partner only its own programme's recognition of an EU operator, and only with the operator's consent", async () => {
    const query = `query ($eori: ID!) { economicOperator(eori: $eori) { mutualRecognitions { programme { code } status } } }`;
    const consenting = ok(await as(US_PARTNER, query, { eori: 'NL100000001' })).economicOperator.mutualRecognitions;
    expect(consenting).toEqual([{ programme: { code: 'US-CTPAT' }, status: 'RECOGNISED' }]);
    const withoutConsent = ok(await as(US_PARTNER, query, { eori: 'DE100000000001' })).economicOperator.mutualRecognitions;
    expect(withoutConsent).toEqual([]);
  });
});

describe('a data protection officer sees none of these rows', () => {
  it('loads no declaration, ENS or control result for a data protection officer', async () => {
    const loaders = createDeclarationsLoaders(platform.declarations.models, DPO);
    expect(await loaders.declarationByMrn.loadMany([NL_MRN, DE_MRN])).toEqual([null, null]);
    expect(await loaders.entrySummaryByMrn.load(NL_ENS)).toBeNull();
    expect(await loaders.controlResultsByMrn.load(NL_MRN)).toEqual([]);
  });

  it('shows a Commission analyst every declaration', async () => {
    expect(ok(await as(COMMISSION, DECLARATIONS)).declarations.totalCount).toBe(3);
  });
});

describe('rows written before scoping', () => {
  it('gives declarations and rules stored without a Member State one at start: the office’s, and EU-wide for rules', async () => {
    const old = { ...declaration(40, { officeOfPresentation: 'BE000100' }), _id: mrn(40, { country: 'BE' }), partyIndex: ['IMPORTER:FR100000001'] };
    await platform.declarations.models.declarations.collection.insertOne(old as never);
    await platform.risk.models.rules.collection.insertOne({ _id: 'PCA-OLD-1', status: 'ACTIVE' } as never);
    await prepareDeclarationsModels(platform.declarations.models);
    await prepareRiskModels(platform.risk.models);
    const stored = await platform.declarations.models.declarations.findById(old._id).lean().exec();
    expect({ memberState: stored?.memberState, operatorStates: stored?.operatorStates }).toEqual({ memberState: 'BE', operatorStates: ['FR'] });
    expect((await platform.risk.models.rules.findById('PCA-OLD-1').lean().exec())?.memberState).toBeNull();
  });
});
