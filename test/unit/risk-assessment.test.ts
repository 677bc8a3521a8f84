// The parts of an assessment that are policy, not learning: credibility checks, targeting
// rules, facilitation, random selection and lanes, and how assess() adds them up.
import { describe, expect, it } from 'vitest';
import { assess, type AssessmentPolicy } from '../../subgraphs/risk/assess';
import { credibilityChecks } from '../../subgraphs/risk/checks';
import { facilitation, FACILITATION_WEIGHTS } from '../../subgraphs/risk/facilitation';
import { checkCapacity, laneFor, thresholdsFor } from '../../subgraphs/risk/lanes';
import type { FilingFeatures, ItemFeatures, LabelledFiling } from '../../subgraphs/risk/model/features';
import { createScorer } from '../../subgraphs/risk/model/score';
import { learn } from '../../subgraphs/risk/model/train';
import { isRandomlySelected } from '../../subgraphs/risk/random-selection';
import { inForce, matchRule, validateRuleContent, type RuleDoc } from '../../subgraphs/risk/rules';

function item(overrides: Partial<ItemFeatures> = {}): ItemFeatures {
  return { itemNumber: 1, commodityCode: '85171300', originCountry: 'CN', netMass: 100, grossMass: 110, valueEur: 5000, licenceOutcomes: [], ...overrides };
}

function filing(overrides: Partial<FilingFeatures> = {}): FilingFeatures {
  return {
    kind: 'DECLARATION',
    mrn: '25NL00000000000018',
    date: '2025-06-01',
    office: 'NL000396',
    transportMode: 'SEA',
    importer: 'NL100000001',
    declarant: 'NL800000001',
    seller: 'CNSELLER1',
    dispatchCountry: 'CN',
    routes: [],
    nationalData: {},
    items: [item()],
    importerAeo: [],
    recognisedBy: [],
    ...overrides,
  };
}

function rule(overrides: Partial<RuleDoc> = {}, criteria: Partial<RuleDoc['criteria']> = {}): RuleDoc {
  return {
    _id: 'PCA-1',
    kind: 'PRIORITY_CONTROL_AREA',
    description: 'Telephones from China',
    criteria: {
      commodityCodePrefixes: [],
      originCountries: [],
      placesOfLoading: [],
      placesOfUnloading: [],
      operators: [],
      offices: [],
      transportModes: [],
      valuePerKgBelow: null,
      valuePerKgAbove: null,
      ...criteria,
    },
    weight: 1,
    minimumLane: null,
    validFrom: '2025-01-01',
    validUntil: null,
    status: 'ACTIVE',
    revision: 1,
    createdBy: 'analyst',
    createdAt: '2025-01-01T00:00:00Z',
    changedBy: 'analyst',
    changedAt: '2025-01-01T00:00:00Z',
    retiredBy: null,
    retiredAt: null,
    ...overrides,
  };
}

describe('credibility checks', () => {
  const codes = (features: FilingFeatures) => credibilityChecks(features, null).map((finding) => finding.reason.code);

  it('pass a plausible declaration', () => {
    expect(codes(filing())).toEqual([]);
  });

  it('flag a net mass of zero and a value of zero, for a documentary check at least', () => {
    const findings = credibilityChecks(filing({ items: [item({ netMass: 0, valueEur: 0 })] }), null);
    expect(findings.map((f) => f.reason.code)).toEqual(['ZERO_NET_MASS', 'ZERO_VALUE']);
    expect(findings.every((f) => f.minimumLane === 'YELLOW')).toBe(true);
  });

  it('flag a net mass above the gross mass, and a gross mass more than ten times the net', () => {
    expect(codes(filing({ items: [item({ netMass: 120, grossMass: 100 })] }))).toEqual(['NET_ABOVE_GROSS']);
    expect(codes(filing({ items: [item({ netMass: 10, grossMass: 101 })] }))).toEqual(['GROSS_FAR_ABOVE_NET']);
    expect(codes(filing({ items: [item({ netMass: 10, grossMass: 100 })] }))).toEqual([]);
  });

  it('flag a value per kilogram below the lower fence of its fair-price band', () => {
    const history: LabelledFiling[] = Array.from({ length: 40 }, (_, i) => ({
      features: filing({ mrn: `m${i}`, items: [item({ valueEur: 5000 + (i % 7) * 100, netMass: 100 })] }),
      irregular: false,
    }));
    const { fairPrice } = learn(history, { folds: 2 });
    // Without a band there is nothing to be below.
    expect(codes(filing({ items: [item({ valueEur: 50, netMass: 100 })] }))).toEqual([]);
    const findings = credibilityChecks(filing({ items: [item({ valueEur: 50, netMass: 100 })] }), fairPrice);
    expect(findings.map((f) => f.reason.code)).toEqual(['UNDERVALUATION']);
    expect(findings[0]!.reason.evidence).toMatchObject({ source: 'FAIR_PRICE_BAND', reference: 'item 1' });
    expect(credibilityChecks(filing(), fairPrice)).toEqual([]);
  });

  it('do not apply to an ENS, which declares no value or net mass', () => {
    expect(codes(filing({ kind: 'ENS', items: [item({ netMass: 0 })] }))).toEqual([]);
  });
});

