// Mutual recognition through the gateway: derived from the AEO subgraph's authorisations at
// query time, partner lists with disappearing traders, and trade lanes of ICS2 filings.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingest, type Rejection } from '../../scripts/ingest/run';
import type { AeoStatus, AeoType } from '../../subgraphs/aeo/models';
import { readJsonLines } from '../../scripts/ingest/sources';
import { openWriters } from '../../scripts/ingest/writers';
import { entrySummary, mrn } from '../support/fixtures';
import { startPlatform, type Platform } from '../support/platform';
import { caller, signedIn } from '../support/auth';
import type { Caller } from '../../subgraphs/kit/auth/roles';

let platform: Platform;
type Data = Record<string, any>;
const gql = (query: string, variables?: Record<string, unknown>) => platform.query<Data>(query, variables);
/** Consent is recorded by an AEO auditor of the operator's Member State; trade lanes by the Commission (consent:write, lanes:write). */
const asRole = async (who: Caller, query: string, variables?: Record<string, unknown>) =>
  platform.query<Data>(query, variables, await signedIn(who, platform.trust));
const DE_AUDITOR = caller('aeo-auditor', { memberState: 'DE' });
const COMMISSION = caller('commission-analyst');

const RECOGNITIONS = `query ($eori: ID!) { economicOperator(eori: $eori) { mutualRecognitions { programme { code } status partnerIdentifier reasons } } }`;
async function statusFor(eori: string, programme: string): Promise<string | undefined> {
  const { data, errors } = await gql(RECOGNITIONS, { eori });
  expect(errors).toBeUndefined();
  return data?.economicOperator.mutualRecognitions.find((r: Data) => r.programme.code === programme)?.status;
}

async function operator(eori: string, authorisations: { number: string; type: AeoType; status: AeoStatus }[]) {
  await platform.aeo.models.operators.create({ _id: eori, name: `Operator ${eori}`, country: eori.slice(0, 2), aeoTags: [] });
  for (const { number, type, status } of authorisations) {
    await platform.aeo.models.authorisations.create({
      _id: number,
      holder: eori,
      type,
      status,
      issuingCountry: eori.slice(0, 2),
      validFrom: '2018-01-01',
      history: [{ status: 'VALID', date: '2018-01-01', reason: 'Authorisation granted' }],
    });
  }
}

const CONSENT = `mutation ($eori: ID!) { grantDataExchangeConsent(input: { eori: $eori, date: "2024-01-01" }) { granted date } }`;

beforeAll(async () => {
  platform = await startPlatform();
  await operator('DE100000000001', [{ number: 'DEAEOF0000000001', type: 'AEOF', status: 'VALID' }]);
  await operator('DE100000000002', [{ number: 'DEAEOC0000000002', type: 'AEOC', status: 'VALID' }]);
  await operator('DE100000000003', [{ number: 'DEAEOS0000000003', type: 'AEOS', status: 'VALID' }]);
  await operator('DE100000000004', [{ number: 'DEAEOF0000000004', type: 'AEOF', status: 'SUSPENDED' }]);
  for (const eori of ['DE100000000001', 'DE100000000002', 'DE100000000004']) await asRole(DE_AUDITOR, CONSENT, { eori });
});

afterAll(() => platform.stop());

describe('recognition of EU operators', () => {
  it('is RECOGNISED for a valid AEOF with consent, under every agreement in force', async () => {
    expect(await statusFor('DE100000000001', 'CN-AEO')).toBe('RECOGNISED');
    expect(await statusFor('DE100000000001', 'US-CTPAT')).toBe('RECOGNISED');
  });

  it('is AGREEMENT_NOT_IN_FORCE where the agreement does not apply yet', async () => {
    expect(await statusFor('DE100000000001', 'CA-PIP')).toBe('AGREEMENT_NOT_IN_FORCE');
  });

  it('is NOT_ELIGIBLE_TYPE for an AEOC, which partners do not recognise', async () => {
    expect(await statusFor('DE100000000002', 'JP-AEO')).toBe('NOT_ELIGIBLE_TYPE');
  });

  it('is NO_CONSENT for a valid AEOS holder who has not consented', async () => {
    expect(await statusFor('DE100000000003', 'JP-AEO')).toBe('NO_CONSENT');
  });

  it('is AEO_NOT_VALID for a suspended authorisation', async () => {
    expect(await statusFor('DE100000000004', 'CN-AEO')).toBe('AEO_NOT_VALID');
  });

  it('changes to AEO_NOT_VALID in the very next query when the AEO subgraph suspends the authorisation', async () => {
    await gql(`mutation { suspendAeoAuthorisation(input: { number: "DEAEOF0000000001", reason: "Security audit finding" }) { status } }`);
    expect(await statusFor('DE100000000001', 'CN-AEO')).toBe('AEO_NOT_VALID');
    await gql(`mutation { reinstateAeoAuthorisation(input: { number: "DEAEOF0000000001", reason: "Remediated" }) { status } }`);
    expect(await statusFor('DE100000000001', 'CN-AEO')).toBe('RECOGNISED');
  });
});

