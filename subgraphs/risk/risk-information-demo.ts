// The demo's shared risk information, over the demo data's year (2020, as the KCS declarations):
// three Risk Information Forms between Member States with different follow-ups (a rule made
// fast, a rule made slowly, already covered, not relevant, still under assessment, never
// acknowledged) and one crisis alert, opened and closed. The NL rules made from them hit the Dutch
// KCS declarations. Applied on the first start through the same writes as the mutations, each on
// its own date, so the follow-up has days to act to show; never over existing RIFs. Here rather
// than in demo/ because the subgraph applies it itself (runtime code imports no demo folder);
// demo/risk-information.ts re-exports it beside the other generators.
import type { Caller } from '../kit/auth/roles';
import { ROLE_SCOPES } from '../kit/auth/roles';
import type { RiskModels } from './models';
import { acknowledge, closeCrisisAlert, createRuleFromSignal, openCrisisAlert, publishRiskInformation, recordAction } from './risk-information';

export type DemoStep =
  /** A risk analyst of `memberState` publishes a RIF on `at` (ISO date-time). */
  | { kind: 'publish'; at: string; memberState: string; input: Record<string, unknown> }
  /** The Commission opens a crisis alert. */
  | { kind: 'openAlert'; at: string; input: Record<string, unknown> }
  | { kind: 'closeAlert'; at: string; reference: string; closedOn: string }
  | { kind: 'acknowledge'; at: string; memberState: string; signal: 'RIF' | 'ALERT'; reference: string }
  | { kind: 'action'; at: string; memberState: string; signal: 'RIF' | 'ALERT'; reference: string; action: string; date: string }
  | { kind: 'rule'; at: string; memberState: string; signal: 'RIF' | 'ALERT'; reference: string; ruleReference: string; weight: number };

export function generateRiskInformationDemo(): DemoStep[] {
  return [
    {
      kind: 'publish',
      at: '2020-02-10T09:00:00Z',
      memberState: 'DE',
      input: {
        reference: 'RIF-DE-2020-0001',
        description: 'Handbags and travel goods of heading 4202 from China declared far below their value, split over several importers',
        category: 'FINANCIAL',
        indicators: { commodityCodePrefixes: ['4202'], originCountries: ['CN'], operators: [] },
        recommendedAction: 'Documentary check of the invoice and proof of payment; physical check where the value per kg is below 8 EUR',
        validFrom: '2020-01-01',
        validUntil: '2020-12-31',
      },
    },
    { kind: 'acknowledge', at: '2020-02-11T08:30:00Z', memberState: 'NL', signal: 'RIF', reference: 'RIF-DE-2020-0001' },
    {
      kind: 'rule',
      at: '2020-02-14T10:00:00Z',
      memberState: 'NL',
      signal: 'RIF',
      reference: 'RIF-DE-2020-0001',
      ruleReference: 'NL-RIF-DE-2020-0001',
      weight: 1.5,
    },
    {
      kind: 'action',
      at: '2020-02-20T10:00:00Z',
      memberState: 'BE',
      signal: 'RIF',
      reference: 'RIF-DE-2020-0001',
      action: 'ALREADY_COVERED',
      date: '2020-02-20',
    },
    {
      kind: 'action',
      at: '2020-03-02T10:00:00Z',
      memberState: 'FR',
      signal: 'RIF',
      reference: 'RIF-DE-2020-0001',
      action: 'UNDER_ASSESSMENT',
      date: '2020-03-02',
    },
    { kind: 'acknowledge', at: '2020-02-12T14:00:00Z', memberState: 'IT', signal: 'RIF', reference: 'RIF-DE-2020-0001' },

    {
      kind: 'openAlert',
      at: '2020-02-28T07:00:00Z',
      input: {
        reference: 'CA-2020-COVID19',
        title: 'COVID-19: protective equipment and medical devices',
        guidance:
          'Falsified and non-compliant masks, gloves and medical devices: check conformity certificates and CE marking; release genuine relief consignments without delay',
        priority: 'CRITICAL',
        commodityCodePrefixes: ['6307', '3926', '9018'],
        originCountries: ['CN'],
        validFrom: '2020-03-01',
        validUntil: '2020-06-30',
      },
    },
    {
      kind: 'rule',
      at: '2020-03-02T09:00:00Z',
      memberState: 'NL',
      signal: 'ALERT',
      reference: 'CA-2020-COVID19',
      ruleReference: 'NL-CA-2020-COVID19',
      weight: 1,
    },
    {
      kind: 'action',
      at: '2020-03-03T09:00:00Z',
      memberState: 'DE',
      signal: 'ALERT',
      reference: 'CA-2020-COVID19',
      action: 'ALREADY_COVERED',
      date: '2020-03-03',
    },
    {
      kind: 'action',
      at: '2020-03-05T09:00:00Z',
      memberState: 'IT',
      signal: 'ALERT',
      reference: 'CA-2020-COVID19',
      action: 'UNDER_ASSESSMENT',
      date: '2020-03-05',
    },
    { kind: 'acknowledge', at: '2020-03-02T16:00:00Z', memberState: 'BE', signal: 'ALERT', reference: 'CA-2020-COVID19' },
    { kind: 'closeAlert', at: '2020-07-15T12:00:00Z', reference: 'CA-2020-COVID19', closedOn: '2020-07-15' },

    {
      kind: 'publish',
      at: '2020-05-04T11:00:00Z',
      memberState: 'BE',
      input: {
        reference: 'RIF-BE-2020-0007',
        description: 'Counterfeit toys of heading 9503 from China without CE marking, some with hazardous plasticisers',
        category: 'IPR',
        indicators: { commodityCodePrefixes: ['9503'], originCountries: ['CN'], containers: ['CSQU3054383'] },
        recommendedAction: 'Physical check and sampling; detain pending the right holder',
        recommendedLane: null,
        validFrom: '2020-05-01',
        validUntil: null,
        recipients: ['NL', 'DE', 'FR'],
      },
    },
    { kind: 'action', at: '2020-05-06T09:00:00Z', memberState: 'DE', signal: 'RIF', reference: 'RIF-BE-2020-0007', action: 'NOT_RELEVANT', date: '2020-05-06' },
    {
      kind: 'rule',
      at: '2020-05-19T15:00:00Z',
      memberState: 'NL',
      signal: 'RIF',
      reference: 'RIF-BE-2020-0007',
      ruleReference: 'NL-RIF-BE-2020-0007',
      weight: 1.5,
    },

    {
      kind: 'publish',
      at: '2020-09-01T08:00:00Z',
      memberState: 'FR',
      input: {
        reference: 'RIF-FR-2020-0012',
        description: 'Transformers and power supplies of heading 8504 from China with forged safety certificates',
        category: 'SAFETY_AND_SECURITY',
        indicators: { commodityCodePrefixes: ['8504'], originCountries: ['CN'], netMassBelow: 50 },
        recommendedAction: 'Documentary check of the conformity declaration',
        recommendedLane: 'YELLOW',
        validFrom: '2020-09-01',
        validUntil: '2021-08-31',
        recipients: ['NL', 'BE', 'DE', 'ES'],
      },
    },
    { kind: 'acknowledge', at: '2020-09-03T08:00:00Z', memberState: 'NL', signal: 'RIF', reference: 'RIF-FR-2020-0012' },
    {
      kind: 'action',
      at: '2020-09-21T08:00:00Z',
      memberState: 'ES',
      signal: 'RIF',
      reference: 'RIF-FR-2020-0012',
      action: 'ALREADY_COVERED',
      date: '2020-09-21',
    },
  ];
}

