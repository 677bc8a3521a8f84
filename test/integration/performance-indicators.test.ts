// The Customs Union Performance indicators through the gateway: the indicators subgraph follows
// the declarations' and the assessments' change feeds, and what it serves for every month and
// Member State equals a count made here from scratch over the declarations, control results and
// assessments read through the graph. A changed declaration moves its contribution; applying the
// same declarations again changes nothing; rows keep to the caller's Member State; and a query
// costs the indicators' database one or two commands.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kcsRecordList, readKcsCsv } from '../../demo/kcs';
import type { Caller } from '../../subgraphs/kit/auth/roles';
import { createGraphClient } from '../../subgraphs/kit/graph-client';
import { mrnCheckCharacter } from '../../subgraphs/kit/identifiers';
import { apply } from '../../subgraphs/indicators/follower';
import type { FollowerStateDoc } from '../../subgraphs/indicators/models';
import { learnThroughGraph } from '../../subgraphs/risk/learning';
import { screenPending } from '../../subgraphs/risk/screening';
import { caller, signedIn } from '../support/auth';
import { startPlatform, type Platform } from '../support/platform';

type Data = Record<string, any>;
let platform: Platform;

const HISTORY = readKcsCsv('data/kcs-synthetic/train.csv').slice(0, 150);
const PERIOD = { from: '2020-01', until: '2020-12' };
const AEO_IMPORTER = 'DE123456789012';
const mrn = (serial: number) => {
  const first17 = `20DE${String(serial).padStart(13, '0')}`;
  return first17 + mrnCheckCharacter(first17);
};

const ROW_FIELDS = `period memberState office declarations goodsItems statisticalValue lanes { green yellow red assessed }
  controls irregular detectionRate detectionByLane { key controls irregular rate } detectionBySelectionReason { key controls irregular rate }
  revenueAtStake aeoShare aeoControlRate nonAeoControlRate`;
const INDICATORS = `query ($period: PeriodInput!, $memberState: String, $office: String, $granularity: Granularity) {
  performanceIndicators(period: $period, memberState: $memberState, office: $office, granularity: $granularity) { ${ROW_FIELDS} } }`;
const FLOWS = `query ($period: PeriodInput!, $memberState: String, $commodityCode: String, $first: Int, $after: String) {
  tradeFlows(period: $period, memberState: $memberState, commodityCode: $commodityCode, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { node { commodityCode origin netMass statisticalValue items unitValue band { low high } outliers { mrn itemNumber unitValue } } } } }`;
const DECLARATIONS = `query ($after: String, $filter: DeclarationFilter) { declarations(filter: $filter, first: 100, after: $after) {
  pageInfo { hasNextPage endCursor }
  edges { node { mrn acceptanceDate officeOfPresentation
    importer { aeoAuthorisations { status } } declarant { aeoAuthorisations { status } }
    items { itemNumber commodityCode originCountry netMass statisticalValue { amount } }
    controlResults { outcome revenueRaised { amount } }
    riskAssessment { lane selectionReasons } } } } }`;

async function ok(response: Promise<{ data?: Data | null; errors?: unknown[] }>): Promise<Data> {
  const { data, errors } = await response;
  expect(errors).toBeUndefined();
  return data!;
}
const gql = (query: string, variables?: Record<string, unknown>) => ok(platform.query<Data>(query, variables));
const as = async (who: Caller, query: string, variables?: Record<string, unknown>) =>
  ok(platform.query<Data>(query, variables, await signedIn(who, platform.trust)));

function declaration(serial: number, date: string, office: string, importer: string, items: [string, string, number, number][]) {
  return {
    mrn: mrn(serial),
    lrn: `IND-${serial}`,
    declarationType: 'IM',
    acceptanceDate: date,
    officeOfPresentation: office,
    declarant: { eori: 'DE987654321000' },
    importer: { eori: importer },
    items: items.map(([commodityCode, originCountry, netMass, value], index) => ({
      itemNumber: index + 1,
      commodityCode,
      description: 'Test goods',
      originCountry,
      netMass,
      itemAmount: { amount: value, currency: 'EUR' },
      statisticalValue: { amount: value, currency: 'EUR' },
    })),
  };
}

const LODGE = `mutation ($input: LodgeDeclarationInput!) { lodgeDeclaration(input: $input) { mrn } }`;
const CONTROL = `mutation ($input: RecordControlResultInput!) { recordControlResult(input: $input) { id } }`;

const followerCaughtUp = () => platform.indicatorsCaughtUp() as Promise<Data>;