describe('partner lists', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mra-'));
  const trader = (identifier: string, listDate: string, eori?: string) => ({
    kind: 'partnerTrader',
    programme: 'CN-AEO',
    identifier,
    name: `Trader ${identifier}`,
    certifiedFrom: '2019-03-01',
    listDate,
    address: { city: 'Shanghai', country: 'CN' },
    ...(eori && { eori }),
  });
  async function load(name: string, lines: unknown[]) {
    const file = join(dir, name);
    writeFileSync(file, lines.map((line) => JSON.stringify(line)).join('\n') + '\n');
    const { writers, finish } = await openWriters({ urls: { mra: platform.mra.url }, token: platform.trust.serviceToken });
    const rejections: Rejection[] = [];
    const summary = await ingest(readJsonLines(file), { writers, onRejection: (r) => void rejections.push(r) });
    await finish();
    return { summary, rejections };
  }
  const PARTNER = `query ($id: ID!) { partnerOperator(programme: "CN-AEO", identifier: $id) { status certifiedUntil history { status date } operator { eori } } }`;

  it('validates each identifier against its programme and rejects the line with the reason', async () => {
    const { summary, rejections } = await load('bad.jsonl', [trader('AEOCN12345', '2026-01-01')]);
    expect(summary.rejected).toBe(1);
    expect(rejections[0]).toMatchObject({ field: 'identifier' });
  });

  it('certifies the traders of a list, and re-ingesting it changes nothing', async () => {
    const list = [trader('AEOCN0000000001', '2026-01-01', 'CN9100000001'), trader('AEOCN0000000002', '2026-01-01')];
    expect((await load('january.jsonl', list)).summary).toMatchObject({ stored: 2, rejected: 0 });
    expect((await load('january.jsonl', list)).summary).toMatchObject({ stored: 0, unchanged: 2 });
    const { data } = await gql(PARTNER, { id: 'AEOCN0000000001' });
    expect(data?.partnerOperator).toMatchObject({ status: 'CERTIFIED', operator: { eori: 'CN9100000001' } });
  });

  it('marks a trader missing from a later list as no longer certified, with the date, keeping the history', async () => {
    const february = [trader('AEOCN0000000001', '2026-02-01', 'CN9100000001')];
    await load('february.jsonl', february);
    const { data } = await gql(PARTNER, { id: 'AEOCN0000000002' });
    expect(data?.partnerOperator).toEqual({
      status: 'NO_LONGER_CERTIFIED',
      certifiedUntil: '2026-02-01',
      history: [
        { status: 'CERTIFIED', date: '2019-03-01' },
        { status: 'NO_LONGER_CERTIFIED', date: '2026-02-01' },
      ],
      operator: null,
    });
    expect((await load('february.jsonl', february)).summary).toMatchObject({ stored: 0, updated: 0, unchanged: 1 });
    const again = await gql(PARTNER, { id: 'AEOCN0000000002' });
    expect(again.data?.partnerOperator.history).toHaveLength(2);
  });

  it('tells for a partner trader whether the EU recognises it', async () => {
    await platform.aeo.models.operators.create({ _id: 'CN9100000001', name: 'Trader', country: 'CN', aeoTags: [] });
    expect(await statusFor('CN9100000001', 'CN-AEO')).toBe('RECOGNISED');
  });
});

describe('trade lanes', () => {
  it('match a filing by places, mode and a participating operator, and nothing else', async () => {
    const lane = await asRole(
      COMMISSION,
      `mutation { registerTradeLane(input: { code: "SSTL-CNSHA-NLRTM", name: "SSTL Shanghai–Rotterdam", origin: "CNSHA", destination: "NLRTM",
      transportMode: SEA, operators: ["NL100000001"] }) { code status } }`,
    );
    expect(lane.data?.registerTradeLane).toEqual({ code: 'SSTL-CNSHA-NLRTM', status: 'ACTIVE' });
    const { kind: _k, ...onLane } = entrySummary(70);
    const { kind: _l, ...offLane } = entrySummary(71, { transportMode: 'AIR', filingType: 'F23' });
    const FILE = `mutation ($input: FileEntrySummaryDeclarationInput!) { fileEntrySummaryDeclaration(input: $input) { mrn } }`;
    await gql(FILE, { input: onLane });
    await gql(FILE, { input: offLane });
    const LANE = `query ($mrn: ID!) { entrySummaryDeclaration(mrn: $mrn) { tradeLane { code status } } }`;
    expect((await gql(LANE, { mrn: mrn(70, { year: '26' }) })).data?.entrySummaryDeclaration.tradeLane).toEqual({ code: 'SSTL-CNSHA-NLRTM', status: 'ACTIVE' });
    expect((await gql(LANE, { mrn: mrn(71, { year: '26' }) })).data?.entrySummaryDeclaration.tradeLane).toBeNull();
  });
});
