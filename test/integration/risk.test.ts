// The risk subgraph on the whole platform: learning and screening through the gateway, rules
// written through mutations, assessments and the control queue read back through the gateway.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobFailedError, runRiskJob } from '../../scripts/risk/services';
import { kcsMrn, kcsRecordList, kcsRowToRecords, readKcsCsv, type KcsRow } from '../../demo/kcs';
import type { DeclarationsRecord } from '../../subgraphs/declarations/records';
import { learnThroughGraph } from '../../subgraphs/risk/learning';
import { screenPending } from '../../subgraphs/risk/screening';
import { entrySummary, mrn } from '../support/fixtures';
import { contractOperation } from '../support/contract';
import { startPlatform, type Platform } from '../support/platform';
import { caller, signedIn } from '../support/auth';

let platform: Platform;
type Data = Record<string, any>;
const gql = (query: string, variables?: Record<string, unknown>) => platform.query<Data>(query, variables);
/** Rules are an analyst's to write (rules:write); the platform's service only reads them. */
const asAnalyst = async (query: string, variables?: Record<string, unknown>) =>
  platform.query<Data>(query, variables, await signedIn(caller('risk-analyst', { memberState: 'NL' }, 'analyst-7'), platform.trust));
const services = () => platform.risk.models;
const write = (records: DeclarationsRecord[]) => platform.declarations.models.writer.write(records);

const KCS = readKcsCsv('data/kcs-synthetic/train.csv');
const HISTORY = KCS.slice(0, 240);
const LATER = KCS.slice(240, 300);
const records = (rows: KcsRow[]) => kcsRecordList(rows, { withLabels: true });
const mrnOf = kcsMrn;

const ASSESSMENT = `query ($mrn: ID!) { declaration(mrn: $mrn) { riskAssessment {
  score lane modelVersion randomlySelected kind
  reasons { code weight description evidence { source reference detail } } } } }`;
const CREATE_RULE = `mutation ($input: CreateTargetingRuleInput!) { createTargetingRule(input: $input) { reference revision status createdBy hits confirmedHits } }`;
const RULE = `query ($reference: ID!) { targetingRule(reference: $reference) { reference revision status hits confirmedHits changedBy retiredBy } }`;

async function assessmentOf(mrnValue: string) {
  const { data, errors } = await gql(ASSESSMENT, { mrn: mrnValue });
  expect(errors).toBeUndefined();
  return data!.declaration.riskAssessment;
}

beforeAll(async () => {
  platform = await startPlatform();
  await write(records(HISTORY));
}, 120_000);

afterAll(() => platform.stop());

describe('before anything is learned', () => {
  it('refuses to screen with FAILED_PRECONDITION and says how to learn', async () => {
    const { errors } = await gql(`mutation ($mrns: [ID!]!) { screen(mrns: $mrns) { assessed } }`, { mrns: [mrnOf(HISTORY[0]!)] });
    expect(errors?.[0]?.extensions?.code).toBe('FAILED_PRECONDITION');
    expect(errors?.[0]?.message).toContain('risk:learn');
  });

  it('has no model and no assessment', async () => {
    expect((await gql(`{ riskModel { version } }`)).data?.riskModel).toBeNull();
    expect(await assessmentOf(mrnOf(HISTORY[0]!))).toBeNull();
  });
});

describe('learning through the graph', () => {
  it('learns a first, full model version from every controlled declaration', async () => {
    const { header } = await learnThroughGraph(services(), { batchSize: 50 });
    const irregular = HISTORY.filter((row) => row.fraud === 1 && row.countryOfOrigin !== 'ZZ').length;
    expect(header).toMatchObject({
      version: 1,
      method: 'FULL',
      filingsLearned: HISTORY.filter((row) => row.countryOfOrigin !== 'ZZ').length,
      irregularFilings: irregular,
    });
    const { data } = await gql(`{ riskModel { version method filingsLearned redShare redThreshold yellowThreshold } }`);
    expect(data?.riskModel).toMatchObject({ version: 1, method: 'FULL', redShare: 0.05 });
    expect(data?.riskModel.redThreshold).toBeGreaterThanOrEqual(data?.riskModel.yellowThreshold);
  });

  it("shows an operator's learned profile, smoothed towards the overall rate", async () => {
    const importer = `NL${HISTORY[0]!.importerId}`;
    await platform.aeo.models.operators.create({ _id: importer, name: 'KCS importer', country: 'NL', aeoTags: [] });
    const { data, errors } = await gql(
      `query ($eori: ID!) { economicOperator(eori: $eori) { riskProfile { modelVersion asImporter { controls irregularities smoothedRate overallRate } asSeller { controls } } } }`,
      { eori: importer },
    );
    expect(errors).toBeUndefined();
    const rows = HISTORY.filter((row) => `NL${row.importerId}` === importer && row.countryOfOrigin !== 'ZZ');
    const profile = data!.economicOperator.riskProfile;
    expect(profile).toMatchObject({
      modelVersion: 1,
      asImporter: { controls: rows.length, irregularities: rows.filter((row) => row.fraud === 1).length },
      asSeller: null,
    });
    const { controls, irregularities, smoothedRate, overallRate } = profile.asImporter;
    expect(smoothedRate).toBeCloseTo((irregularities + 10 * overallRate) / (controls + 10), 6);
  });
});