/** Every declaration of the period, read through the graph as the service (it sees them all). */
async function everyDeclaration(): Promise<Data[]> {
  const all: Data[] = [];
  let after: string | null = null;
  for (;;) {
    const page: Data = (await gql(DECLARATIONS, { after, filter: { acceptedFrom: '2020-01-01', acceptedTo: '2020-12-31' } })).declarations;
    all.push(...page.edges.map((edge: Data) => edge.node));
    if (!page.pageInfo.hasNextPage) return all;
    after = page.pageInfo.endCursor;
  }
}

/** The indicator rows, counted from scratch, the simple way: per (month, Member State) and per month for the EU. */
function countFromScratch(declarations: Data[]): Map<string, Data> {
  const rows = new Map<string, Data>();
  const rowOf = (period: string, memberState: string) => {
    const key = `${period}|${memberState}`;
    if (!rows.has(key))
      rows.set(key, {
        period,
        memberState,
        declarations: 0,
        goodsItems: 0,
        value: 0,
        assessed: 0,
        lanes: {} as Record<string, number>,
        controls: 0,
        irregular: 0,
        byLane: {} as Record<string, number[]>,
        byReason: {} as Record<string, number[]>,
        revenue: 0,
        aeo: 0,
        aeoControlled: 0,
        otherControlled: 0,
      });
    return rows.get(key)!;
  };
  for (const d of declarations) {
    const aeo = [d.importer, d.declarant].some((party: Data | null) => party?.aeoAuthorisations?.some((a: Data) => a.status === 'VALID'));
    const controlled = d.controlResults.length > 0;
    const irregular = d.controlResults.some((c: Data) => c.outcome === 'IRREGULARITY_FOUND');
    for (const row of [rowOf(d.acceptanceDate.slice(0, 7), d.officeOfPresentation.slice(0, 2)), rowOf(d.acceptanceDate.slice(0, 7), 'EU')]) {
      row.declarations += 1;
      row.goodsItems += d.items.length;
      row.value += d.items.reduce((sum: number, item: Data) => sum + (item.statisticalValue?.amount ?? 0), 0);
      if (d.riskAssessment) {
        row.assessed += 1;
        row.lanes[d.riskAssessment.lane] = (row.lanes[d.riskAssessment.lane] ?? 0) + 1;
      }
      if (aeo) row.aeo += 1;
      row.revenue += d.controlResults.reduce((sum: number, c: Data) => sum + (c.revenueRaised?.amount ?? 0), 0);
      if (!controlled) continue;
      row.controls += 1;
      if (irregular) row.irregular += 1;
      if (aeo) row.aeoControlled += 1;
      else row.otherControlled += 1;
      const lane = d.riskAssessment?.lane ?? 'NOT_ASSESSED';
      row.byLane[lane] = [(row.byLane[lane]?.[0] ?? 0) + 1, (row.byLane[lane]?.[1] ?? 0) + (irregular ? 1 : 0)];
      for (const reason of d.riskAssessment?.selectionReasons ?? [])
        row.byReason[reason] = [(row.byReason[reason]?.[0] ?? 0) + 1, (row.byReason[reason]?.[1] ?? 0) + (irregular ? 1 : 0)];
    }
  }
  const ratio = (a: number, b: number) => (b > 0 ? a / b : null);
  const detection = (counts: Record<string, number[]>, keys: string[]) =>
    keys.map((key) => ({ key, controls: counts[key]?.[0] ?? 0, irregular: counts[key]?.[1] ?? 0, rate: ratio(counts[key]?.[1] ?? 0, counts[key]?.[0] ?? 0) }));
  return new Map(
    [...rows].map(([key, r]) => [
      key,
      {
        period: r.period,
        memberState: r.memberState,
        office: null,
        declarations: r.declarations,
        goodsItems: r.goodsItems,
        statisticalValue: r.value,
        lanes: {
          green: ratio(r.lanes.GREEN ?? 0, r.assessed) ?? 0,
          yellow: ratio(r.lanes.YELLOW ?? 0, r.assessed) ?? 0,
          red: ratio(r.lanes.RED ?? 0, r.assessed) ?? 0,
          assessed: r.assessed,
        },
        controls: r.controls,
        irregular: r.irregular,
        detectionRate: ratio(r.irregular, r.controls),
        detectionByLane: detection(r.byLane, ['GREEN', 'YELLOW', 'RED', ...(r.byLane.NOT_ASSESSED ? ['NOT_ASSESSED'] : [])]),
        detectionBySelectionReason: detection(r.byReason, ['RULE', 'PROFILE', 'RANDOM', 'RISK_INFORMATION_FORM', 'CRISIS_ALERT']),
        revenueAtStake: r.revenue,
        aeoShare: ratio(r.aeo, r.declarations),
        aeoControlRate: ratio(r.aeoControlled, r.aeo),
        nonAeoControlRate: ratio(r.otherControlled, r.declarations - r.aeo),
      },
    ]),
  );
}

