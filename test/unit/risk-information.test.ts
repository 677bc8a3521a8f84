// Shared risk information without a database: validation of RIFs and crisis alerts, the demo's
// steps, the follow-up's arithmetic, and an assessment's selection reasons.
import { describe, expect, it } from 'vitest';
import { generateRiskInformationDemo } from '../../demo/risk-information';
import { selectionReasons } from '../../subgraphs/risk/assessment-feed';
import { actedOn, median } from '../../subgraphs/risk/follow-up';
import { daysBetween, validateCrisisAlert, validateRiskInformation } from '../../subgraphs/risk/risk-information';

const rif = {
  description: 'Undervalued handbags',
  category: 'FINANCIAL',
  indicators: { commodityCodePrefixes: ['4202'], originCountries: ['CN'] },
  recommendedAction: 'Check the invoice',
  validFrom: '2020-01-01',
};

describe('a RIF', () => {
  it('goes to every other EU Member State by default, and to the ones named, sorted, otherwise', () => {
    const all = validateRiskInformation(rif, 'DE').recipients;
    expect(all).toHaveLength(26);
    expect(all).not.toContain('DE');
    expect(validateRiskInformation({ ...rif, recipients: ['NL', 'BE', 'NL'] }, 'DE').recipients).toEqual(['BE', 'NL']);
  });

  it('refuses its sender, non-EU countries and unknown codes as recipients, naming the field', () => {
    for (const recipients of [['DE'], ['US'], ['XX'], []]) {
      expect(() => validateRiskInformation({ ...rif, recipients }, 'DE'), JSON.stringify(recipients)).toThrow(
        expect.objectContaining({ extensions: expect.objectContaining({ code: 'BAD_USER_INPUT' }) }),
      );
    }
  });

  it('needs an indicator, and value and mass windows that are not empty', () => {
    expect(() => validateRiskInformation({ ...rif, indicators: {} }, 'DE')).toThrow(/at least one indicator/);
    expect(() => validateRiskInformation({ ...rif, indicators: { valuePerKgBelow: 2, valuePerKgAbove: 3 } }, 'DE')).toThrow(/valuePerKgAbove/);
    expect(() => validateRiskInformation({ ...rif, indicators: { containers: ['CSQU3054384'] } }, 'DE')).toThrow(/containers\[0\]/);
  });
});

describe('a crisis alert', () => {
  it('needs a product scope and a valid period', () => {
    const alert = { title: 'Masks', guidance: 'Check certificates', priority: 'HIGH', validFrom: '2020-03-01' };
    expect(() => validateCrisisAlert(alert)).toThrow(/product scope/);
    expect(validateCrisisAlert({ ...alert, commodityCodePrefixes: ['6307'] }).commodityCodePrefixes).toEqual(['6307']);
    expect(() => validateCrisisAlert({ ...alert, originCountries: ['CN'], validUntil: '2020-02-01' })).toThrow(/validUntil/);
  });
});

describe('the demo risk information', () => {
  it('publishes valid RIFs and an alert, and answers each only after it was published', () => {
    const steps = generateRiskInformationDemo();
    const published = new Map<string, string>();
    for (const step of steps) {
      if (step.kind === 'publish') {
        validateRiskInformation(step.input, step.memberState);
        published.set(String(step.input.reference), step.at);
      } else if (step.kind === 'openAlert') {
        validateCrisisAlert(step.input);
        published.set(String(step.input.reference), step.at);
      }
    }
    expect([...published.keys()].filter((reference) => reference.startsWith('RIF-'))).toHaveLength(3);
    for (const step of steps) {
      if (step.kind === 'publish' || step.kind === 'openAlert') continue;
      expect(published.get(step.reference), step.reference).toBeDefined();
      expect(step.at > published.get(step.reference)!, `${step.kind} ${step.reference}`).toBe(true);
    }
    const actions = new Set(steps.flatMap((step) => (step.kind === 'action' ? [step.action] : step.kind === 'rule' ? ['RULE_CREATED'] : [])));
    expect([...actions].sort()).toEqual(['ALREADY_COVERED', 'NOT_RELEVANT', 'RULE_CREATED', 'UNDER_ASSESSMENT']);
  });
});

describe('the follow-up', () => {
  it('counts days between dates, medians, and what is acted on', () => {
    expect(daysBetween('2020-02-10', '2020-02-14')).toBe(4);
    expect(daysBetween('2020-02-28', '2020-03-01')).toBe(2);
    expect(median([])).toBeNull();
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 10])).toBe(3.5);
    expect(actedOn({ action: 'UNDER_ASSESSMENT' })).toBe(false);
    expect(actedOn({ action: null })).toBe(false);
    expect(actedOn({ action: 'NOT_RELEVANT' })).toBe(true);
  });
});

describe('selection reasons', () => {
  const thresholds = { red: 0.8, yellow: 0.5 };
  const rule = (weight: number) => ({
    code: 'RULE',
    description: 'rule',
    weight,
    evidence: { source: 'TARGETING_RULE' as const, reference: 'R1', detail: '' },
  });
  const base = { lane: 'RED' as const, score: 0.9, ruleHits: [] as string[], randomlySelected: false, reasons: [] as ReturnType<typeof rule>[] };

  it('is empty for GREEN', () => {
    expect(selectionReasons({ ...base, lane: 'GREEN', score: 0.1 }, [], thresholds)).toEqual([]);
  });

  it('names the rule, and the RIF or alert it was made from, without PROFILE when the rule alone lifted the score', () => {
    // 0.9 is log-odds 2.197; less a rule weight of 2 is 0.197 → 0.549 ≥ 0.5: the profiles alone reach YELLOW.
    expect(selectionReasons({ ...base, ruleHits: ['R1'], reasons: [rule(2)] }, [{ riskInformationForm: 'RIF-1' }], thresholds)).toEqual([
      'RULE',
      'PROFILE',
      'RISK_INFORMATION_FORM',
    ]);
    expect(selectionReasons({ ...base, ruleHits: ['R1'], reasons: [rule(3)] }, [{ crisisAlert: 'CA-1' }], thresholds)).toEqual(['RULE', 'CRISIS_ALERT']);
  });

  it('names random selection, and falls back to PROFILE when nothing else explains the lane', () => {
    expect(selectionReasons({ ...base, score: 0.1, randomlySelected: true }, [], thresholds)).toEqual(['RANDOM']);
    expect(selectionReasons({ ...base, lane: 'YELLOW', score: 0.1 }, [], thresholds)).toEqual(['PROFILE']);
  });
});
