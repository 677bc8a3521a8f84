// Every mutation of the graph sent again, as a client whose first answer timed out sends it: the
// replay changes nothing in the subgraph's database and answers as the first attempt did, also
// when the entity has moved on in between; and a request that reuses the key of an earlier write
// with other values is refused with CONFLICT, quoting the key, instead of being taken for a replay.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kcsMrn, kcsRecordList, readKcsCsv } from '../../demo/kcs';
import type { Caller } from '../../subgraphs/kit/auth/roles';
import { learnThroughGraph } from '../../subgraphs/risk/learning';
import { caller, SERVICE, signedIn } from '../support/auth';
import { chedLicence, controlResult, declaration, entrySummary, mrn } from '../support/fixtures';
import { startPlatform, type GraphQLResponse, type Platform } from '../support/platform';

let platform: Platform;
type Data = Record<string, any>;
type SubgraphName = 'aeo' | 'declarations' | 'licences' | 'mra' | 'risk';

const DE_AUDITOR = caller('aeo-auditor', { memberState: 'DE' });
/** Writes EU-wide rules and lanes, and screens: rules:write, lanes:write, screen. */
const COMMISSION = caller('commission-analyst', {}, 'commission-3');

interface Write {
  /** The subgraph whose database the mutation writes. */
  subgraph: SubgraphName;
  mutation: string;
  variables: Record<string, unknown>;
  as?: Caller;
}

async function send(write: Write): Promise<GraphQLResponse<Data>> {
  return platform.query<Data>(write.mutation, write.variables, await signedIn(write.as ?? SERVICE, platform.trust));
}

async function answered(write: Write): Promise<Data> {
  const { data, errors } = await send(write);
  expect(errors).toBeUndefined();
  return data!;
}

/** Every document of the subgraph's database, collection by collection, in key order. */
async function snapshot(subgraph: SubgraphName): Promise<Record<string, unknown[]>> {
  const db = platform[subgraph].database.connection.db!;
  const names = (await db.listCollections({}, { nameOnly: true }).toArray()).map((collection) => collection.name).sort();
  const dump: Record<string, unknown[]> = {};
  for (const name of names) dump[name] = await db.collection(name).find({}).sort({ _id: 1 }).toArray();
  return dump;
}

/** Sends a write that has succeeded before once more: nothing may change, and the answer must be the first one. */
async function expectReplayChangesNothing(write: Write, firstAnswer: Data): Promise<void> {
  const before = await snapshot(write.subgraph);
  expect(await answered(write)).toEqual(firstAnswer);
  expect(await snapshot(write.subgraph)).toEqual(before);
}

/** The first attempt, then its replay. */
async function expectIdempotent(write: Write): Promise<Data> {
  const first = await answered(write);
  await expectReplayChangesNothing(write, first);
  return first;
}