/** Every field equal; amounts and rates to the cent or better (they are sums of decimals). */
function expectSameRows(served: Data[], counted: Map<string, Data>): void {
  expect(served.map((row) => `${row.period}|${row.memberState}`).sort()).toEqual([...counted.keys()].sort());
  for (const row of served) {
    const expected = counted.get(`${row.period}|${row.memberState}`)!;
    const close = (path: string, a: number | null, b: number | null) => {
      if (a === null || b === null) expect(a, path).toBe(b);
      else expect(a, path).toBeCloseTo(b, 6);
    };
    const where = `${row.period} ${row.memberState}`;
    for (const field of ['declarations', 'goodsItems', 'controls', 'irregular', 'office']) expect(row[field], `${where} ${field}`).toBe(expected[field]);
    for (const field of ['statisticalValue', 'revenueAtStake', 'detectionRate', 'aeoShare', 'aeoControlRate', 'nonAeoControlRate'])
      close(`${where} ${field}`, row[field], expected[field]);
    for (const field of ['green', 'yellow', 'red']) close(`${where} lanes.${field}`, row.lanes[field], expected.lanes[field]);
    expect(row.lanes.assessed, `${where} lanes.assessed`).toBe(expected.lanes.assessed);
    for (const list of ['detectionByLane', 'detectionBySelectionReason']) {
      expect(
        row[list].map((entry: Data) => [entry.key, entry.controls, entry.irregular]),
        `${where} ${list}`,
      ).toEqual(expected[list].map((entry: Data) => [entry.key, entry.controls, entry.irregular]));
      row[list].forEach((entry: Data, index: number) => close(`${where} ${list} ${entry.key}`, entry.rate, expected[list][index].rate));
    }
  }
}

beforeAll(async () => {
  platform = await startPlatform({ indicators: { follow: true, pollMs: 50 } });
  // Dutch declarations with their controls (the KCS history), learned from and screened, so assessments exist.
  await platform.declarations.models.writer.write(kcsRecordList(HISTORY, { withLabels: true }));
  await learnThroughGraph(platform.risk.models, { batchSize: 100 });
  await screenPending(platform.risk.models, { batchSize: 100 });
  // German declarations lodged through the gateway, one importer an AEO, controls recorded.
  await gql(`mutation { registerEconomicOperator(input: { eori: "${AEO_IMPORTER}", name: "Import GmbH", country: "DE" }) { eori } }`);
  await gql(
    `mutation { grantAeoAuthorisation(input: { number: "DEAEOF0000123456", holder: "${AEO_IMPORTER}", type: AEOF, validFrom: "2019-01-01" }) { status } }`,
  );
  const lodged = [
    declaration(1, '2020-03-02', 'DE004100', AEO_IMPORTER, [
      ['61091000', 'CN', 100, 1000],
      ['61091000', 'CN', 50, 520.5],
    ]),
    declaration(2, '2020-03-15', 'DE004100', 'DE111111111000', [['61091000', 'CN', 80, 790]]),
    declaration(3, '2020-03-20', 'DE005500', 'DE222222222000', [['61091000', 'CN', 10, 5]]),
    declaration(4, '2020-04-01', 'DE004100', 'DE222222222000', [['85171200', 'VN', 2, 900.1]]),
  ];
  for (const input of lodged) await gql(LODGE, { input });
  const control = (serial: number, outcome: string, revenue?: number) => ({
    mrn: mrn(serial),
    lane: 'RED',
    controlType: 'PHYSICAL_EXAMINATION',
    outcome,
    date: '2020-03-25',
    office: 'DE004100',
    ...(outcome === 'IRREGULARITY_FOUND' && { irregularityType: 'VALUE', severity: 'MINOR' }),
    ...(revenue !== undefined && { revenueRaised: { amount: revenue, currency: 'EUR' } }),
  });
  await gql(CONTROL, { input: control(1, 'NO_IRREGULARITY') });
  await gql(CONTROL, { input: control(3, 'IRREGULARITY_FOUND', 1234.56) });
  await screenPending(platform.risk.models, { batchSize: 100 });
  await followerCaughtUp();
}, 240_000);

