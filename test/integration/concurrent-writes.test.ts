// Mutations and an ingest writing the same keys at the same time. Each subgraph is the only
// writer of its database and serialises the writes of one key (kit/key-lock.ts), so versions,
// fingerprint lists, tags and quantities come out exact, however the writes interleave.
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { ingest } from '../../scripts/ingest/run';
import { fromRecords } from '../../scripts/ingest/sources';
import { openWriters } from '../../scripts/ingest/writers';
import { aeoTagsOf } from '../../subgraphs/aeo/models';
import type { EntrySummaryRecord } from '../../subgraphs/declarations/records';
import { entrySummary, mrn } from '../support/fixtures';
import { declarationsSubgraph } from '../../subgraphs/declarations/subgraph';
import { startSubgraph } from '../../subgraphs/kit/server';
import { startPlatform, testDatabase, type Platform } from '../support/platform';
import { testTrust } from '../support/auth';

let platform: Platform;

beforeAll(async () => {
  platform = await startPlatform();
});

afterAll(() => platform.stop());

const withoutKind = <T extends { kind: string }>({ kind: _kind, ...input }: T) => input;
const serials = Array.from({ length: 8 }, (_, index) => index + 1);
const range = (from: number, count: number) => Array.from({ length: count }, (_, index) => from + index);

/** The filing for `serial` with goods described as lot `lot`: every lot is other content. */
function lotOf(serial: number, lot: number): EntrySummaryRecord {
  const filing = entrySummary(serial);
  filing.consignments[0]!.goods[0]!.description = `Cotton T-shirts, lot ${lot}`;
  return filing;
}

async function ingestRecords(records: unknown[], batchSize: number) {
  const { writers, finish } = await openWriters({ urls: platform.subgraphUrls, token: platform.trust.serviceToken });
  const summary = await ingest(fromRecords(records, 'concurrent.jsonl'), { writers, batchSize });
  await finish();
  return summary;
}

