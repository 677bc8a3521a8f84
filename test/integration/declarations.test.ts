// The declarations subgraph through the gateway: writes, validation, idempotency, amendments,
// counters, paging and batching.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { container, controlResult, declaration, entrySummary, mrn } from '../support/fixtures';
import { startPlatform, type Platform } from '../support/platform';
import { fromGateway, SERVICE } from '../support/auth';

let platform: Platform;
type Data = Record<string, any>;
const gql = (query: string, variables?: Record<string, unknown>) => platform.query<Data>(query, variables);
const withoutKind = <T extends { kind: string }>({ kind: _kind, ...input }: T) => input;

const LODGE = `mutation ($input: LodgeDeclarationInput!) { lodgeDeclaration(input: $input) { mrn items { itemNumber commodityCode } } }`;
const FILE = `mutation ($input: FileEntrySummaryDeclarationInput!) { fileEntrySummaryDeclaration(input: $input) { mrn version amendedAt consignments { goods { description } } } }`;
const RECORD = `mutation ($input: RecordControlResultInput!) { recordControlResult(input: $input) { id outcome } }`;

async function statistics(eori: string, role = 'IMPORTER') {
  // Ask the declarations subgraph directly: the operator need not be registered in the AEO registry.
  const response = await fetch(platform.declarations.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(await fromGateway(SERVICE, platform.trust)) },
    body: JSON.stringify({
      query: `query ($r: [_Any!]!, $role: PartyRole) { _entities(representations: $r) { ... on EconomicOperator { controlStatistics(role: $role) { declarationsLodged controls irregularitiesFound irregularityRate } } } }`,
      variables: { r: [{ __typename: 'EconomicOperator', eori }], role },
    }),
  });
  return ((await response.json()) as Data).data._entities[0].controlStatistics;
}

beforeAll(async () => {
  platform = await startPlatform();
  await platform.aeo.models.operators.create({ _id: 'NL100000001', name: 'Importer One B.V.', country: 'NL', aeoTags: [] });
});

afterAll(() => platform.stop());

describe('lodging a declaration', () => {
  it('stores it and answers it through the gateway with its importer from the AEO registry', async () => {
    const lodged = await gql(LODGE, { input: withoutKind(declaration(1)) });
    expect(lodged.errors).toBeUndefined();
    const { data } = await gql(`{ declaration(mrn: "${mrn(1)}") {
      mrn lrn acceptanceDate transportMode importer { eori name } declarant { eori }
      parties { seller { name identificationNumber operator { eori } } }
      items { itemNumber commodityCode netMass itemAmount { amount currency } containers supportingDocuments { type reference } } } }`);
    expect(data?.declaration).toMatchObject({
      mrn: mrn(1),
      lrn: 'LRN-1',
      transportMode: 'SEA',
      importer: { eori: 'NL100000001', name: 'Importer One B.V.' },
      declarant: { eori: 'NL800000001' },
      parties: { seller: { name: 'Shenzhen Bright Electronics Co., Ltd.', identificationNumber: 'CN-SELLER-1', operator: null } },
      items: [{ itemNumber: 1, commodityCode: '85171300', netMass: 120, itemAmount: { amount: 12000, currency: 'USD' }, containers: [container(305438)] }],
    });
  });

  it('stores the same declaration sent twice once, and counts it once', async () => {
    await gql(LODGE, { input: withoutKind(declaration(1)) });
    expect(await platform.declarations.models.declarations.countDocuments({ _id: mrn(1) })).toBe(1);
    expect((await statistics('NL100000001')).declarationsLodged).toBe(1);
  });

  it('rejects an MRN with a wrong check character', async () => {
    const bad = mrn(2).slice(0, 17) + (mrn(2).endsWith('0') ? '1' : '0');
    const { errors } = await gql(LODGE, { input: { ...withoutKind(declaration(2)), mrn: bad } });
    expect(errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'mrn' });
    expect(errors?.[0]?.message).toMatch(/check character/);
  });

  it('rejects a record whole when one container number is wrong, naming the field', async () => {
    const record = declaration(3);
    record.items.push({ ...record.items[0]!, itemNumber: 2, containers: [container(1), 'MSKU1234560'] });
    const { errors } = await gql(LODGE, { input: withoutKind(record) });
    expect(errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'items[1].containers[1]' });
    expect(await platform.declarations.models.declarations.countDocuments({ _id: mrn(3) })).toBe(0);
  });

  it('rejects an HS6 where a CN8 or TARIC10 code is needed, and an unknown currency', async () => {
    const record = declaration(4);
    const hs6 = await gql(LODGE, { input: withoutKind({ ...record, items: [{ ...record.items[0]!, commodityCode: '851713' }] }) });
    expect(hs6.errors?.[0]?.extensions).toMatchObject({ field: 'items[0].commodityCode' });
    const currency = await gql(LODGE, { input: withoutKind({ ...record, invoiceTotal: { amount: 1, currency: 'XYZ' } }) });
    expect(currency.errors?.[0]?.extensions).toMatchObject({ field: 'invoiceTotal.currency' });
  });
});

