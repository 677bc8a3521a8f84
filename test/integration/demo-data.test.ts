// The demo data set through the gateway: what an auditor sees after npm start.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KCS_TRAIN, seedDemoData } from '../../scripts/seed';
import { DEMO_SHOWCASE_EORIS } from '../../demo/aeo';
import { MRA_SHOWCASE } from '../../demo/mra';
import { ensShowcase, generateEnsDemoRecords } from '../../demo/ens';
import { kcsFileToRecords } from '../../demo/kcs';
import { apiSchema, contractOperation, pruneToSchema } from '../support/contract';
import { DEMO_IDENTITIES } from '../../subgraphs/kit/auth/demo-identities';
import { signedIn } from '../support/auth';
import { startPlatform, type Platform } from '../support/platform';
import { prepareRiskOnFirstStart } from '../../subgraphs/risk/setup-on-first-start';

let platform: Platform;
type Data = Record<string, any>;
const schema = apiSchema();
const operation = (name: string) => pruneToSchema(contractOperation(name), schema);

/** 250 declarations of the train split, and 50 that quote certificates, keep the test quick. */
const kcsFile = join(mkdtempSync(join(tmpdir(), 'kcs-')), 'train-sample.csv');
const [header, ...rows] = readFileSync(KCS_TRAIN, 'utf8').trimEnd().split('\n');
const quoting = kcsFileToRecords(KCS_TRAIN)
  .map((records, index) => ({ index, quotes: (records.declaration.items[0]!.supportingDocuments ?? []).length > 0 }))
  .filter(({ index, quotes }) => quotes && index >= 250)
  .slice(0, 50)
  .map(({ index }) => rows[index]!);
writeFileSync(kcsFile, [header, ...rows.slice(0, 250), ...quoting].join('\n') + '\n');
const sample = kcsFileToRecords(kcsFile);
const firstKcs = sample[0]!;
const withCertificates = sample.find(({ declaration }) => (declaration.items[0]!.supportingDocuments ?? []).length > 0)!;

beforeAll(async () => {
  platform = await startPlatform();
  await seedDemoData({
    urls: platform.subgraphUrls,
    kcsFile,
    log: () => {},
    token: platform.trust.serviceToken,
  });
}, 120_000);

afterAll(() => platform.stop());