describe('targeting rules', () => {
  it('match when every criterion given holds, the item ones on one same item', () => {
    const telephonesFromChina = rule({}, { commodityCodePrefixes: ['8517'], originCountries: ['CN'] });
    expect(matchRule(telephonesFromChina, filing())).toMatchObject({ items: [1] });
    expect(matchRule(telephonesFromChina, filing({ items: [item({ originCountry: 'VN' })] }))).toBeNull();
    // Telephone from Vietnam and shirts from China: no single item is both.
    expect(matchRule(telephonesFromChina, filing({ items: [item({ originCountry: 'VN' }), item({ itemNumber: 2, commodityCode: '61091000' })] }))).toBeNull();
  });

  it('match an operator in any role, an office, a mode and places of a route', () => {
    expect(matchRule(rule({}, { operators: ['NL800000001'] }), filing())).not.toBeNull();
    expect(matchRule(rule({}, { operators: ['NL999'] }), filing())).toBeNull();
    expect(matchRule(rule({}, { offices: ['NL000396'], transportModes: ['SEA'] }), filing())).not.toBeNull();
    expect(matchRule(rule({}, { transportModes: ['AIR'] }), filing())).toBeNull();
    const ens = filing({ kind: 'ENS', routes: ['CNSHA-NLRTM'] });
    expect(matchRule(rule({}, { placesOfLoading: ['CNSHA'] }), ens)).not.toBeNull();
    expect(matchRule(rule({}, { placesOfUnloading: ['BEANR'] }), ens)).toBeNull();
  });

  it('match a value per kilogram below or above a bound, and never an item without one', () => {
    // 5000 EUR for 100 kg: 50 EUR/kg.
    expect(matchRule(rule({}, { valuePerKgBelow: 60 }), filing())).not.toBeNull();
    expect(matchRule(rule({}, { valuePerKgBelow: 40 }), filing())).toBeNull();
    expect(matchRule(rule({}, { valuePerKgAbove: 40 }), filing())).not.toBeNull();
    expect(matchRule(rule({}, { valuePerKgBelow: 60 }), filing({ items: [item({ netMass: 0 })] }))).toBeNull();
  });

  it('apply only within their validity period, inclusive, and never once retired', () => {
    const bounded = rule({ validFrom: '2025-03-01', validUntil: '2025-06-01' });
    expect(inForce(bounded, '2025-02-28')).toBe(false);
    expect(inForce(bounded, '2025-03-01')).toBe(true);
    expect(inForce(bounded, '2025-06-01')).toBe(true);
    expect(inForce(bounded, '2025-06-02')).toBe(false);
    expect(inForce(rule({ status: 'RETIRED' }), '2025-06-01')).toBe(false);
    expect(matchRule(rule({ validUntil: '2025-05-31' }, { originCountries: ['CN'] }), filing())).toBeNull();
  });

  it('are validated before they are stored, each problem naming its field', () => {
    const valid = {
      reference: 'RIF-2025-001',
      kind: 'RISK_INFORMATION_FORM',
      description: 'x',
      criteria: { commodityCodePrefixes: ['6109'] },
      weight: 1,
      validFrom: '2025-01-01',
    };
    expect(validateRuleContent(valid).criteria.commodityCodePrefixes).toEqual(['6109']);
    const field = (input: Record<string, unknown>) => {
      try {
        validateRuleContent(input);
        return null;
      } catch (error) {
        return (error as { extensions: { field: string } }).extensions.field;
      }
    };
    expect(field({ ...valid, reference: 'x' })).toBe('reference');
    expect(field({ ...valid, weight: 0 })).toBe('weight');
    expect(field({ ...valid, weight: 9 })).toBe('weight');
    expect(field({ ...valid, criteria: { offices: ['Rotterdam'] } })).toBe('criteria.offices[0]');
    expect(field({ ...valid, criteria: { placesOfLoading: ['CNSH'] } })).toBe('criteria.placesOfLoading[0]');
    expect(field({ ...valid, criteria: { valuePerKgBelow: 5, valuePerKgAbove: 10 } })).toBe('criteria.valuePerKgAbove');
  });
});