afterAll(() => platform?.stop());

describe('the performance indicators', () => {
  it('equal, for every month and Member State and the EU, a count from scratch over the declarations in the graph', async () => {
    const served = (await gql(INDICATORS, { period: PERIOD })).performanceIndicators;
    expect(served.some((row: Data) => row.memberState === 'DE')).toBe(true);
    expect(served.some((row: Data) => row.lanes.assessed > 0 && row.detectionBySelectionReason.some((entry: Data) => entry.controls > 0))).toBe(true);
    expectSameRows(served, countFromScratch(await everyDeclaration()));
    const march = served.find((row: Data) => row.period === '2020-03' && row.memberState === 'DE');
    expect(march).toMatchObject({ declarations: 3, goodsItems: 4, controls: 2, irregular: 1, detectionRate: 0.5, revenueAtStake: 1234.56, aeoShare: 1 / 3 });
    expect(march.aeoControlRate).toBe(1);
    expect(march.nonAeoControlRate).toBe(0.5);
  });

  it('sum months into quarters and years, and list offices when asked for a Member State', async () => {
    const months = (await gql(INDICATORS, { period: PERIOD })).performanceIndicators as Data[];
    const quarters = (await gql(INDICATORS, { period: PERIOD, granularity: 'QUARTER' })).performanceIndicators as Data[];
    const year = (await gql(INDICATORS, { period: PERIOD, granularity: 'YEAR' })).performanceIndicators as Data[];
    const total = (rows: Data[], state: string) => rows.filter((row) => row.memberState === state).reduce((sum, row) => sum + row.declarations, 0);
    for (const state of ['NL', 'DE', 'EU']) {
      expect(total(quarters, state)).toBe(total(months, state));
      expect(year.find((row) => row.memberState === state)?.declarations).toBe(total(months, state));
    }
    expect(quarters.find((row) => row.period === '2020-Q1' && row.memberState === 'DE')?.declarations).toBe(3);
    const de = (await gql(INDICATORS, { period: { from: '2020-03', until: '2020-03' }, memberState: 'DE' })).performanceIndicators as Data[];
    expect(de.map((row) => [row.memberState, row.office, row.declarations])).toEqual([
      ['DE', null, 3],
      ['DE', 'DE004100', 2],
      ['DE', 'DE005500', 1],
      ['EU', null, months.find((row) => row.period === '2020-03' && row.memberState === 'EU')!.declarations],
    ]);
    const office = (await gql(INDICATORS, { period: { from: '2020-03', until: '2020-03' }, office: 'DE005500' })).performanceIndicators as Data[];
    expect(office.map((row) => [row.memberState, row.office, row.irregular])).toEqual([
      ['DE', 'DE005500', 1],
      ['EU', null, expect.any(Number)],
    ]);
  });

  it('keep to the caller’s Member State and the EU total for officers and analysts; the Commission sees every one', async () => {
    const states = (rows: Data[]) => [...new Set(rows.map((row) => row.memberState))].sort();
    const officerDe = caller('customs-officer', { memberState: 'DE' }, 'officer-de');
    const analystNl = caller('risk-analyst', { memberState: 'NL' }, 'analyst-nl');
    const commission = caller('commission-analyst', {}, 'commission-1');
    expect(states((await as(officerDe, INDICATORS, { period: PERIOD })).performanceIndicators)).toEqual(['DE', 'EU']);
    expect(states((await as(analystNl, INDICATORS, { period: PERIOD })).performanceIndicators)).toEqual(['EU', 'NL']);
    expect(states((await as(officerDe, INDICATORS, { period: PERIOD, memberState: 'NL' })).performanceIndicators)).toEqual(['EU']);
    expect(states((await as(commission, INDICATORS, { period: PERIOD })).performanceIndicators)).toEqual(['DE', 'EU', 'NL']);
    // Trade flows: an officer's own Member State's only, whatever it asks.
    const flows = async (who: Caller, memberState?: string) =>
      (await as(who, FLOWS, { period: PERIOD, first: 100, ...(memberState && { memberState }) })).tradeFlows.edges.map((edge: Data) => edge.node.commodityCode);
    expect((await flows(officerDe)).sort()).toEqual(['610910', '851712']);
    expect(await flows(officerDe, 'NL')).toEqual([]);
    expect((await flows(commission, 'DE')).sort()).toEqual(['610910', '851712']);
    // An AEO auditor holds no indicators:read.
    const { errors } = await platform.query(
      INDICATORS,
      { period: PERIOD },
      await signedIn(caller('aeo-auditor', { memberState: 'DE' }, 'auditor-de'), platform.trust),
    );
    expect(errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('list trade flows with their fair-price band and outliers, page by page', async () => {
    const flow = (await gql(FLOWS, { period: PERIOD, memberState: 'DE', commodityCode: '610910' })).tradeFlows.edges[0].node;
    expect(flow).toMatchObject({ commodityCode: '610910', origin: 'CN', netMass: 240, items: 4 });
    expect(flow.statisticalValue).toBeCloseTo(2315.5, 6);
    expect(flow.unitValue).toBeCloseTo(2315.5 / 240, 6);
    // Unit values 10, 10.41, 9.875 and 0.5 €/kg: the last is far below the others.
    expect(flow.band.low).toBeGreaterThan(0.5);
    expect(flow.outliers).toEqual([{ mrn: mrn(3), itemNumber: 1, unitValue: 0.5 }]);
    const all = (await gql(FLOWS, { period: PERIOD, first: 100 })).tradeFlows;
    let after: string | null = null;
    const paged: string[] = [];
    for (;;) {
      const page: Data = (await gql(FLOWS, { period: PERIOD, first: 3, after })).tradeFlows;
      paged.push(...page.edges.map((edge: Data) => `${edge.node.commodityCode}|${edge.node.origin}`));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(paged.slice(0, 100)).toEqual(all.edges.map((edge: Data) => `${edge.node.commodityCode}|${edge.node.origin}`));
    expect(paged).toHaveLength(all.totalCount);
    expect(new Set(paged).size).toBe(paged.length);
  });

  it('answer with one database command, trade flows with two', async () => {
    const { commands } = platform.indicators.database;
    commands.reset();
    await gql(INDICATORS, { period: PERIOD, granularity: 'QUARTER' });
    expect(commands.total).toBe(1);
    commands.reset();
    await gql(FLOWS, { period: PERIOD, first: 20 });
    expect(commands.total).toBe(2);
  });

  it('move a changed declaration’s contribution rather than count it twice', async () => {
    const before = (await gql(INDICATORS, { period: PERIOD, memberState: 'DE' })).performanceIndicators as Data[];
    const de = (rows: Data[], period: string) => rows.find((row) => row.period === period && row.memberState === 'DE' && row.office === null);
    // Declaration 2 lodged again, accepted in May instead of March, with two items.
    await gql(LODGE, {
      input: declaration(2, '2020-05-04', 'DE004100', 'DE111111111000', [
        ['61091000', 'CN', 80, 790],
        ['85171200', 'VN', 1, 450],
      ]),
    });
    await followerCaughtUp();
    const after = (await gql(INDICATORS, { period: PERIOD, memberState: 'DE' })).performanceIndicators as Data[];
    expect(de(after, '2020-03')!.declarations).toBe(de(before, '2020-03')!.declarations - 1);
    expect(de(after, '2020-05')).toMatchObject({ declarations: 1, goodsItems: 2 });
    expect(de(after, '2020-05')!.statisticalValue).toBeCloseTo(1240, 6);
    expectSameRows((await gql(INDICATORS, { period: PERIOD })).performanceIndicators, countFromScratch(await everyDeclaration()));
  });

  it('change nothing when the same declarations are applied again', async () => {
    const { models } = platform.indicators;
    const snapshot = async () => ({
      months: await models.months.find({}).sort({ _id: 1 }).lean().exec(),
      flows: await models.flows.find({}).sort({ _id: 1 }).lean().exec(),
    });
    const before = await snapshot();
    const state = (await models.state.findById('follower').lean<FollowerStateDoc>().exec())!;
    const graph = createGraphClient({ url: platform.graphqlUrl, token: platform.trust.serviceToken });
    const mrns = (await everyDeclaration()).map((d) => d.mrn as string);
    for (let start = 0; start < mrns.length; start += 100) await apply(models, graph, mrns.slice(start, start + 100), state);
    expect(await snapshot()).toEqual(before);
  });

  it('says in /readyz how far the follower has got', async () => {
    const status = await followerCaughtUp();
    expect(status).toMatchObject({ ready: true, subgraph: 'indicators', follower: { state: 'following', behindMs: 0, lastError: null } });
    expect(status.follower.declarations.sequence).toBeGreaterThan(0);
    expect(status.follower.assessments.sequence).toBeGreaterThan(0);
  });
});