describe('writes of the same keys from mutations and an ingest at once', () => {
  it('count every amendment of an ENS in its version and keep each fingerprint once', async () => {
    // Lot-major, in batches of 4: every batch touches MRNs the mutations are amending too.
    const ingested = range(1, 6).flatMap((lot) => serials.map((serial) => lotOf(serial, lot)));
    const FILE = `mutation ($input: FileEntrySummaryDeclarationInput!) { fileEntrySummaryDeclaration(input: $input) { version } }`;
    const [summary, answers] = await Promise.all([
      ingestRecords(ingested, 4),
      Promise.all(serials.flatMap((serial) => range(101, 6).map((lot) => platform.query(FILE, { input: withoutKind(lotOf(serial, lot)) })))),
    ]);

    expect(answers.flatMap((answer) => answer.errors ?? [])).toEqual([]);
    expect(summary).toMatchObject({ read: 48, rejected: 0 });
    for (const serial of serials) {
      const stored = await platform.declarations.models.entrySummaries
        .findById(mrn(serial, { year: '26' }))
        .lean()
        .exec();
      expect(stored?.version).toBe(12);
      expect(stored?.contentHashes).toHaveLength(12);
      expect(new Set(stored?.contentHashes).size).toBe(12);
    }
    // The change feed announces each new version once: 12 per MRN.
    const { data } = await platform.query<{ changes: { edges: { node: { mrn: string } }[]; pageInfo: { hasNextPage: boolean } } }>(
      `{ changes(first: 100, kinds: [ENTRY_SUMMARY_DECLARATION]) { edges { node { mrn } } pageInfo { hasNextPage } } }`,
    );
    expect(data?.changes.pageInfo.hasNextPage).toBe(false);
    const perMrn = new Map<string, number>();
    for (const { node } of data?.changes.edges ?? []) perMrn.set(node.mrn, (perMrn.get(node.mrn) ?? 0) + 1);
    expect([...perMrn.values()]).toEqual(serials.map(() => 12));
  });

  it('apply a batch the engine failed to apply before a write that waited on its keys builds on it', async () => {
    // A database of its own: the index below must only meet this test's filings.
    const declarations = await startSubgraph(declarationsSubgraph, { port: 0, database: testDatabase('declarations_failing'), trust: testTrust });
    onTestFinished(async () => {
      await declarations.database.connection.dropDatabase();
      await declarations.stop();
    });
    const writer = declarations.models.writer;
    const filings = declarations.models.entrySummaries.collection;
    const serial = 90;
    const lot = (n: number, office: string) => ({ ...lotOf(serial, n), officeOfFirstEntry: office });
    await writer.write([lotOf(91, 1)]);
    // An index the next filing breaks: its batch is journalled, then fails to apply.
    await filings.createIndex({ officeOfFirstEntry: 1 }, { unique: true, name: 'breaks_the_next_filing' });
    const [failed, waited] = await Promise.allSettled([writer.write([lot(1, 'NL000396')]), writer.write([lot(2, 'NL000397')])]);
    expect(failed.status).toBe('rejected');
    await filings.dropIndex('breaks_the_next_filing');
    const answered = [
      ...(waited.status === 'fulfilled' ? [lot(2, 'NL000397')] : []),
      ...((await writer.write([lot(3, 'NL000398')]))[0]!.status === 'updated' ? [lot(3, 'NL000398')] : []),
    ];

    // Whatever a caller was told is stored stays stored: the failed batch is applied first, not over it.
    const stored = await platform.declarations.models.entrySummaries
      .findById(mrn(serial, { year: '26' }))
      .lean()
      .exec();
    const again = await writer.write(answered);
    expect(again.map((result) => result.status)).toEqual(answered.map(() => 'unchanged'));
    expect(stored?.version).toBe(stored?.contentHashes.length);
    expect(answered.length).toBeGreaterThan(0);
  });

  it('keep every authorisation in its holder’s tags while grants and an ingest of authorisations run at once', async () => {
    const eoris = serials.map((serial) => `DE${String(serial).padStart(9, '0')}`);
    const operators = eoris.map((eori) => ({ kind: 'economicOperator', eori, name: `Holder ${eori}`, country: 'DE', address: null }));
    expect(await ingestRecords(operators, 100)).toMatchObject({ stored: eoris.length, rejected: 0 });

    const GRANT = `mutation ($input: GrantAeoAuthorisationInput!) { grantAeoAuthorisation(input: $input) { number } }`;
    const SUSPEND = `mutation ($input: AeoStatusChangeInput!) { suspendAeoAuthorisation(input: $input) { status } }`;
    const ingested = eoris.map((eori, index) => ({
      kind: 'aeoAuthorisation',
      number: `DEAEOC${String(index + 1).padStart(10, '0')}`,
      holder: eori,
      type: 'AEOC',
      validFrom: '2020-01-01',
      history: [{ status: 'VALID', date: '2020-01-01', reason: 'Authorisation granted' }],
    }));
    const granted = async (eori: string, index: number) => {
      const number = `DEAEOS${String(index + 1).padStart(10, '0')}`;
      const grant = await platform.query(GRANT, { input: { number, holder: eori, type: 'AEOS', validFrom: '2021-01-01' } });
      const suspend = await platform.query(SUSPEND, { input: { number, reason: 'Audit pending', date: '2024-01-01' } });
      return [...(grant.errors ?? []), ...(suspend.errors ?? [])];
    };
    const [summary, errors] = await Promise.all([ingestRecords(ingested, 1), Promise.all(eoris.map(granted))]);

    expect(errors.flat()).toEqual([]);
    expect(summary).toMatchObject({ stored: eoris.length, rejected: 0 });
    for (const eori of eoris) {
      const held = await platform.aeo.models.authorisations.find({ holder: eori }).lean().exec();
      const operator = await platform.aeo.models.operators.findById(eori).lean().exec();
      expect(held.map(({ type, status }) => `${type}:${status}`).sort()).toEqual(['AEOC:VALID', 'AEOS:SUSPENDED']);
      expect(operator?.aeoTags).toEqual(aeoTagsOf(held));
    }
  });

  it('draw every usage of a licence once, from mutations and an ingest at once, and never overdraw it', async () => {
    const reference = 'CHEDP.NL.2025.0000501';
    const licence = {
      kind: 'licence',
      reference,
      type: 'CHED_P',
      issuingAuthority: 'NVWA',
      issuingCountry: 'NL',
      holder: 'NL100000001',
      validFrom: '2025-01-01',
      validUntil: '2030-12-31',
      goods: [{ commodityCode: '0302', quantity: 1_000, unit: 'KGM' }],
    };
    expect(await ingestRecords([licence], 1)).toMatchObject({ stored: 1 });
    const USE = `mutation ($input: RecordLicenceUsageInput!) { recordLicenceUsage(input: $input) { reference } }`;
    // 30 items of 10 kg each way, and every ingested usage sent twice: 600 kg drawn, 400 kg left.
    const usages = range(1, 30).map((serial) => ({ kind: 'licenceUsage', reference, mrn: mrn(serial), itemNumber: 1, quantity: 10 }));
    const [summary, answers] = await Promise.all([
      ingestRecords([...usages, ...usages], 3),
      Promise.all(range(31, 30).map((serial) => platform.query(USE, { input: { reference, mrn: mrn(serial), itemNumber: 1, quantity: 10 } }))),
    ]);
    expect(answers.flatMap((answer) => answer.errors ?? [])).toEqual([]);
    expect(summary).toMatchObject({ stored: 30, unchanged: 30, rejected: 0 });
    const { data } = await platform.query<{ licence: { goods: { quantityRemaining: number }[]; usages: unknown[] } }>(
      `{ licence(reference: "${reference}") { goods { quantityRemaining } usages { mrn } } }`,
    );
    expect(data?.licence.goods[0]!.quantityRemaining).toBe(400);
    expect(data?.licence.usages).toHaveLength(60);
  });
});
