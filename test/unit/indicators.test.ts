// The indicators' arithmetic: a declaration's contribution and its counters, the periods months
// are summed into, and the fair-price band of a trade flow.
import { describe, expect, it } from 'vitest';
import { addCounters, contributionOf, flowCounters, monthCounters, sameContribution, type DeclarationFacts } from '../../subgraphs/indicators/contribution';
import { fairPriceBand, tradeFlow } from '../../subgraphs/indicators/flows';
import { indicatorRow, periodOf } from '../../subgraphs/indicators/indicators';

const facts: DeclarationFacts = {
  mrn: '20DE00000000000017',
  acceptanceDate: '2020-03-02',
  officeOfPresentation: 'DE004100',
  importer: { eori: 'DE123', aeoAuthorisations: [{ status: 'SUSPENDED' }] },
  declarant: { eori: 'DE456', aeoAuthorisations: [{ status: 'VALID' }] },
  items: [
    { itemNumber: 1, commodityCode: '61091000', originCountry: 'CN', netMass: 100.5, statisticalValue: { amount: 0.1, currency: 'EUR' } },
    { itemNumber: 2, commodityCode: '61091000', originCountry: 'CN', netMass: 0.2, statisticalValue: { amount: 0.2, currency: 'EUR' } },
    { itemNumber: 3, commodityCode: '8517120000', originCountry: 'VN', netMass: 1, statisticalValue: null },
  ],
  controlResults: [
    { outcome: 'NO_IRREGULARITY', revenueRaised: null },
    { outcome: 'IRREGULARITY_FOUND', revenueRaised: { amount: 10.01, currency: 'EUR' } },
  ],
  riskAssessment: { lane: 'RED', selectionReasons: ['RULE', 'RISK_INFORMATION_FORM'] },
};

describe('a declaration’s contribution', () => {
  it('is counted in its month, office and Member State, AEO when the importer or declarant holds a valid authorisation', () => {
    const contribution = contributionOf(facts);
    expect(contribution).toMatchObject({
      month: '2020-03',
      memberState: 'DE',
      office: 'DE004100',
      aeo: true,
      valueCents: 30,
      revenueCents: 1001,
      controlled: true,
      irregular: true,
    });
    expect(monthCounters(contribution)).toEqual({
      declarations: 1,
      goodsItems: 3,
      valueCents: 30,
      revenueCents: 1001,
      assessed: 1,
      lane_RED: 1,
      aeo: 1,
      controls: 1,
      aeoControlled: 1,
      controls_RED: 1,
      controls_RULE: 1,
      controls_RISK_INFORMATION_FORM: 1,
      irregular: 1,
      irregular_RED: 1,
      irregular_RULE: 1,
      irregular_RISK_INFORMATION_FORM: 1,
    });
    expect(Object.fromEntries(flowCounters(contribution))).toEqual({
      '2020-03|DE|610910|CN': { items: 2, massGrams: 100_700, valueCents: 30 },
      '2020-03|DE|851712|VN': { items: 1, massGrams: 1000, valueCents: 0 },
    });
  });

  it('subtracted after being added leaves exactly nothing, in whole cents and grams', () => {
    const counters = addCounters(addCounters({}, monthCounters(contributionOf(facts))), monthCounters(contributionOf(facts)), -1);
    expect(Object.values(counters).every((value) => value === 0)).toBe(true);
    expect(sameContribution(contributionOf(facts), contributionOf({ ...facts }))).toBe(true);
    expect(sameContribution(contributionOf(facts), contributionOf({ ...facts, riskAssessment: null }))).toBe(false);
  });

  it('makes a row whose rates are null where nothing was there to divide', () => {
    const row = indicatorRow('2020-03', 'DE', null, { declarations: 2, goodsItems: 2 });
    expect(row).toMatchObject({
      detectionRate: null,
      aeoShare: 0,
      aeoControlRate: null,
      nonAeoControlRate: 0,
      lanes: { green: 0, yellow: 0, red: 0, assessed: 0 },
    });
    expect(row.detectionByLane.map((entry) => entry.key)).toEqual(['GREEN', 'YELLOW', 'RED']);
  });
});

describe('periods', () => {
  it('are months, quarters or years', () => {
    expect(['2020-01', '2020-03', '2020-04', '2020-12'].map((month) => periodOf(month, 'QUARTER'))).toEqual(['2020-Q1', '2020-Q1', '2020-Q2', '2020-Q4']);
    expect(periodOf('2020-07', 'YEAR')).toBe('2020');
    expect(periodOf('2020-07', 'MONTH')).toBe('2020-07');
  });
});

describe('the fair-price band', () => {
  it('is Tukey’s fences on the log of the unit values, and needs four of them', () => {
    expect(fairPriceBand([1, 2, 3])).toBeNull();
    const band = fairPriceBand([10, 10, 10, 10])!;
    expect(band.low).toBeCloseTo(10, 9);
    expect(band.high).toBeCloseTo(10, 9);
    const wide = fairPriceBand([1, 10, 100, 1000])!;
    // log10 quartiles 0.75 and 2.25: fences 0.75 − 2.25 and 2.25 + 2.25.
    expect(Math.log10(wide.low)).toBeCloseTo(-1.5, 9);
    expect(Math.log10(wide.high)).toBeCloseTo(4.5, 9);
  });

  it('lists the items outside it, farthest first, and leaves a flow without mass without a unit value', () => {
    const item = (itemNumber: number, massGrams: number, valueCents: number) => ({
      _id: `M|${itemNumber}`,
      mrn: 'M',
      itemNumber,
      flow: '610910|CN',
      month: '2020-03',
      memberState: 'DE',
      massGrams,
      valueCents,
      live: true,
    });
    const values = [1000, 1100, 900, 1000, 1050, 950, 1000, 1000, 1, 100_000];
    const items = values.map((cents, index) => item(index + 1, 1000, cents));
    const flow = tradeFlow('610910|CN', { items: 10, massGrams: 10_000, valueCents: 108_001 }, items);
    // 0.01 €/kg is farther below the band (in log) than 1000 €/kg is above it.
    expect(flow.outliers).toEqual([
      { mrn: 'M', itemNumber: 9, unitValue: 0.01 },
      { mrn: 'M', itemNumber: 10, unitValue: 1000 },
    ]);
    expect(flow.unitValue).toBeCloseTo(1080.01 / 10, 9);
    expect(tradeFlow('610910|CN', { items: 1, massGrams: 0, valueCents: 100 }, []).unitValue).toBeNull();
  });
});