describe('screening', () => {
  it('assesses every declaration, one gateway operation per batch, and a second run changes nothing', async () => {
    const before = platform.queryPlans.length;
    const first = await screenPending(services(), { batchSize: 100 });
    expect(first.assessed).toBe(HISTORY.filter((row) => row.countryOfOrigin !== 'ZZ').length);
    const batches = Math.ceil(first.changesRead / 100);
    expect(platform.queryPlans.length - before).toBe(batches);

    const again = await screenPending(services(), { batchSize: 100 });
    expect(again).toMatchObject({ assessed: 0, restarted: false });
  });

  it('answers the DeclarationRisk contract operation with a score, a lane and reasons', async () => {
    const target = mrnOf(HISTORY[1]!);
    const { data, errors } = await gql(contractOperation('DeclarationRisk'), { mrn: target });
    expect(errors).toBeUndefined();
    const assessment = data!.declaration.riskAssessment;
    expect(assessment.score).toBeGreaterThanOrEqual(0);
    expect(assessment.score).toBeLessThanOrEqual(1);
    expect(['GREEN', 'YELLOW', 'RED']).toContain(assessment.lane);
    expect(assessment.reasons.length).toBeGreaterThan(0);
    expect(Date.parse(assessment.assessedAt)).not.toBeNaN();
  });

  it('answers the ControlQueue contract operation highest score first, per lane', async () => {
    const { data, errors } = await gql(contractOperation('ControlQueue'), { first: 10 });
    expect(errors).toBeUndefined();
    const scores = data!.controlQueue.edges.map((edge: Data) => edge.node.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    expect(data!.controlQueue.totalCount).toBe(HISTORY.filter((row) => row.countryOfOrigin !== 'ZZ').length);
    expect(data!.controlQueue.edges[0].node.declaration.items[0].commodityCode).toMatch(/^\d{8}$/);

    const red = await gql(contractOperation('ControlQueue'), { first: 100, lane: 'RED' });
    expect(red.data!.controlQueue.edges.every((edge: Data) => edge.node.lane === 'RED')).toBe(true);
  });

  it('filters the queue by office, and rejects an office code that cannot exist', async () => {
    const office = `NL${HISTORY[0]!.officeId.padStart(6, '0')}`;
    const { data } = await gql(`query ($office: String) { controlQueue(first: 100, office: $office) { totalCount edges { node { office } } } }`, { office });
    expect(data!.controlQueue.totalCount).toBe(HISTORY.filter((row) => row.officeId === HISTORY[0]!.officeId && row.countryOfOrigin !== 'ZZ').length);
    expect(data!.controlQueue.edges.every((edge: Data) => edge.node.office === office)).toBe(true);
    const { errors } = await gql(`{ controlQueue(office: "Rotterdam") { totalCount } }`);
    expect(errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'office' });
  });

  it('pages through the queue without gaps or repeats', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    do {
      const page: Data = (
        await gql(`query ($after: String) { controlQueue(first: 40, after: $after) { edges { cursor node { mrn } } pageInfo { hasNextPage endCursor } } }`, {
          after,
        })
      ).data!;
      seen.push(...page.controlQueue.edges.map((edge: Data) => edge.node.mrn));
      after = page.controlQueue.pageInfo.hasNextPage ? page.controlQueue.pageInfo.endCursor : null;
    } while (after);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.length).toBe(HISTORY.filter((row) => row.countryOfOrigin !== 'ZZ').length);
  });

  it('flags licence checks that did not match (the KCS certificates are not in the licences subgraph)', async () => {
    // Chapters 01 to 05 and 16 quote a CHED (kcs.ts), which no licence in this test matches.
    const quoting = HISTORY.find((row) => ['01', '02', '03', '04', '05', '16'].includes(row.hs6.slice(0, 2)) && row.countryOfOrigin !== 'ZZ');
    expect(quoting).toBeDefined();
    const assessment = await assessmentOf(mrnOf(quoting!));
    expect(assessment.reasons).toContainEqual(
      expect.objectContaining({ code: 'LICENCE_NOT_MATCHED', weight: 1, evidence: expect.objectContaining({ source: 'LICENCE_CHECK' }) }),
    );
  });

  it('screens given MRNs on demand and names those it does not know', async () => {
    const known = mrnOf(HISTORY[2]!);
    const { data, errors } = await gql(`mutation ($mrns: [ID!]!) { screen(mrns: $mrns) { assessed unchanged notFound assessments { mrn score } } }`, {
      mrns: [known, mrn(9)],
    });
    expect(errors).toBeUndefined();
    expect(data!.screen).toMatchObject({ assessed: 0, unchanged: 1, notFound: [mrn(9)], assessments: [{ mrn: known }] });
  });

  it('rejects an invalid MRN with BAD_USER_INPUT naming it', async () => {
    const { errors } = await gql(`mutation { screen(mrns: ["25NL0000000000001X"]) { assessed } }`);
    expect(errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'mrns[0]' });
  });
});