describe('facilitation', () => {
  const codes = (features: FilingFeatures) => facilitation(features).map((reason) => [reason.code, reason.weight]);

  it('lowers the risk of a declaration whose importer holds a valid AEOC or AEOF, not an AEOS', () => {
    expect(codes(filing({ importerAeo: [{ type: 'AEOC', status: 'VALID' }] }))).toEqual([['AEO_FACILITATION', FACILITATION_WEIGHTS.aeo]]);
    expect(codes(filing({ importerAeo: [{ type: 'AEOF', status: 'VALID' }] }))).toEqual([['AEO_FACILITATION', FACILITATION_WEIGHTS.aeo]]);
    expect(codes(filing({ importerAeo: [{ type: 'AEOS', status: 'VALID' }] }))).toEqual([]);
  });

  it('lowers the risk of an ENS whose consignee holds a valid AEOS or AEOF, not an AEOC', () => {
    expect(codes(filing({ kind: 'ENS', importerAeo: [{ type: 'AEOS', status: 'VALID' }] }))).toEqual([['AEO_FACILITATION', FACILITATION_WEIGHTS.aeo]]);
    expect(codes(filing({ kind: 'ENS', importerAeo: [{ type: 'AEOC', status: 'VALID' }] }))).toEqual([]);
  });

  it('gives a suspended or revoked authorisation nothing', () => {
    expect(
      codes(
        filing({
          importerAeo: [
            { type: 'AEOF', status: 'SUSPENDED' },
            { type: 'AEOC', status: 'REVOKED' },
          ],
        }),
      ),
    ).toEqual([]);
  });

  it('lowers the risk for mutual recognition, and raises it once per licence outcome other than MATCHED', () => {
    const features = filing({
      recognisedBy: ['JP-AEO'],
      items: [item({ licenceOutcomes: ['MATCHED', 'EXPIRED'] }), item({ itemNumber: 2, licenceOutcomes: ['EXPIRED', 'MISSING'] })],
    });
    expect(codes(features)).toEqual([
      ['MRA_RECOGNITION', FACILITATION_WEIGHTS.mutualRecognition],
      ['LICENCE_NOT_MATCHED', FACILITATION_WEIGHTS.licenceNotMatched],
      ['LICENCE_NOT_MATCHED', FACILITATION_WEIGHTS.licenceNotMatched],
    ]);
    expect(facilitation(features)[1]!.evidence).toMatchObject({ reference: 'EXPIRED', detail: 'items 1, 2' });
  });
});

describe('random selection', () => {
  const mrns = Array.from({ length: 20_000 }, (_, i) => `25NL${String(i).padStart(13, '0')}`);

  it('selects about the configured share of filings', () => {
    const share = mrns.filter((mrn) => isRandomlySelected(mrn, 0.01)).length / mrns.length;
    expect(share).toBeGreaterThan(0.008);
    expect(share).toBeLessThan(0.012);
    expect(mrns.filter((mrn) => isRandomlySelected(mrn, 0.05)).length / mrns.length).toBeCloseTo(0.05, 2);
  });

  it('draws the same for the same filing every time, and nothing at a share of 0', () => {
    expect(mrns.map((mrn) => isRandomlySelected(mrn, 0.01))).toEqual(mrns.map((mrn) => isRandomlySelected(mrn, 0.01)));
    expect(mrns.some((mrn) => isRandomlySelected(mrn, 0))).toBe(false);
  });
});

