// The licences subgraph through the gateway: issuing, atomic drawdown, and the reconciliation
// of goods items with the licences they quote (@requires on the declarations subgraph's item).
import { prettyFormatQueryPlan } from '@apollo/query-planner';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chedLicence, declaration, mrn } from '../support/fixtures';
import { startPlatform, type Platform } from '../support/platform';

let platform: Platform;
type Data = Record<string, any>;
const gql = (query: string, variables?: Record<string, unknown>) => platform.query<Data>(query, variables);

const ISSUE = `mutation ($input: IssueLicenceInput!) { issueLicence(input: $input) { reference status goods { quantityRemaining } } }`;
const USE = `mutation ($input: RecordLicenceUsageInput!) { recordLicenceUsage(input: $input) { reference status goods { quantityRemaining } usages { mrn itemNumber } } }`;
const LODGE = `mutation ($input: LodgeDeclarationInput!) { lodgeDeclaration(input: $input) { mrn } }`;

const ched = chedLicence;

/** A fish declaration quoting documents; fish needs a CHED-P and a catch certificate. */
function fishDeclaration(serial: number, documents: { type: string; reference: string }[], netMass = 120) {
  const { kind: _kind, ...input } = declaration(serial);
  return {
    ...input,
    items: [{ ...input.items[0]!, commodityCode: '03021100', description: 'Fresh trout', netMass, supportingDocuments: documents, containers: [] }],
  };
}

const CHECKS = `query ($mrn: ID!) { declaration(mrn: $mrn) { items { licenceChecks { documentType reference outcome reasons licence { status } } licenceDecision { decision reasons } } } }`;

beforeAll(async () => {
  platform = await startPlatform();
});

afterAll(() => platform.stop());

describe('issuing licences', () => {
  it('issues a licence, and issuing it again changes nothing', async () => {
    const first = await gql(ISSUE, { input: ched(1) });
    expect(first.data?.issueLicence).toEqual({ reference: 'CHEDP.NL.2025.0000001', status: 'VALID', goods: [{ quantityRemaining: 250 }] });
    expect((await gql(ISSUE, { input: ched(1) })).errors).toBeUndefined();
    expect(await platform.licences.models.licences.countDocuments({})).toBe(1);
  });

  it('calls other content under an issued reference a CONFLICT', async () => {
    const { errors } = await gql(ISSUE, { input: ched(1, { validUntil: '2026-06-30' }) });
    expect(errors?.[0]?.extensions?.code).toBe('CONFLICT');
  });

  it('rejects a reference that does not fit its type', async () => {
    const { errors } = await gql(ISSUE, { input: ched(2, { type: 'CHED_A' }) });
    expect(errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'reference' });
  });

  it('reports a licence past its validUntil as EXPIRED, without any job having run', async () => {
    await gql(ISSUE, { input: ched(3, { validFrom: '2020-01-01', validUntil: '2020-12-31' }) });
    const { data } = await gql(`{ licence(reference: "CHEDP.NL.2025.0000003") { status } }`);
    expect(data?.licence.status).toBe('EXPIRED');
  });

  it("lists an operator's licences in the composed graph", async () => {
    await platform.aeo.models.operators.create({ _id: 'NL100000001', name: 'Importer One B.V.', country: 'NL', aeoTags: [] });
    const { data } = await gql(`{ economicOperator(eori: "NL100000001") { name licences { reference type status validUntil } } }`);
    expect(data?.economicOperator.licences.map((licence: Data) => licence.reference).sort()).toEqual(['CHEDP.NL.2025.0000001', 'CHEDP.NL.2025.0000003']);
  });
});