async function expectConflict(write: Write, key: string): Promise<void> {
  const before = await snapshot(write.subgraph);
  const { data, errors } = await send(write);
  expect(data).toBeNull();
  expect(errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT' });
  expect(errors?.[0]?.message).toContain(key);
  expect(await snapshot(write.subgraph)).toEqual(before);
}

beforeAll(async () => {
  platform = await startPlatform();
});

afterAll(() => platform.stop());

describe('the aeo subgraph', () => {
  const number = 'DEAEOF0000000001';
  const change = (action: string, input: Record<string, unknown>): Write => ({
    subgraph: 'aeo',
    mutation: `mutation ($input: AeoStatusChangeInput!) { ${action}AeoAuthorisation(input: $input) { number status statusHistory { status date reason recordedBy } } }`,
    variables: { input: { number, ...input } },
  });
  const suspension = change('suspend', { reason: 'Self-assessment overdue', date: '2024-03-01', idempotencyKey: 'suspend-2024-03-01-a41c' });
  const reinstatement = change('reinstate', { reason: 'Remediated', date: '2024-06-01', idempotencyKey: 'reinstate-2024-06-01-9e02' });
  const revocation = change('revoke', { reason: 'Serious infringement', date: '2025-01-10' });
  const annulment = change('annul', { reason: 'Granted on false information', date: '2025-02-01' });

  it('registers an operator and grants it an authorisation once, however often they are sent', async () => {
    await expectIdempotent({
      subgraph: 'aeo',
      mutation: `mutation ($input: RegisterEconomicOperatorInput!) { registerEconomicOperator(input: $input) { eori name country address { street postcode city country } } }`,
      variables: {
        input: {
          eori: 'DE100000000001',
          name: 'Rhein Logistik GmbH',
          country: 'DE',
          address: { street: 'Hafenstr. 1', postcode: '47119', city: 'Duisburg', country: 'DE' },
        },
      },
    });
    const grant = (validFrom: string): Write => ({
      subgraph: 'aeo',
      mutation: `mutation ($input: GrantAeoAuthorisationInput!) { grantAeoAuthorisation(input: $input) { number type status validFrom holder { eori aeoAuthorisations { number } } statusHistory { status date reason recordedBy } } }`,
      variables: { input: { number, holder: 'DE100000000001', type: 'AEOF', validFrom } },
    });
    await expectIdempotent(grant('2019-05-01'));
    await expectConflict(grant('2021-01-01'), number);
  });

  it('suspends, reinstates, revokes and annuls once each, however often each is sent', async () => {
    for (const write of [suspension, reinstatement, revocation, annulment]) await expectIdempotent(write);
    const { data } = await platform.query<Data>(`{ aeoAuthorisation(number: "${number}") { statusHistory { status } } }`);
    expect(data?.aeoAuthorisation.statusHistory.map((change: Data) => change.status)).toEqual(['VALID', 'SUSPENDED', 'VALID', 'REVOKED', 'ANNULLED']);
  });

  it('answers a suspension and a reinstatement sent again with their key after the authorisation moved on, and changes nothing', async () => {
    const now = (await answered(annulment)).annulAeoAuthorisation;
    expect(now.status).toBe('ANNULLED');
    await expectReplayChangesNothing(suspension, { suspendAeoAuthorisation: now });
    await expectReplayChangesNothing(reinstatement, { reinstateAeoAuthorisation: now });
  });

  it('answers a revocation sent again after the annulment, instead of calling it an invalid transition', async () => {
    const now = (await answered(annulment)).annulAeoAuthorisation;
    await expectReplayChangesNothing(revocation, { revokeAeoAuthorisation: now });
  });

  it('keeps the key of a suspension that found the authorisation suspended already: sent again after a reinstatement, it suspends nothing', async () => {
    const other = 'DEAEOS0000000002';
    const on = (write: Write): Write => ({ ...write, variables: { input: { ...(write.variables.input as Data), number: other } } });
    await answered({
      subgraph: 'aeo',
      mutation: `mutation ($input: GrantAeoAuthorisationInput!) { grantAeoAuthorisation(input: $input) { number } }`,
      variables: { input: { number: other, holder: 'DE100000000001', type: 'AEOS', validFrom: '2019-05-01' } },
    });
    await answered(on(change('suspend', { reason: 'Audit', date: '2024-02-01' })));
    const keyed = on(change('suspend', { reason: 'Audit findings', date: '2024-02-02', idempotencyKey: 'suspend-again-77f1' }));
    expect((await answered(keyed)).suspendAeoAuthorisation.status).toBe('SUSPENDED');
    const now = (await answered(on(change('reinstate', { reason: 'Remediated', date: '2024-05-01' })))).reinstateAeoAuthorisation;
    expect(now.status).toBe('VALID');
    await expectReplayChangesNothing(keyed, { suspendAeoAuthorisation: now });
  });

  it('refuses a key sent again with another reason or date, quoting the key', async () => {
    const { idempotencyKey } = suspension.variables.input as { idempotencyKey: string };
    await expectConflict(change('suspend', { reason: 'Another finding', date: '2024-03-01', idempotencyKey }), idempotencyKey);
    await expectConflict(change('reinstate', { reason: 'Self-assessment overdue', date: '2024-03-01', idempotencyKey }), idempotencyKey);
    const { errors } = await send(change('suspend', { reason: 'Self-assessment overdue', date: '2024-04-01', idempotencyKey }));
    expect(errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', idempotencyKey, fields: ['date'] });
  });
});

describe('the declarations subgraph', () => {
  const { kind: _declaration, ...lodged } = declaration(1);
  const { kind: _filing, ...filed } = entrySummary(1);
  const { kind: _control, ...controlled } = controlResult(1);

  it('lodges a declaration, files an ENS and records a control result once, however often they are sent', async () => {
    await expectIdempotent({
      subgraph: 'declarations',
      mutation: `mutation ($input: LodgeDeclarationInput!) { lodgeDeclaration(input: $input) { mrn lrn items { itemNumber commodityCode netMass } } }`,
      variables: { input: lodged },
    });
    await expectIdempotent({
      subgraph: 'declarations',
      mutation: `mutation ($input: FileEntrySummaryDeclarationInput!) { fileEntrySummaryDeclaration(input: $input) { mrn version filingType } }`,
      variables: { input: filed },
    });
    await expectIdempotent({
      subgraph: 'declarations',
      mutation: `mutation ($input: RecordControlResultInput!) { recordControlResult(input: $input) { id itemNumber lane controlType outcome date office } }`,
      variables: { input: controlled },
    });
  });

  it('ignores an ENS filing sent again after its amendment, and answers the amended one', async () => {
    const file = (input: Data): Write => ({
      subgraph: 'declarations',
      mutation: `mutation ($input: FileEntrySummaryDeclarationInput!) { fileEntrySummaryDeclaration(input: $input) { mrn version transportMode } }`,
      variables: { input },
    });
    const amended = await answered(file({ ...filed, transportMode: 'AIR', filingType: 'F23' }));
    expect(amended.fileEntrySummaryDeclaration.version).toBe(2);
    await expectReplayChangesNothing(file(filed), amended);
  });
});

describe('the licences subgraph', () => {
  const reference = chedLicence(1).reference;
  const issue = (validUntil: string): Write => ({
    subgraph: 'licences',
    mutation: `mutation ($input: IssueLicenceInput!) { issueLicence(input: $input) { reference status validUntil goods { quantity quantityRemaining } } }`,
    variables: { input: chedLicence(1, { validUntil }) },
  });
  const usage = (itemSerial: number, quantity: number): Write => ({
    subgraph: 'licences',
    mutation: `mutation ($input: RecordLicenceUsageInput!) { recordLicenceUsage(input: $input) { reference status goods { quantityRemaining } usages { mrn itemNumber quantity } } }`,
    variables: { input: { reference, mrn: mrn(itemSerial), itemNumber: 1, quantity, commodityCode: '03021100', date: '2025-03-02' } },
  });
  const status = (action: 'suspend' | 'cancel', reason: string): Write => ({
    subgraph: 'licences',
    mutation: `mutation ($input: LicenceStatusInput!) { ${action}Licence(input: $input) { reference status } }`,
    variables: { input: { reference, reason } },
  });

  it('issues and amends a licence once, however often they are sent', async () => {
    await expectIdempotent(issue('2027-12-31'));
    await expectConflict(issue('2026-06-30'), reference);
    await expectIdempotent({
      subgraph: 'licences',
      mutation: `mutation ($input: AmendLicenceInput!) { amendLicence(input: $input) { validUntil goods { quantity quantityRemaining } } }`,
      variables: { input: { reference, validUntil: '2027-12-31', goods: [{ commodityCode: '0302', description: 'Fresh fish', quantity: 400, unit: 'KGM' }] } },
    });
  });

  it("draws a goods item's quantity once, however often and however late its usage is sent", async () => {
    const first = await expectIdempotent(usage(1, 100));
    expect(first.recordLicenceUsage.goods).toEqual([{ quantityRemaining: 300 }]);
    const later = await answered(usage(2, 50));
    expect(later.recordLicenceUsage.goods).toEqual([{ quantityRemaining: 250 }]);
    await expectReplayChangesNothing(usage(1, 100), { recordLicenceUsage: later.recordLicenceUsage });
  });

  it('refuses the same goods item with another quantity, quoting the item as the key', async () => {
    const key = `${mrn(1)}/1`;
    await expectConflict(usage(1, 120), key);
    const { errors } = await send(usage(1, 120));
    expect(errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', idempotencyKey: key, fields: ['quantity'] });
  });

  it('suspends and cancels once, and answers the suspension sent again after the cancellation', async () => {
    const suspension = status('suspend', 'Audit of the border control post');
    await expectIdempotent(suspension);
    const cancelled = await expectIdempotent(status('cancel', 'Withdrawn'));
    await expectReplayChangesNothing(suspension, { suspendLicence: cancelled.cancelLicence });
  });
});

describe('the mra subgraph', () => {
  const lane: Write = {
    subgraph: 'mra',
    as: COMMISSION,
    mutation: `mutation ($input: TradeLaneInput!) { registerTradeLane(input: $input) { code name status transportMode } }`,
    variables: {
      input: {
        code: 'SSTL-CNSHA-NLRTM',
        name: 'SSTL Shanghai–Rotterdam',
        origin: 'CNSHA',
        destination: 'NLRTM',
        transportMode: 'SEA',
        operators: ['NL100000001'],
      },
    },
  };

  it('records a partner trader, a consent and its withdrawal, a lane and its status once, however often they are sent', async () => {
    await expectIdempotent({
      subgraph: 'mra',
      mutation: `mutation ($input: PartnerOperatorInput!) { recordPartnerOperator(input: $input) { programme identifier name status certifiedFrom } }`,
      variables: { input: { programme: 'US-CTPAT', identifier: 'ZZ99YY88', name: 'Gulf Freight Inc', certifiedFrom: '2023-05-01', listDate: '2025-02-01' } },
    });
    for (const action of ['grant', 'withdraw']) {
      await expectIdempotent({
        subgraph: 'mra',
        as: DE_AUDITOR,
        mutation: `mutation ($input: ConsentInput!) { ${action}DataExchangeConsent(input: $input) { granted date } }`,
        variables: { input: { eori: 'DE100000000001', date: '2024-01-01' } },
      });
    }
    await expectIdempotent(lane);
    await expectIdempotent({
      subgraph: 'mra',
      as: COMMISSION,
      mutation: `mutation { setTradeLaneStatus(code: "SSTL-CNSHA-NLRTM", status: SUSPENDED) { code status } }`,
      variables: {},
    });
  });
});

describe('the risk subgraph', () => {
  const reference = 'PCA-IDEMPOTENT-CN';
  const rule = {
    reference,
    kind: 'PRIORITY_CONTROL_AREA',
    description: 'Smartphones from China',
    criteria: { commodityCodePrefixes: ['8517'], originCountries: ['CN'] },
    weight: 2,
    minimumLane: 'YELLOW',
    validFrom: '2025-01-01',
  };
  const RULE_FIELDS = 'reference revision status weight createdBy changedBy retiredBy';
  const create = (input: Data): Write => ({
    subgraph: 'risk',
    as: COMMISSION,
    mutation: `mutation ($input: CreateTargetingRuleInput!) { createTargetingRule(input: $input) { ${RULE_FIELDS} } }`,
    variables: { input },
  });
  const change = (revision: number, weight: number): Write => ({
    subgraph: 'risk',
    as: COMMISSION,
    mutation: `mutation ($input: ChangeTargetingRuleInput!) { changeTargetingRule(input: $input) { ${RULE_FIELDS} } }`,
    variables: { input: { reference, revision, weight } },
  });
  const retire = (revision: number): Write => ({
    subgraph: 'risk',
    as: COMMISSION,
    mutation: `mutation ($revision: Int!) { retireTargetingRule(reference: "${reference}", revision: $revision) { ${RULE_FIELDS} } }`,
    variables: { revision },
  });

  it('creates, changes and retires a rule once each, however often each is sent', async () => {
    await expectIdempotent(create(rule));
    await expectConflict(create({ ...rule, weight: 3 }), reference);
    expect((await expectIdempotent(change(1, 1.5))).changeTargetingRule.revision).toBe(2);
  });

  it('answers a creation and a change sent again after later changes with the rule as it stands, and changes nothing', async () => {
    const now = (await answered(change(2, 1))).changeTargetingRule;
    expect(now).toMatchObject({ revision: 3, weight: 1 });
    await expectReplayChangesNothing(change(1, 1.5), { changeTargetingRule: now });
    await expectReplayChangesNothing(create(rule), { createTargetingRule: now });
    await expectConflict(change(1, 4), 'revision 3, not 1');
  });

  it('retires a rule once, however often it is sent', async () => {
    expect((await expectIdempotent(retire(3))).retireTargetingRule).toMatchObject({ status: 'RETIRED', revision: 4 });
  });

  it('screens a filing once: sent again, it answers the same assessments and writes nothing', async () => {
    const history = readKcsCsv('data/kcs-synthetic/train.csv').slice(0, 60);
    await platform.declarations.models.writer.write(kcsRecordList(history, { withLabels: true }));
    await learnThroughGraph(platform.risk.models, { batchSize: 50 });
    const screen: Write = {
      subgraph: 'risk',
      as: COMMISSION,
      mutation: `mutation ($mrns: [ID!]!) { screen(mrns: $mrns) { assessed unchanged notFound assessments { mrn score lane modelVersion } } }`,
      variables: { mrns: history.slice(0, 3).map(kcsMrn) },
    };
    const first = (await answered(screen)).screen;
    const before = await snapshot('risk');
    const replay = (await answered(screen)).screen;
    expect(await snapshot('risk')).toEqual(before);
    // The report counts what each call did: the replay assessed nothing and found all three as they were.
    expect(replay).toEqual({ ...first, assessed: 0, unchanged: first.assessed + first.unchanged });
  });
});