describe('lanes', () => {
  const scores = Array.from({ length: 1000 }, (_, i) => i / 1000);

  it('follow the control capacity: with 5% red and 10% yellow, the top 50 go red and the next 100 yellow', () => {
    const thresholds = thresholdsFor(scores, { redShare: 0.05, yellowShare: 0.1 });
    const lanes = scores.map((score) => laneFor(score, thresholds));
    expect(lanes.filter((lane) => lane === 'RED')).toHaveLength(50);
    expect(lanes.filter((lane) => lane === 'YELLOW')).toHaveLength(100);
    expect(laneFor(0.999, thresholds)).toBe('RED');
    expect(laneFor(0.9, thresholds)).toBe('YELLOW');
    expect(laneFor(0.5, thresholds)).toBe('GREEN');
  });

  it('send nothing red when there is no capacity for it', () => {
    const thresholds = thresholdsFor(scores, { redShare: 0, yellowShare: 0.1 });
    expect(scores.filter((score) => laneFor(score, thresholds) === 'RED')).toHaveLength(0);
    expect(scores.filter((score) => laneFor(score, thresholds) === 'YELLOW')).toHaveLength(100);
  });

  it('stay finite when a lane has no place among a few scores, so a model learned from few controls can be stored', () => {
    const thresholds = thresholdsFor([0.9, 0.5, 0.1], { redShare: 0.05, yellowShare: 0.1 });
    expect(Number.isFinite(thresholds.red) && Number.isFinite(thresholds.yellow)).toBe(true);
    expect(JSON.parse(JSON.stringify(thresholds))).toEqual(thresholds);
    expect([0.9, 0.5, 0.1].map((score) => laneFor(score, thresholds))).toEqual(['GREEN', 'GREEN', 'GREEN']);
  });

  it('reject a capacity that is not a pair of shares adding up to at most 1', () => {
    expect(() => checkCapacity({ redShare: 0.6, yellowShare: 0.6 })).toThrow(/at most 1/);
    expect(() => checkCapacity({ redShare: -0.1, yellowShare: 0.1 })).toThrow();
  });
});

describe('an assessment', () => {
  const history: LabelledFiling[] = Array.from({ length: 200 }, (_, i) => ({
    features: filing({ mrn: `m${i}`, importer: i % 2 ? 'NLRISKY' : 'NLSAFE', items: [item({ valueEur: 4000 + (i % 9) * 250 })] }),
    irregular: i % 2 === 1 && i % 10 !== 1,
  }));
  const model = learn(history, { folds: 5 });
  const policy = (overrides: Partial<AssessmentPolicy> = {}): AssessmentPolicy => ({
    model,
    scorer: createScorer(model),
    modelVersion: 7,
    thresholds: { red: 0.9, yellow: 0.6 },
    rules: [],
    randomShare: 0,
    ...overrides,
  });

  it('scores an importer with a record of irregularities above one without, and says why', () => {
    const risky = assess(filing({ importer: 'NLRISKY' }), policy());
    const safe = assess(filing({ importer: 'NLSAFE' }), policy());
    expect(risky.score).toBeGreaterThan(safe.score);
    // The importer alone, or in a combination (importer × commodity): here they tell the same story.
    const importer = risky.reasons.filter((reason) => reason.code.startsWith('PROFILE_IMPORTER'));
    expect(importer.length).toBeGreaterThan(0);
    expect(importer.every((reason) => reason.weight > 0 && reason.evidence.source === 'LEARNED_PROFILE')).toBe(true);
    expect(importer[0]!.evidence.detail).toMatch(/NLRISKY/);
    expect(risky.modelVersion).toBe(7);
  });

  it('adds a matching rule’s weight and lane, and leaves others alone', () => {
    const base = assess(filing(), policy());
    const hit = assess(filing(), policy({ rules: [rule({ weight: 1.5, minimumLane: 'RED' }, { originCountries: ['CN'] })] }));
    expect(hit.ruleHits).toEqual(['PCA-1']);
    expect(hit.lane).toBe('RED');
    expect(Math.log(hit.score / (1 - hit.score)) - Math.log(base.score / (1 - base.score))).toBeCloseTo(1.5, 3);
    expect(assess(filing(), policy({ rules: [rule({}, { originCountries: ['VN'] })] })).ruleHits).toEqual([]);
  });

  it('goes red when randomly selected, whatever its score, and says so', () => {
    const mrn = Array.from({ length: 1000 }, (_, i) => `25NL${String(i).padStart(13, '0')}`).find((m) => isRandomlySelected(m, 0.01))!;
    const selected = assess(filing({ mrn, importer: 'NLSAFE' }), policy({ randomShare: 0.01 }));
    expect(selected).toMatchObject({ lane: 'RED', randomlySelected: true });
    expect(selected.reasons).toContainEqual(expect.objectContaining({ code: 'RANDOM_SELECTION', weight: 0 }));
  });

  it('goes at least yellow on a failed credibility check, showing the check once', () => {
    const zero = assess(filing({ importer: 'NLSAFE', items: [item({ netMass: 0 })] }), policy({ thresholds: { red: 1, yellow: 1 } }));
    expect(zero.lane).toBe('YELLOW');
    expect(zero.reasons.filter((reason) => reason.code === 'ZERO_NET_MASS')).toHaveLength(1);
  });

  it('is the same for the same facts and policy', () => {
    expect(assess(filing(), policy())).toEqual(assess(filing(), policy()));
  });
});