describe('changing licences', () => {
  it('suspends a valid licence once, and refuses to suspend a cancelled one', async () => {
    await gql(ISSUE, { input: ched(30) });
    const suspend = `mutation ($r: ID!, $reason: String!) { suspendLicence(input: { reference: $r, reason: $reason }) { status } }`;
    expect((await gql(suspend, { r: 'CHEDP.NL.2025.0000030', reason: 'Audit' })).data?.suspendLicence.status).toBe('SUSPENDED');
    expect((await gql(suspend, { r: 'CHEDP.NL.2025.0000030', reason: 'Audit' })).data?.suspendLicence.status).toBe('SUSPENDED');
    await gql(`mutation { cancelLicence(input: { reference: "CHEDP.NL.2025.0000030", reason: "Withdrawn" }) { status } }`);
    // The suspension for the audit is in its history (a retry of it is answered: idempotent-writes.test.ts); a new one is refused.
    const { errors } = await gql(suspend, { r: 'CHEDP.NL.2025.0000030', reason: 'Second audit' });
    expect(errors?.[0]?.extensions?.code).toBe('INVALID_TRANSITION');
  });

  it('amends the covered goods and keeps what was already drawn', async () => {
    await gql(ISSUE, { input: ched(31) });
    await gql(USE, { input: { reference: 'CHEDP.NL.2025.0000031', mrn: mrn(3100), itemNumber: 1, quantity: 100 } });
    const amend = `mutation ($input: AmendLicenceInput!) { amendLicence(input: $input) { validUntil goods { quantity quantityRemaining } } }`;
    const { data } = await gql(amend, {
      input: { reference: 'CHEDP.NL.2025.0000031', validUntil: '2028-06-30', goods: [{ commodityCode: '0302', quantity: 400, unit: 'KGM' }] },
    });
    expect(data?.amendLicence).toEqual({ validUntil: '2028-06-30', goods: [{ quantity: 400, quantityRemaining: 300 }] });
    const tooSmall = await gql(amend, { input: { reference: 'CHEDP.NL.2025.0000031', goods: [{ commodityCode: '0302', quantity: 50, unit: 'KGM' }] } });
    expect(tooSmall.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'goods[0].quantity' });
  });

  it('finds licences by holder, type, commodity and validity, page by page', async () => {
    const { data } = await gql(`{ licences(filter: { holder: "NL100000001", type: CHED_P, commodityCodePrefix: "030211", validOn: "2025-06-01" }, first: 2) {
      totalCount pageInfo { hasNextPage } edges { node { reference } } } }`);
    expect(data?.licences.totalCount).toBeGreaterThan(2);
    expect(data?.licences.edges).toHaveLength(2);
    expect(data?.licences.pageInfo.hasNextPage).toBe(true);
    const none = await gql(`{ licences(filter: { commodityCodePrefix: "8517" }) { totalCount } }`);
    expect(none.data?.licences.totalCount).toBe(0);
  });
});

describe('drawing on a licence', () => {
  it('never goes below zero under many parallel drawdowns, and counts each item once', async () => {
    await gql(ISSUE, { input: ched(10, { goods: [{ commodityCode: '0302', quantity: 250, unit: 'KGM' }] }) });
    const attempts = Array.from({ length: 40 }, (_, i) =>
      gql(USE, { input: { reference: 'CHEDP.NL.2025.0000010', mrn: mrn(1000 + i), itemNumber: 1, quantity: 10 } }),
    );
    const results = await Promise.all(attempts);
    const accepted = results.filter((result) => !result.errors);
    const refused = results.filter((result) => result.errors);
    expect(accepted).toHaveLength(25);
    expect(refused.every((result) => result.errors?.[0]?.extensions?.code === 'QUANTITY_EXCEEDED')).toBe(true);

    const acceptedMrn = accepted[0]!.data!.recordLicenceUsage.usages[0].mrn as string;
    const again = await gql(USE, { input: { reference: 'CHEDP.NL.2025.0000010', mrn: acceptedMrn, itemNumber: 1, quantity: 10 } });
    expect(again.errors).toBeUndefined();
    const { data } = await gql(`{ licence(reference: "CHEDP.NL.2025.0000010") { status goods { quantityRemaining } usages { mrn } } }`);
    expect(data?.licence.goods[0].quantityRemaining).toBe(0);
    expect(data?.licence.usages).toHaveLength(25);
    expect(data?.licence.status).toBe('USED');
  });

  it('records the same usage twice as one', async () => {
    await gql(ISSUE, { input: ched(11) });
    const usage = { reference: 'CHEDP.NL.2025.0000011', mrn: mrn(2000), itemNumber: 1, quantity: 30 };
    await gql(USE, { input: usage });
    const second = await gql(USE, { input: usage });
    expect(second.data?.recordLicenceUsage.goods[0].quantityRemaining).toBe(220);
    expect(second.data?.recordLicenceUsage.usages).toHaveLength(1);
  });
});