describe('control results', () => {
  it('are counted for the importer and the declarant, and a corrected result moves the counts', async () => {
    const first = await gql(RECORD, { input: withoutKind(controlResult(1)) });
    expect(first.data?.recordControlResult.id).toBe(`${mrn(1)}/1/PHYSICAL_EXAMINATION`);
    await gql(RECORD, { input: withoutKind(controlResult(1)) });
    expect(await statistics('NL100000001')).toEqual({ declarationsLodged: 1, controls: 1, irregularitiesFound: 0, irregularityRate: 0 });

    await gql(RECORD, {
      input: withoutKind(
        controlResult(1, {
          outcome: 'IRREGULARITY_FOUND',
          irregularityType: 'UNDERVALUATION',
          severity: 'MINOR',
          revenueRaised: { amount: 840, currency: 'EUR' },
        }),
      ),
    });
    expect(await statistics('NL100000001')).toEqual({ declarationsLodged: 1, controls: 1, irregularitiesFound: 1, irregularityRate: 1 });
    expect(await statistics('NL800000001', 'DECLARANT')).toMatchObject({ declarationsLodged: 1, controls: 1, irregularitiesFound: 1 });
  });

  it('are refused for a declaration nobody lodged', async () => {
    const { errors } = await gql(RECORD, { input: withoutKind(controlResult(999)) });
    expect(errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'mrn' });
    expect(errors?.[0]?.message).toMatch(/no declaration/);
  });

  it('are refused with an irregularity type when nothing irregular was found', async () => {
    const { errors } = await gql(RECORD, { input: withoutKind(controlResult(1, { irregularityType: 'ORIGIN' })) });
    expect(errors?.[0]?.extensions).toMatchObject({ field: 'irregularityType' });
  });

  it('show on the declaration and its item', async () => {
    const { data } = await gql(
      `{ declaration(mrn: "${mrn(1)}") { controlResults { itemNumber lane outcome revenueRaised { amount currency } } items { controlResults { severity } } } }`,
    );
    expect(data?.declaration.controlResults).toEqual([
      { itemNumber: 1, lane: 'RED', outcome: 'IRREGULARITY_FOUND', revenueRaised: { amount: 840, currency: 'EUR' } },
    ]);
    expect(data?.declaration.items[0].controlResults).toEqual([{ severity: 'MINOR' }]);
  });
});

