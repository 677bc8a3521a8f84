// Risk information shared between Member States through the gateway: a RIF published by one
// Member State's analyst, acknowledged and turned into a rule by another's, the rule's hits and
// the controls' findings flowing back per RIF and per Member State; a crisis alert the same way;
// and the feed of every assessment written.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kcsMrn, kcsRecordList, kcsRowToRecords, readKcsCsv, type KcsRow } from '../../demo/kcs';
import type { Caller } from '../../subgraphs/kit/auth/roles';
import { learnThroughGraph } from '../../subgraphs/risk/learning';
import { applyRiskInformationDemo } from '../../subgraphs/risk/risk-information-demo';
import { screenPending } from '../../subgraphs/risk/screening';
import { caller, signedIn } from '../support/auth';
import { startPlatform, type Platform } from '../support/platform';

let platform: Platform;
type Data = Record<string, any>;
const as = async (who: Caller, query: string, variables?: Record<string, unknown>) =>
  platform.query<Data>(query, variables, await signedIn(who, platform.trust));
const gql = (query: string, variables?: Record<string, unknown>) => platform.query<Data>(query, variables);
const analyst = (memberState: string) => caller('risk-analyst', { memberState }, `analyst-${memberState.toLowerCase()}`);
const DE = analyst('DE');
const NL = analyst('NL');
const BE = analyst('BE');
const FR = analyst('FR');
const COMMISSION = caller('commission-analyst', {}, 'commission-1');

const KCS = readKcsCsv('data/kcs-synthetic/train.csv');
const HISTORY = KCS.slice(0, 240);
const usable = HISTORY.filter((row) => row.countryOfOrigin !== 'ZZ');
const today = new Date().toISOString().slice(0, 10);

const rifTarget = usable.find((row) => row.countryOfOrigin === 'CN' && row.fraud === 1)!;
const rifPrefix = rifTarget.hs6.slice(0, 4);
const rifMatches = (row: KcsRow) => row.countryOfOrigin === 'CN' && row.hs6.startsWith(rifPrefix);
const alertTarget = usable.find(
  (row) => !rifMatches(row) && row.fraud === 1 && usable.filter((other) => other.hs6.slice(0, 4) === row.hs6.slice(0, 4)).length >= 2,
)!;
const alertPrefix = alertTarget.hs6.slice(0, 4);
const alertMatches = (row: KcsRow) => row.hs6.startsWith(alertPrefix);

const RIF_FIELDS = `reference senderMemberState category recipients status version amendments { version changed amendedBy }
  indicators { commodityCodePrefixes originCountries containers netMassBelow } recommendedLane hits confirmedHits
  followUp { memberState acknowledgedBy acknowledgedAt action actionDate daysToAct daysToAcknowledge hits confirmedHits rules { reference memberState kind } }`;
const RIF = `query ($reference: ID!) { riskInformationForm(reference: $reference) { ${RIF_FIELDS} } }`;
const PUBLISH = `mutation ($input: PublishRiskInformationFormInput!) { publishRiskInformationForm(input: $input) { ${RIF_FIELDS} } }`;
const RULE_FROM_RIF = `mutation ($input: CreateRuleFromRiskInformationInput!) { createRuleFromRiskInformationForm(input: $input) {
  reference memberState kind weight minimumLane criteria { commodityCodePrefixes originCountries } riskInformationForm { reference } } }`;
const FOLLOW_UP = `query ($from: Date!, $until: Date!, $memberState: String) { riskInformationFollowUp(from: $from, until: $until, memberState: $memberState) {
  memberState received acknowledged actedOn rulesCreated medianDaysToAct hits confirmedHits } }`;

const rif = {
  reference: 'RIF-DE-TEST-0001',
  description: `Undervalued goods of heading ${rifPrefix} from China, declared through NL and BE`,
  category: 'FINANCIAL',
  indicators: { commodityCodePrefixes: [rifPrefix], originCountries: ['CN'], containers: ['CSQU3054383'], netMassBelow: 5000 },
  recommendedAction: 'Documentary check of the invoice and physical check of the goods',
  recommendedLane: 'RED',
  validFrom: '2020-01-01',
  validUntil: '2020-12-31',
  recipients: ['NL', 'BE'],
};

async function ok(response: Promise<{ data?: Data | null; errors?: unknown[] }>): Promise<Data> {
  const { data, errors } = await response;
  expect(errors).toBeUndefined();
  return data!;
}