describe('licence checks on goods items', () => {
  beforeAll(async () => {
    await gql(ISSUE, { input: ched(20) });
    await gql(ISSUE, {
      input: {
        ...ched(21),
        reference: 'NO-CC-2025-000021',
        type: 'CATCH_CERTIFICATE',
        issuingAuthority: 'Fiskeridirektoratet',
        issuingCountry: 'NO',
        decision: null,
      },
    });
    await gql(ISSUE, { input: ched(22, { decision: 'REFUSED' }) });
  });

  it('match a CHED and a catch certificate the item quotes, and release it (fields required from the declarations subgraph)', async () => {
    await gql(LODGE, {
      input: fishDeclaration(20, [
        { type: 'N853', reference: 'CHEDP.NL.2025.0000020' },
        { type: 'C673', reference: 'NO-CC-2025-000021' },
      ]),
    });
    const { data, errors } = await gql(CHECKS, { mrn: mrn(20) });
    expect(errors).toBeUndefined();
    const item = data?.declaration.items[0];
    expect(item.licenceChecks.map((check: Data) => [check.reference, check.outcome])).toEqual([
      ['CHEDP.NL.2025.0000020', 'MATCHED'],
      ['NO-CC-2025-000021', 'MATCHED'],
    ]);
    expect(item.licenceDecision.decision).toBe('RELEASE');
  });

  it('are planned as a fetch of the item from the declarations subgraph, then the licences subgraph with the required fields', async () => {
    await gql(CHECKS, { mrn: mrn(20) });
    const plan = prettyFormatQueryPlan(platform.queryPlans.at(-1)!);
    const declarationsFetch = plan.indexOf('Fetch(service: "declarations")');
    const licencesFetch = plan.indexOf('Fetch(service: "licences")');
    expect(declarationsFetch).toBeGreaterThanOrEqual(0);
    expect(licencesFetch).toBeGreaterThan(declarationsFetch);
    // The representation sent to the licences subgraph carries the @requires fields.
    const representation = plan.slice(licencesFetch);
    for (const field of ['commodityCode', 'netMass', 'supportingDocuments', 'importerEori', 'acceptanceDate']) expect(representation).toContain(field);
  });

  it('hold fish that quotes no catch certificate (MISSING)', async () => {
    await gql(LODGE, { input: fishDeclaration(21, [{ type: 'N853', reference: 'CHEDP.NL.2025.0000020' }]) });
    const { data } = await gql(CHECKS, { mrn: mrn(21) });
    const item = data?.declaration.items[0];
    expect(item.licenceChecks.map((check: Data) => check.outcome)).toEqual(['MATCHED', 'MISSING']);
    expect(item.licenceDecision.decision).toBe('HOLD');
  });

  it('refuse goods whose CHED was refused, and say why', async () => {
    await gql(LODGE, {
      input: fishDeclaration(22, [
        { type: 'N853', reference: 'CHEDP.NL.2025.0000022' },
        { type: 'C673', reference: 'NO-CC-2025-000021' },
      ]),
    });
    const { data } = await gql(CHECKS, { mrn: mrn(22) });
    const item = data?.declaration.items[0];
    expect(item.licenceChecks[0].outcome).toBe('REFUSED');
    expect(item.licenceDecision.decision).toBe('REFUSE');
    expect(item.licenceDecision.reasons.join(' ')).toMatch(/CHEDP.NL.2025.0000022/);
  });

  it('follow the live licence: cancelling it changes the next answer', async () => {
    await gql(
      `mutation { cancelLicence(input: { reference: "CHEDP.NL.2025.0000020", reason: "Consignment rejected at the border control post" }) { status } }`,
    );
    const { data } = await gql(CHECKS, { mrn: mrn(20) });
    expect(data?.declaration.items[0].licenceChecks[0]).toMatchObject({ outcome: 'CANCELLED', licence: { status: 'CANCELLED' } });
    expect(data?.declaration.items[0].licenceDecision.decision).toBe('HOLD');
  });

  it('report a quoted reference nobody issued as NOT_FOUND', async () => {
    await gql(LODGE, {
      input: fishDeclaration(23, [
        { type: 'N853', reference: 'CHEDP.NL.2025.0009999' },
        { type: 'C673', reference: 'NO-CC-2025-000021' },
      ]),
    });
    const { data } = await gql(CHECKS, { mrn: mrn(23) });
    expect(data?.declaration.items[0].licenceChecks[0]).toMatchObject({ outcome: 'NOT_FOUND', licence: null });
  });
});