describe('entry summary declarations', () => {
  it('keep one filing per MRN: an amendment replaces it and raises its version', async () => {
    const filed = await gql(FILE, { input: withoutKind(entrySummary(1)) });
    expect(filed.data?.fileEntrySummaryDeclaration).toMatchObject({ version: 1, amendedAt: null });

    const again = await gql(FILE, { input: withoutKind(entrySummary(1)) });
    expect(again.data?.fileEntrySummaryDeclaration.version).toBe(1);

    const amended = entrySummary(1);
    amended.consignments[0]!.goods[0]!.description = 'Cotton T-shirts, knitted';
    const second = await gql(FILE, { input: withoutKind(amended) });
    expect(second.data?.fileEntrySummaryDeclaration).toMatchObject({ version: 2, consignments: [{ goods: [{ description: 'Cotton T-shirts, knitted' }] }] });
    expect(second.data?.fileEntrySummaryDeclaration.amendedAt).toMatch(/^\d{4}-/);

    // The first version sent again (a retried file) does not undo the amendment.
    const replay = await gql(FILE, { input: withoutKind(entrySummary(1)) });
    expect(replay.data?.fileEntrySummaryDeclaration.version).toBe(2);
    expect(await platform.declarations.models.entrySummaries.countDocuments({})).toBe(1);
  });

  it('are found by container, with the consignment that carries it', async () => {
    const { data } = await gql(`{ consignmentsByContainer(number: "${container(1, 'CSQ')}") { totalCount edges { node {
      entrySummaryDeclaration { mrn version } consignment { transportDocument consignee { eori operator { name } } } } } } }`);
    expect(data?.consignmentsByContainer.totalCount).toBe(1);
    expect(data?.consignmentsByContainer.edges[0].node).toEqual({
      entrySummaryDeclaration: { mrn: mrn(1, { year: '26' }), version: 2 },
      consignment: { transportDocument: 'MAEU000000001', consignee: { eori: 'NL100000001', operator: { name: 'Importer One B.V.' } } },
    });
  });

  it('reject a place of loading that is not a UN/LOCODE', async () => {
    const record = entrySummary(2);
    record.consignments[0]!.placeOfLoading = 'CNSH1';
    const { errors } = await gql(FILE, { input: withoutKind(record) });
    expect(errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'consignments[0].placeOfLoading' });
  });
});

describe('lists and batching', () => {
  beforeAll(async () => {
    const records = Array.from({ length: 60 }, (_, i) => declaration(100 + i, { importer: { eori: 'NL100000001' } }));
    const results = await platform.declarations.models.writer.write(records);
    expect(results.every((result) => result.status === 'stored')).toBe(true);
  });

  it("page through an operator's declarations, newest first, every one once", async () => {
    const seen: string[] = [];
    let after: string | null = null;
    let dates: string[] = [];
    for (let page = 0; page < 10; page++) {
      const { data } = await gql(
        `query ($after: String) { economicOperator(eori: "NL100000001") { declarations(first: 25, after: $after) {
        totalCount pageInfo { hasNextPage endCursor } edges { node { mrn acceptanceDate } } } } }`,
        { after },
      );
      const connection = data!.economicOperator.declarations;
      expect(connection.totalCount).toBe(61);
      seen.push(...connection.edges.map((edge: Data) => edge.node.mrn));
      dates = [...dates, ...connection.edges.map((edge: Data) => edge.node.acceptanceDate)];
      if (!connection.pageInfo.hasNextPage) break;
      after = connection.pageInfo.endCursor;
    }
    expect(new Set(seen).size).toBe(61);
    expect(dates).toEqual([...dates].sort().reverse());
  });

  it('filter by commodity code prefix, origin and acceptance date', async () => {
    const { data } = await gql(
      `{ declarations(filter: { commodityCodePrefix: "8517", originCountry: "CN", acceptedFrom: "2025-03-01", acceptedTo: "2025-03-05" }) { totalCount } }`,
    );
    expect(data?.declarations.totalCount).toBeGreaterThan(0);
    const none = await gql(`{ declarations(filter: { commodityCodePrefix: "0302" }) { totalCount } }`);
    expect(none.data?.declarations.totalCount).toBe(0);
  });

  it('cost the same database round trips for one declaration as for fifty, items and controls included', async () => {
    const query = `query ($first: Int) { declarations(first: $first) { edges { node { mrn items { commodityCode controlResults { lane } } controlResults { outcome } } } } }`;
    const { commands } = platform.declarations.database;
    commands.reset();
    expect((await gql(query, { first: 1 })).errors).toBeUndefined();
    const one = commands.total;
    commands.reset();
    expect((await gql(query, { first: 50 })).errors).toBeUndefined();
    expect(commands.total).toBe(one);
  });

  it('join declarations to operators through the gateway without a query per declaration', async () => {
    const { commands } = platform.aeo.database;
    commands.reset();
    const { data, errors } = await gql(`{ declarations(first: 50) { edges { node { importer { name aeoAuthorisations { status } } } } } }`);
    expect(errors).toBeUndefined();
    expect(data?.declarations.edges.every((edge: Data) => edge.node.importer.name === 'Importer One B.V.')).toBe(true);
    expect(commands.total).toBeLessThanOrEqual(2);
  });
});