const analyst = (memberState: string): Caller => ({
  id: `demo-analyst-${memberState.toLowerCase()}`,
  role: 'risk-analyst',
  memberState,
  scopes: ROLE_SCOPES['risk-analyst'],
});
const COMMISSION: Caller = { id: 'demo-commission', role: 'commission-analyst', scopes: ROLE_SCOPES['commission-analyst'] };

/** Applies the demo steps unless the subgraph holds RIFs or alerts already; true when it did. */
export async function applyRiskInformationDemo(models: RiskModels, steps: readonly DemoStep[] = generateRiskInformationDemo()): Promise<boolean> {
  const [forms, alerts] = await Promise.all([models.riskInformationForms.findOne({}).lean().exec(), models.crisisAlerts.findOne({}).lean().exec()]);
  if (forms || alerts) return false;
  // In date order: an action is never recorded before what it answers.
  for (const step of [...steps].sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0))) {
    const now = new Date(step.at);
    switch (step.kind) {
      case 'publish':
        await publishRiskInformation(models, step.input, analyst(step.memberState), now);
        break;
      case 'openAlert':
        await openCrisisAlert(models, step.input, COMMISSION, now);
        break;
      case 'closeAlert':
        await closeCrisisAlert(models, step.reference, step.closedOn, COMMISSION, now);
        break;
      case 'acknowledge':
        await acknowledge(models, step.signal, step.reference, analyst(step.memberState), now);
        break;
      case 'action':
        await recordAction(models, step.signal, { reference: step.reference, action: step.action, date: step.date }, analyst(step.memberState), now);
        break;
      case 'rule':
        await createRuleFromSignal(
          models,
          step.signal,
          { reference: step.reference, ruleReference: step.ruleReference, weight: step.weight },
          analyst(step.memberState),
          now,
        );
        break;
    }
  }
  return true;
}