describe('targeting rules', () => {
  const target = HISTORY.find((row) => row.countryOfOrigin === 'CN' && row.fraud === 1)!;
  const rule = {
    reference: 'PCA-TEST-CN',
    kind: 'PRIORITY_CONTROL_AREA',
    description: `Goods of heading ${target.hs6.slice(0, 4)} from China`,
    criteria: { commodityCodePrefixes: [target.hs6.slice(0, 4)], originCountries: ['CN'] },
    weight: 2,
    minimumLane: 'RED',
    validFrom: '2020-01-01',
    validUntil: '2020-12-31',
  };

  it('a rule created through a mutation changes the next screening of matching declarations, with its reason', async () => {
    const before = await assessmentOf(mrnOf(target));
    const created = await platform.query<Data>(
      CREATE_RULE,
      { input: rule },
      await signedIn(caller('risk-analyst', { memberState: 'NL' }, 'analyst-7'), platform.trust),
    );
    expect(created.errors).toBeUndefined();
    expect(created.data!.createTargetingRule).toMatchObject({ reference: 'PCA-TEST-CN', revision: 1, status: 'ACTIVE', createdBy: 'analyst-7', hits: 0 });

    const run = await screenPending(services());
    expect(run.restarted).toBe(true);
    const after = await assessmentOf(mrnOf(target));
    expect(after.lane).toBe('RED');
    expect(after.score).toBeGreaterThan(before.score);
    expect(after.reasons).toContainEqual(
      expect.objectContaining({ code: 'RULE', weight: 2, evidence: expect.objectContaining({ source: 'TARGETING_RULE', reference: 'PCA-TEST-CN' }) }),
    );
  });

  it('counts its hits, and the hits a control confirmed', async () => {
    const matching = HISTORY.filter((row) => row.countryOfOrigin === 'CN' && row.hs6.startsWith(target.hs6.slice(0, 4)));
    const { data } = await gql(RULE, { reference: 'PCA-TEST-CN' });
    expect(data!.targetingRule).toMatchObject({ hits: matching.length, confirmedHits: matching.filter((row) => row.fraud === 1).length });
  });

  it('confirms a hit when a later control of a matching declaration finds an irregularity', async () => {
    const clean = HISTORY.find((row) => row.countryOfOrigin === 'CN' && row.hs6.startsWith(target.hs6.slice(0, 4)) && row.fraud === 0);
    expect(clean).toBeDefined();
    const before = (await gql(RULE, { reference: 'PCA-TEST-CN' })).data!.targetingRule;
    const { control } = kcsRowToRecords({ ...clean!, fraud: 1, criticalFraud: 1 }, { withLabels: true });
    await write([{ ...control!, controlType: 'POST_CLEARANCE_AUDIT', lane: 'BLUE' }]);
    await screenPending(services());
    const after = (await gql(RULE, { reference: 'PCA-TEST-CN' })).data!.targetingRule;
    expect(after).toMatchObject({ hits: before.hits, confirmedHits: before.confirmedHits + 1 });
  });

  it('sending the same rule again changes nothing; other content under its reference is a CONFLICT', async () => {
    expect((await asAnalyst(CREATE_RULE, { input: rule })).data!.createTargetingRule.revision).toBe(1);
    const { errors } = await asAnalyst(CREATE_RULE, { input: { ...rule, weight: 3 } });
    expect(errors?.[0]?.extensions?.code).toBe('CONFLICT');
  });

  it('rejects a rule without criteria, with a bad prefix, or ending before it starts', async () => {
    for (const [input, field] of [
      [{ ...rule, reference: 'R-EMPTY', criteria: {} }, 'criteria'],
      [{ ...rule, reference: 'R-PREFIX', criteria: { commodityCodePrefixes: ['8'] } }, 'criteria.commodityCodePrefixes[0]'],
      [{ ...rule, reference: 'R-DATES', validFrom: '2021-01-01', validUntil: '2020-01-01' }, 'validUntil'],
      [{ ...rule, reference: 'R-ORIGIN', criteria: { originCountries: ['XX'] } }, 'criteria.originCountries[0]'],
    ] as const) {
      const { errors } = await asAnalyst(CREATE_RULE, { input });
      expect(errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    }
  });

  it('a change must name the current revision; a stale one is a CONFLICT', async () => {
    const change = `mutation ($input: ChangeTargetingRuleInput!) { changeTargetingRule(input: $input) { revision weight changedBy } }`;
    const changed = await platform.query<Data>(
      change,
      { input: { reference: 'PCA-TEST-CN', revision: 1, weight: 1.5 } },
      await signedIn(caller('risk-analyst', { memberState: 'NL' }, 'analyst-9'), platform.trust),
    );
    expect(changed.data!.changeTargetingRule).toEqual({ revision: 2, weight: 1.5, changedBy: 'analyst-9' });
    const stale = await asAnalyst(change, { input: { reference: 'PCA-TEST-CN', revision: 1, weight: 1 } });
    expect(stale.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', revision: 2 });
  });

  it('finishes a change whose writer died between taking the revision and applying it', async () => {
    const input = { ...rule, reference: 'RIF-TEST-CRASH', kind: 'RISK_INFORMATION_FORM', validUntil: null };
    const created = (await asAnalyst(`mutation ($input: CreateTargetingRuleInput!) { createTargetingRule(input: $input) { revision } }`, { input })).data!
      .createTargetingRule;
    expect(created.revision).toBe(1);
    // The dead writer got as far as its revision document, with the rule it meant to write.
    const stored = (await platform.risk.models.rules.find({ _id: 'RIF-TEST-CRASH' }).lean().exec())[0]!;
    await platform.risk.models.ruleRevisions.create({
      _id: 'RIF-TEST-CRASH#2',
      at: new Date().toISOString(),
      by: 'crashed',
      rule: { ...stored, weight: 4, revision: 2, changedBy: 'crashed' },
    });

    const change = `mutation ($input: ChangeTargetingRuleInput!) { changeTargetingRule(input: $input) { revision } }`;
    const stale = await asAnalyst(change, { input: { reference: 'RIF-TEST-CRASH', revision: 1, weight: 3 } });
    expect(stale.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', revision: 2 });
    expect((await gql(`{ targetingRule(reference: "RIF-TEST-CRASH") { revision weight changedBy } }`)).data!.targetingRule).toEqual({
      revision: 2,
      weight: 4,
      changedBy: 'crashed',
    });
    await asAnalyst(`mutation { retireTargetingRule(reference: "RIF-TEST-CRASH", revision: 2) { status } }`);
  });

  it('a retired rule stops matching from the next screening, and its hits go with it', async () => {
    const retired = await platform.query<Data>(
      `mutation { retireTargetingRule(reference: "PCA-TEST-CN", revision: 2) { status revision retiredBy } }`,
      {},
      await signedIn(caller('risk-analyst', { memberState: 'NL' }, 'analyst-7'), platform.trust),
    );
    expect(retired.data!.retireTargetingRule).toEqual({ status: 'RETIRED', revision: 3, retiredBy: 'analyst-7' });
    await screenPending(services());
    const after = await assessmentOf(mrnOf(target));
    expect(after.reasons.map((reason: Data) => reason.code)).not.toContain('RULE');
    expect((await gql(RULE, { reference: 'PCA-TEST-CN' })).data!.targetingRule.hits).toBe(0);
  });
});

describe('entry summary declarations', () => {
  it('are screened too, with the consignee’s AEO authorisation as facilitation', async () => {
    await platform.aeo.models.operators.create({ _id: 'NL100000001', name: 'Importer One B.V.', country: 'NL', aeoTags: [] });
    await platform.aeo.models.authorisations.create({
      _id: 'NLAEOS0000000001',
      holder: 'NL100000001',
      type: 'AEOS',
      status: 'VALID',
      issuingCountry: 'NL',
      validFrom: '2018-01-01',
      history: [{ status: 'VALID', date: '2018-01-01', reason: 'Authorisation granted' }],
    });
    await write([entrySummary(1)]);
    await screenPending(services());
    const { data } = await gql(`query ($mrn: ID!) { entrySummaryDeclaration(mrn: $mrn) { riskAssessment { kind lane reasons { code weight } } } }`, {
      mrn: mrn(1, { year: '26' }),
    });
    expect(data!.entrySummaryDeclaration.riskAssessment.kind).toBe('ENTRY_SUMMARY_DECLARATION');
    expect(data!.entrySummaryDeclaration.riskAssessment.reasons).toContainEqual({ code: 'AEO_FACILITATION', weight: -0.7 });
    const queue = await gql(`{ controlQueue(kind: ENTRY_SUMMARY_DECLARATION) { totalCount } }`);
    expect(queue.data!.controlQueue.totalCount).toBe(1);
  });
});

describe('incremental learning', () => {
  it('adds only the control results recorded since the current model, as a new version', async () => {
    await write(records(LATER));
    const result = await learnThroughGraph(services(), { incremental: true });
    const later = LATER.filter((row) => row.countryOfOrigin !== 'ZZ').length;
    expect(result.newFilings).toBe(later);
    expect(result.header).toMatchObject({
      version: 2,
      method: 'INCREMENTAL',
      basedOn: 1,
      filingsLearned: HISTORY.filter((row) => row.countryOfOrigin !== 'ZZ').length + later,
    });

    const nothingNew = await learnThroughGraph(services(), { incremental: true });
    expect(nothingNew).toMatchObject({ newFilings: 0, header: { version: 2 } });
  });

  it('re-screens everything with the new version, and each assessment names it', async () => {
    const run = await screenPending(services());
    expect(run.restarted).toBe(true);
    expect((await assessmentOf(mrnOf(LATER[0]!))).modelVersion).toBe(2);
    expect((await assessmentOf(mrnOf(HISTORY[0]!))).modelVersion).toBe(2);
  });
});

describe('the risk tools beside the running platform (npm run screen, risk:learn)', () => {
  it('have the risk subgraph screen what is new, streaming its progress, and answer the result', async () => {
    const fresh = KCS.slice(300, 303);
    await write(kcsRecordList(fresh, { withLabels: false }));
    const progress: { changesRead: number }[] = [];
    const result = await runRiskJob<{ changesRead: number; assessed: number; restarted: boolean }, { changesRead: number }>(
      'screen',
      { batchSize: 50 },
      { callerId: 'npm run screen', url: platform.risk.url, token: platform.trust.serviceToken, onProgress: (step) => progress.push(step) },
    );
    expect(result).toMatchObject({ assessed: 3, restarted: false });
    expect(progress.at(-1)?.changesRead).toBe(result.changesRead);
    expect((await assessmentOf(mrnOf(fresh[0]!))).modelVersion).toBe(2);
  });

  it('get the job’s own validation error, with its code', async () => {
    const error = await runRiskJob(
      'screen',
      { batchSize: 500 },
      { callerId: 'npm run screen', url: platform.risk.url, token: platform.trust.serviceToken },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(JobFailedError);
    expect(error).toMatchObject({ code: 'BAD_USER_INPUT', message: expect.stringContaining('batchSize') });
  });

  it('are refused to a caller whose role holds no jobs scope, with FORBIDDEN', async () => {
    const response = await fetch(new URL('/jobs/screen', platform.risk.url), {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(await signedIn(caller('aeo-auditor', { memberState: 'NL' }, 'auditor-7'), platform.trust)) },
      body: '{}',
    });
    expect(response.status).toBe(403);
    expect(await response.json()).toMatchObject({ code: 'FORBIDDEN' });
  });
});