async function recordControl(row: KcsRow, outcome: 'IRREGULARITY_FOUND' | 'NO_IRREGULARITY') {
  const { control } = kcsRowToRecords({ ...row, fraud: outcome === 'IRREGULARITY_FOUND' ? 1 : 0, criticalFraud: 0 }, { withLabels: true });
  const { kind: _kind, ...input } = { ...control!, controlType: 'POST_CLEARANCE_AUDIT', lane: 'BLUE' };
  await ok(gql(`mutation ($input: RecordControlResultInput!) { recordControlResult(input: $input) { id outcome } }`, { input }));
}

beforeAll(async () => {
  platform = await startPlatform();
  await platform.declarations.models.writer.write(kcsRecordList(HISTORY, { withLabels: true }));
  await learnThroughGraph(platform.risk.models, { batchSize: 100 });
  await screenPending(platform.risk.models, { batchSize: 100 });
}, 180_000);

afterAll(() => platform.stop());

describe('a Risk Information Form', () => {
  it('is published by an analyst of one Member State to the recipients named, and a replay changes nothing', async () => {
    const published = (await ok(as(DE, PUBLISH, { input: rif }))).publishRiskInformationForm;
    expect(published).toMatchObject({ senderMemberState: 'DE', recipients: ['BE', 'NL'], status: 'ACTIVE', version: 1, hits: 0 });
    expect(published.followUp.map((response: Data) => response.memberState)).toEqual(['BE', 'NL']);
    expect((await ok(as(DE, PUBLISH, { input: rif }))).publishRiskInformationForm.version).toBe(1);
    const { errors } = await as(DE, PUBLISH, { input: { ...rif, description: 'Something else' } });
    expect(errors?.[0]?.extensions?.code).toBe('CONFLICT');
  });

  it('validates Member States, HS codes and containers, naming the field', async () => {
    for (const [input, field] of [
      [{ ...rif, reference: 'RIF-BAD-1', recipients: ['US'] }, 'recipients[0]'],
      [{ ...rif, reference: 'RIF-BAD-2', recipients: ['XX'] }, 'recipients[0]'],
      [{ ...rif, reference: 'RIF-BAD-3', indicators: { commodityCodePrefixes: ['8'] } }, 'indicators.commodityCodePrefixes[0]'],
      [{ ...rif, reference: 'RIF-BAD-4', indicators: { containers: ['CSQU3054384'] } }, 'indicators.containers[0]'],
      [{ ...rif, reference: 'RIF-BAD-5', indicators: {} }, 'indicators'],
    ] as const) {
      const { errors } = await as(DE, PUBLISH, { input });
      expect(errors?.[0]?.extensions, field).toMatchObject({ code: 'BAD_USER_INPUT', field });
    }
  });

  it('is seen by its sender, its recipients and the Commission only', async () => {
    expect((await ok(as(FR, RIF, { reference: rif.reference }))).riskInformationForm).toBeNull();
    expect((await ok(as(FR, `{ riskInformationForms { totalCount } }`))).riskInformationForms.totalCount).toBe(0);
    expect((await ok(as(NL, `{ riskInformationForms { totalCount edges { node { reference } } } }`))).riskInformationForms.totalCount).toBe(1);
    expect((await ok(as(COMMISSION, RIF, { reference: rif.reference }))).riskInformationForm.followUp).toHaveLength(2);
    // A recipient sees its own follow-up; the sender every recipient's.
    expect((await ok(as(NL, RIF, { reference: rif.reference }))).riskInformationForm.followUp.map((r: Data) => r.memberState)).toEqual(['NL']);
    const { errors } = await as(FR, `mutation { acknowledgeRiskInformationForm(reference: "${rif.reference}") { memberState } }`);
    expect(errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });

  it('is acknowledged, and turned into a rule of the receiving Member State prefilled from its indicators', async () => {
    const ack = await ok(
      as(NL, `mutation { acknowledgeRiskInformationForm(reference: "${rif.reference}") { memberState acknowledgedBy daysToAcknowledge action } }`),
    );
    expect(ack.acknowledgeRiskInformationForm).toEqual({ memberState: 'NL', acknowledgedBy: 'analyst-nl', daysToAcknowledge: 0, action: null });
    const input = { reference: rif.reference, ruleReference: 'NL-RIF-DE-TEST-0001' };
    const rule = (await ok(as(NL, RULE_FROM_RIF, { input }))).createRuleFromRiskInformationForm;
    expect(rule).toEqual({
      reference: 'NL-RIF-DE-TEST-0001',
      memberState: 'NL',
      kind: 'RISK_INFORMATION_FORM',
      weight: 0,
      minimumLane: 'RED',
      criteria: { commodityCodePrefixes: [rifPrefix], originCountries: ['CN'] },
      riskInformationForm: { reference: rif.reference },
    });
    // A retry is a replay.
    expect((await ok(as(NL, RULE_FROM_RIF, { input }))).createRuleFromRiskInformationForm.reference).toBe('NL-RIF-DE-TEST-0001');
    const { errors } = await as(FR, RULE_FROM_RIF, { input: { ...input, ruleReference: 'FR-RIF-1' } });
    expect(errors?.[0]?.extensions?.code).toBe('NOT_FOUND');

    const sent = (await ok(as(DE, RIF, { reference: rif.reference }))).riskInformationForm;
    const nl = sent.followUp.find((response: Data) => response.memberState === 'NL');
    // The sender sees what NL did; the rule itself is NL's to read (and the Commission's).
    expect(nl).toMatchObject({ action: 'RULE_CREATED', actionDate: today, daysToAct: 0, hits: 0, rules: [] });
    const own = (await ok(as(NL, RIF, { reference: rif.reference }))).riskInformationForm.followUp[0];
    expect(own.rules).toEqual([{ reference: 'NL-RIF-DE-TEST-0001', memberState: 'NL', kind: 'RISK_INFORMATION_FORM' }]);
  });

  it("counts the rule's hits and confirmed hits per RIF and per Member State once screened, and a new control's finding", async () => {
    await screenPending(platform.risk.models);
    const matching = usable.filter(rifMatches);
    expect(matching.length).toBeGreaterThan(0);
    let sent = (await ok(as(DE, RIF, { reference: rif.reference }))).riskInformationForm;
    expect(sent).toMatchObject({ hits: matching.length, confirmedHits: matching.filter((row) => row.fraud === 1).length });
    expect(sent.followUp.find((response: Data) => response.memberState === 'NL').hits).toBe(matching.length);

    const reasons = await ok(gql(`query ($mrn: ID!) { declaration(mrn: $mrn) { riskAssessment { lane selectionReasons } } }`, { mrn: kcsMrn(rifTarget) }));
    expect(reasons.declaration.riskAssessment).toMatchObject({ lane: 'RED' });
    expect(reasons.declaration.riskAssessment.selectionReasons).toEqual(expect.arrayContaining(['RULE', 'RISK_INFORMATION_FORM']));

    const clean = matching.find((row) => row.fraud === 0)!;
    expect(clean).toBeDefined();
    await recordControl(clean, 'IRREGULARITY_FOUND');
    await screenPending(platform.risk.models);
    const before = sent.confirmedHits;
    sent = (await ok(as(DE, RIF, { reference: rif.reference }))).riskInformationForm;
    expect(sent.confirmedHits).toBe(before + 1);
  });

  it('records what another recipient did, and sums the follow-up per Member State', async () => {
    const recorded = await ok(
      as(
        BE,
        `mutation { recordRiskInformationFormAction(input: { reference: "${rif.reference}", action: NOT_RELEVANT }) { action actionDate daysToAct acknowledgedBy } }`,
      ),
    );
    expect(recorded.recordRiskInformationFormAction).toEqual({ action: 'NOT_RELEVANT', actionDate: today, daysToAct: 0, acknowledgedBy: 'analyst-be' });
    const { errors } = await as(BE, `mutation { recordRiskInformationFormAction(input: { reference: "${rif.reference}", action: RULE_CREATED }) { action } }`);
    expect(errors?.[0]?.extensions?.code).toBe('INVALID_TRANSITION');

    const rows = (await ok(as(COMMISSION, FOLLOW_UP, { from: today, until: today }))).riskInformationFollowUp;
    const matching = usable.filter(rifMatches);
    expect(rows.find((row: Data) => row.memberState === 'NL')).toMatchObject({
      received: 1,
      acknowledged: 1,
      actedOn: 1,
      rulesCreated: 1,
      medianDaysToAct: 0,
      hits: matching.length,
    });
    expect(rows.find((row: Data) => row.memberState === 'BE')).toMatchObject({ received: 1, acknowledged: 1, actedOn: 1, rulesCreated: 0, hits: 0 });
    // An analyst reads its own Member State's row only.
    expect((await ok(as(NL, FOLLOW_UP, { from: today, until: today }))).riskInformationFollowUp.map((row: Data) => row.memberState)).toEqual(['NL']);
    expect((await as(NL, FOLLOW_UP, { from: today, until: today, memberState: 'BE' })).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('is amended on its current version only, and withdrawn by its sender', async () => {
    const amend = `mutation ($input: AmendRiskInformationFormInput!) { amendRiskInformationForm(input: $input) { version amendments { version changed } recipients } }`;
    const input = { reference: rif.reference, version: 1, validUntil: '2021-06-30', recipients: ['NL', 'BE', 'FR'] };
    const amended = (await ok(as(DE, amend, { input }))).amendRiskInformationForm;
    expect(amended).toEqual({ version: 2, amendments: [{ version: 2, changed: ['validUntil', 'recipients'] }], recipients: ['BE', 'FR', 'NL'] });
    // The same amendment again is a replay; another one on the stale version a CONFLICT.
    expect((await ok(as(DE, amend, { input }))).amendRiskInformationForm.version).toBe(2);
    const stale = await as(DE, amend, { input: { reference: rif.reference, version: 1, description: 'Changed' } });
    expect(stale.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', version: 2 });
    const notSender = await as(NL, amend, { input: { reference: rif.reference, version: 2, description: 'Changed' } });
    expect(notSender.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    // Now a recipient, FR sees it.
    expect((await ok(as(FR, RIF, { reference: rif.reference }))).riskInformationForm.followUp.map((r: Data) => r.memberState)).toEqual(['FR']);

    const withdraw = `mutation { withdrawRiskInformationForm(reference: "${rif.reference}", version: 2, reason: "Superseded") { status version } }`;
    expect((await ok(as(DE, withdraw))).withdrawRiskInformationForm).toEqual({ status: 'WITHDRAWN', version: 3 });
    expect((await ok(as(DE, withdraw))).withdrawRiskInformationForm).toEqual({ status: 'WITHDRAWN', version: 3 });
    const late = await as(FR, RULE_FROM_RIF, { input: { reference: rif.reference, ruleReference: 'FR-RIF-LATE' } });
    expect(late.errors?.[0]?.extensions?.code).toBe('INVALID_TRANSITION');
  });
});

describe('a crisis alert', () => {
  const alert = {
    reference: 'ALERT-TEST-0001',
    title: 'Protective equipment shortage',
    guidance: 'Check goods of the heading for falsified conformity certificates',
    priority: 'HIGH',
    commodityCodePrefixes: [alertPrefix],
    validFrom: '2020-01-01',
  };
  const ALERT = `query { crisisAlert(reference: "ALERT-TEST-0001") { status closedOn commodityCodePrefixes hits confirmedHits
    followUp { memberState action hits } } }`;

  it('is opened by the Commission only, for every Member State', async () => {
    const open = `mutation ($input: OpenCrisisAlertInput!) { openCrisisAlert(input: $input) { reference status followUp { memberState } } }`;
    const denied = await as(NL, open, { input: alert });
    expect(denied.errors?.[0]).toBeDefined();
    const opened = (await ok(as(COMMISSION, open, { input: alert }))).openCrisisAlert;
    expect(opened.followUp).toHaveLength(27);
    expect((await ok(as(COMMISSION, open, { input: alert }))).openCrisisAlert.status).toBe('OPEN');
    // Every Member State's analyst sees it, with its own follow-up.
    expect((await ok(as(FR, ALERT))).crisisAlert.followUp.map((r: Data) => r.memberState)).toEqual(['FR']);
  });

  it('proposes rules the same way, whose hits and confirmed hits flow back; closing keeps the indicators', async () => {
    const rule = await ok(
      as(
        NL,
        `mutation { createRuleFromCrisisAlert(input: { reference: "ALERT-TEST-0001", ruleReference: "NL-ALERT-TEST-0001", weight: 3 }) {
          reference kind weight crisisAlert { reference } } }`,
      ),
    );
    expect(rule.createRuleFromCrisisAlert).toEqual({
      reference: 'NL-ALERT-TEST-0001',
      kind: 'PRIORITY_CONTROL_AREA',
      weight: 3,
      crisisAlert: { reference: 'ALERT-TEST-0001' },
    });
    await screenPending(platform.risk.models);
    const matching = usable.filter(alertMatches);
    const seen = (await ok(as(COMMISSION, ALERT))).crisisAlert;
    expect(seen).toMatchObject({ hits: matching.length, confirmedHits: matching.filter((row) => row.fraud === 1).length });
    expect(seen.followUp.find((r: Data) => r.memberState === 'NL')).toMatchObject({ action: 'RULE_CREATED', hits: matching.length });

    const clean = matching.find((row) => row.fraud === 0)!;
    expect(clean).toBeDefined();
    await recordControl(clean, 'IRREGULARITY_FOUND');
    await screenPending(platform.risk.models);
    expect((await ok(as(COMMISSION, ALERT))).crisisAlert.confirmedHits).toBe(seen.confirmedHits + 1);
    const selected = await ok(gql(`query ($mrn: ID!) { declaration(mrn: $mrn) { riskAssessment { selectionReasons } } }`, { mrn: kcsMrn(alertTarget) }));
    // Weight 3 need not make it YELLOW; when it is selected, the alert is one of the reasons.
    const why = selected.declaration.riskAssessment.selectionReasons;
    expect(why.length === 0 || (why.includes('RULE') && why.includes('CRISIS_ALERT'))).toBe(true);

    const closed = await ok(
      as(COMMISSION, `mutation { closeCrisisAlert(reference: "ALERT-TEST-0001", closedOn: "${today}") { status closedOn commodityCodePrefixes } }`),
    );
    expect(closed.closeCrisisAlert).toEqual({ status: 'CLOSED', closedOn: today, commodityCodePrefixes: [alertPrefix] });
    const rows = (await ok(as(COMMISSION, FOLLOW_UP, { from: today, until: today, memberState: 'NL' }))).riskInformationFollowUp;
    expect(rows).toEqual([expect.objectContaining({ memberState: 'NL', received: 2, actedOn: 2, rulesCreated: 2 })]);
  });
});

describe('the assessment feed', () => {
  it('pages every assessment written once, from a cursor, to callers who see every Member State', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 100; page++) {
      const data: Data = await ok(
        gql(
          `query ($after: String) { assessmentChanges(first: 100, after: $after) { edges { node { sequence mrn kind assessment { mrn } } } pageInfo { hasNextPage endCursor } } }`,
          {
            after,
          },
        ),
      );
      seen.push(...data.assessmentChanges.edges.map(({ node }: Data) => `${node.sequence}|${node.mrn}`));
      expect(data.assessmentChanges.edges.every(({ node }: Data) => node.kind === 'DECLARATION' && node.assessment.mrn === node.mrn)).toBe(true);
      after = data.assessmentChanges.pageInfo.endCursor;
      if (!data.assessmentChanges.pageInfo.hasNextPage) break;
    }
    expect(new Set(seen).size).toBe(seen.length);
    expect(new Set(seen.map((entry) => entry.split('|')[1]))).toEqual(new Set(usable.map(kcsMrn)));
    // Read again from its end, nothing new.
    const end = await ok(gql(`query ($after: String) { assessmentChanges(after: $after) { edges { cursor } pageInfo { hasNextPage } } }`, { after }));
    expect(end.assessmentChanges.edges).toEqual([]);
    const { errors } = await as(NL, `{ assessmentChanges { edges { cursor } } }`);
    expect(errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});

describe('the demo risk information', () => {
  it('is applied once, on a subgraph without any, and its Dutch rules hit the KCS declarations', async () => {
    const models = platform.risk.models;
    expect(await applyRiskInformationDemo(models)).toBe(false);
    await Promise.all(
      [models.riskInformationForms, models.riskInformationVersions, models.crisisAlerts, models.riskInformationResponses].map((model) =>
        model.collection.deleteMany({}),
      ),
    );
    expect(await applyRiskInformationDemo(models)).toBe(true);
    await screenPending(models);
    const rows: Data[] = (await ok(as(COMMISSION, FOLLOW_UP, { from: '2020-01-01', until: '2020-12-31' }))).riskInformationFollowUp;
    expect(rows).toHaveLength(27);
    const nl = rows.find((row) => row.memberState === 'NL')!;
    // Acted on in 4 (the DE RIF), 3 (the alert, over 29 February) and 15 days (the BE RIF); the FR RIF only acknowledged.
    expect(nl).toMatchObject({ received: 4, acknowledged: 4, actedOn: 3, rulesCreated: 3, medianDaysToAct: 4 });
    const early = usable.filter((row) => row.hs6.startsWith('4202') && row.countryOfOrigin === 'CN');
    expect(nl.hits).toBeGreaterThanOrEqual(early.length);
    expect(rows.find((row) => row.memberState === 'DE')).toMatchObject({ received: 3, actedOn: 2 });
    const alert = (await ok(as(COMMISSION, `{ crisisAlerts { totalCount edges { node { reference status closedOn } } } }`))).crisisAlerts;
    expect(alert.edges[0].node).toEqual({ reference: 'CA-2020-COVID19', status: 'CLOSED', closedOn: '2020-07-15' });
  });
});