describe('the demo data', () => {
  it('answers DeclarationCheck for a KCS declaration, with its item and control result', async () => {
    const { data, errors } = await platform.query<Data>(operation('DeclarationCheck'), { mrn: firstKcs.declaration.mrn });
    expect(errors).toBeUndefined();
    expect(data?.declaration).toMatchObject({
      mrn: firstKcs.declaration.mrn,
      importer: { eori: firstKcs.declaration.importer.eori, name: expect.any(String) },
      items: [{ itemNumber: 1, commodityCode: firstKcs.declaration.items[0]!.commodityCode, itemAmount: { currency: 'KRW' } }],
      controlResults: [{ itemNumber: 1, lane: 'RED', outcome: expect.stringMatching(/IRREGULARITY/) }],
    });
  });

  it('checks the certificates a KCS item quotes against the issued licences', async () => {
    const { data, errors } = await platform.query<Data>(operation('DeclarationCheck'), { mrn: withCertificates.declaration.mrn });
    expect(errors).toBeUndefined();
    const checks = data?.declaration.items[0].licenceChecks;
    expect(checks.length).toBeGreaterThan(0);
    expect(checks.map((check: Data) => check.reference)).toEqual(
      expect.arrayContaining((withCertificates.declaration.items[0]!.supportingDocuments ?? []).map((document) => document.reference)),
    );
  });

  it('shows every recognition outcome among the demo operators', async () => {
    const statuses = new Set<string>();
    for (const eori of Object.values(MRA_SHOWCASE)) {
      const { data } = await platform.query<Data>(operation('Trader360'), { eori });
      for (const recognition of data?.economicOperator.mutualRecognitions ?? []) statuses.add(recognition.status);
    }
    expect([...statuses].sort()).toEqual(['AEO_NOT_VALID', 'AGREEMENT_NOT_IN_FORCE', 'NOT_ELIGIBLE_TYPE', 'NO_CONSENT', 'RECOGNISED']);
  });

  it('lists the licences of an importer that quotes them in Trader360', async () => {
    const { data, errors } = await platform.query<Data>(operation('Trader360'), { eori: withCertificates.declaration.importer.eori });
    expect(errors).toBeUndefined();
    expect(data?.economicOperator.licences.length).toBeGreaterThan(0);
  });

  it("answers Trader360 for a KCS importer, with the operator's declarations and their control results", async () => {
    const { data, errors } = await platform.query<Data>(operation('Trader360'), { eori: firstKcs.declaration.importer.eori });
    expect(errors).toBeUndefined();
    expect(data?.economicOperator.declarations.totalCount).toBeGreaterThan(0);
    expect(data?.economicOperator.declarations.edges[0].node.controlResults).toHaveLength(1);
  });

  it('answers ConsignmentScreen for a filing to an AEO holder, with parties and containers', async () => {
    const showcase = ensShowcase(generateEnsDemoRecords());
    const { data, errors } = await platform.query<Data>(operation('ConsignmentScreen'), { mrn: showcase.validAeofConsignee });
    expect(errors).toBeUndefined();
    const filing = data?.entrySummaryDeclaration;
    expect(filing.mrn).toBe(showcase.validAeofConsignee);
    expect(filing.consignments[0].consignee).toMatchObject({
      eori: DEMO_SHOWCASE_EORIS.validAeof,
      operator: { aeoAuthorisations: expect.arrayContaining([{ type: 'AEOF', status: 'VALID' }]) },
    });
    expect(filing.consignments[0].goods.length).toBeGreaterThan(0);
    expect(filing.tradeLane).toEqual({ code: 'SSTL-CNYTN-ITGOA', status: 'ACTIVE' });
    expect(filing.consignments[0].consignee.operator.mutualRecognitions).toEqual(
      expect.arrayContaining([
        { programme: { code: 'CN-AEO' }, status: 'RECOGNISED' },
        { programme: { code: 'CA-PIP' }, status: 'AGREEMENT_NOT_IN_FORCE' },
      ]),
    );
  });

  describe('after the first start learned and screened it', () => {
    let first: { learned: boolean; screened: boolean };
    beforeAll(async () => {
      first = await prepareRiskOnFirstStart(platform.risk.models, () => {});
    }, 120_000);

    it('learned a model and screened everything once; a second start does neither again', async () => {
      expect(first).toEqual({ learned: true, screened: true });
      expect(await prepareRiskOnFirstStart(platform.risk.models, () => {})).toEqual({ learned: false, screened: false });
    });

    it('answers DeclarationRisk for a KCS declaration with a score, a lane and reasons', async () => {
      const { data, errors } = await platform.query<Data>(operation('DeclarationRisk'), { mrn: firstKcs.declaration.mrn });
      expect(errors).toBeUndefined();
      expect(data?.declaration.riskAssessment).toMatchObject({ score: expect.any(Number), lane: expect.stringMatching(/^(GREEN|YELLOW|RED)$/) });
      expect(data?.declaration.riskAssessment.reasons.length).toBeGreaterThan(0);
    });

    it('answers ControlQueue with the riskiest KCS declarations first, with their importers', async () => {
      const { data, errors } = await platform.query<Data>(operation('ControlQueue'), { first: 5, lane: 'RED' });
      expect(errors).toBeUndefined();
      const { edges, totalCount } = data!.controlQueue;
      expect(totalCount).toBeGreaterThan(0);
      expect(edges[0].node).toMatchObject({ lane: 'RED', declaration: { importer: { eori: expect.stringMatching(/^NL/), name: expect.any(String) } } });
    });

    it('screened the ICS2 filings too, with the AEOF consignee facilitated', async () => {
      const showcase = ensShowcase(generateEnsDemoRecords());
      const { data } = await platform.query<Data>(`query ($mrn: ID!) { entrySummaryDeclaration(mrn: $mrn) { riskAssessment { kind reasons { code } } } }`, {
        mrn: showcase.validAeofConsignee,
      });
      expect(data?.entrySummaryDeclaration.riskAssessment.kind).toBe('ENTRY_SUMMARY_DECLARATION');
      expect(data?.entrySummaryDeclaration.riskAssessment.reasons).toEqual(expect.arrayContaining([{ code: 'AEO_FACILITATION' }, { code: 'MRA_RECOGNITION' }]));
    });

    /**
     * What each demo identity gets from each contract operation, on the demo data: whole (data,
     * no error), trimmed (data, and FORBIDDEN where fields were removed), hidden (its rows are
     * another Member State's: null, no error) or refused (nothing but FORBIDDEN).
     */
    const EXPECTED: Record<string, Record<string, 'whole' | 'trimmed' | 'hidden' | 'refused'>> = {
      'officer-nl': { Trader360: 'whole', DeclarationCheck: 'whole', ConsignmentScreen: 'hidden', DeclarationRisk: 'trimmed', ControlQueue: 'trimmed' },
      'analyst-nl': { Trader360: 'whole', DeclarationCheck: 'whole', ConsignmentScreen: 'hidden', DeclarationRisk: 'whole', ControlQueue: 'whole' },
      'officer-de': { Trader360: 'whole', DeclarationCheck: 'hidden', ConsignmentScreen: 'hidden', DeclarationRisk: 'hidden', ControlQueue: 'hidden' },
      commission: { Trader360: 'whole', DeclarationCheck: 'whole', ConsignmentScreen: 'whole', DeclarationRisk: 'whole', ControlQueue: 'whole' },
      'auditor-nl': { Trader360: 'whole', DeclarationCheck: 'whole', ConsignmentScreen: 'hidden', DeclarationRisk: 'trimmed', ControlQueue: 'refused' },
      'ched-nl': { Trader360: 'trimmed', DeclarationCheck: 'refused', ConsignmentScreen: 'refused', DeclarationRisk: 'refused', ControlQueue: 'refused' },
      'partner-us': { Trader360: 'trimmed', DeclarationCheck: 'refused', ConsignmentScreen: 'refused', DeclarationRisk: 'refused', ControlQueue: 'refused' },
      dpo: { Trader360: 'refused', DeclarationCheck: 'refused', ConsignmentScreen: 'refused', DeclarationRisk: 'refused', ControlQueue: 'refused' },
    };

    it('answers each contract operation whole, trimmed, hidden or refused, as each demo identity may see it', async () => {
      const variables: Record<string, Record<string, unknown>> = {
        Trader360: { eori: firstKcs.declaration.importer.eori },
        DeclarationCheck: { mrn: firstKcs.declaration.mrn },
        ConsignmentScreen: { mrn: ensShowcase(generateEnsDemoRecords()).validAeofConsignee },
        DeclarationRisk: { mrn: firstKcs.declaration.mrn },
        ControlQueue: { first: 10 },
      };
      const seen: Record<string, Record<string, string>> = {};
      for (const identity of DEMO_IDENTITIES) {
        const headers = await signedIn(identity.caller, platform.trust);
        seen[identity.name] = {};
        for (const name of Object.keys(variables)) {
          const { data, errors = [] } = await platform.query<Data>(operation(name), variables[name], headers);
          expect(errors.filter((error) => error.extensions?.code !== 'FORBIDDEN')).toEqual([]);
          const root = data ? Object.values(data)[0] : null;
          const empty = root === null || root === undefined || (typeof root === 'object' && 'edges' in root && root.edges.length === 0);
          // Refused: the operation's own field was removed; hidden: it ran, and found no row this caller may see.
          const refused = !data || errors.some((error) => error.path?.length === 1);
          seen[identity.name]![name] = refused ? 'refused' : empty ? 'hidden' : errors.length > 0 ? 'trimmed' : 'whole';
        }
      }
      const names = Object.keys(variables);
      console.log(
        ['\ncontract operations by demo identity', `  ${'identity'.padEnd(12)}${names.map((name) => name.padEnd(19)).join('')}`]
          .concat(Object.entries(seen).map(([who, row]) => `  ${who.padEnd(12)}${names.map((name) => row[name]!.padEnd(19)).join('')}`))
          .join('\n'),
      );
      expect(seen).toEqual(EXPECTED);
    });
  });
});
