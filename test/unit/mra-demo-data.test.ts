import { describe, expect, it } from 'vitest';
import { DEMO_SHOWCASE_EORIS, generateAeoDemoData } from '../../demo/aeo';
import { ensShowcase, generateEnsDemoRecords } from '../../demo/ens';
import { MRA_SHOWCASE, generateMraDemoRecords, mraShowcase, validTypesByHolder } from '../../demo/mra';
import { MRA_PROGRAMMES, checkPartnerIdentifier } from '../../subgraphs/mra/programmes';

const TODAY = '2026-11-26';
const aeo = generateAeoDemoData();
const records = generateMraDemoRecords();
const isDate = (value: string): boolean => /^\d{4}-\d{2}-\d{2}$/.test(value) && new Date(`${value}T00:00:00Z`).toISOString().startsWith(value);
const inForce = (from: string | null, until: string | null | undefined, date: string): boolean => from !== null && from <= date && (!until || date <= until);

describe('MRA programmes', () => {
  it('have unique codes and countries, valid dates and matching examples', () => {
    expect(new Set(MRA_PROGRAMMES.map((p) => p.code)).size).toBe(MRA_PROGRAMMES.length);
    expect(new Set(MRA_PROGRAMMES.map((p) => p.partnerCountry)).size).toBe(MRA_PROGRAMMES.length);
    for (const programme of MRA_PROGRAMMES) {
      if (programme.inForceFrom) expect(isDate(programme.inForceFrom), programme.code).toBe(true);
      if (programme.inForceFrom && programme.inForceUntil) expect(programme.inForceUntil > programme.inForceFrom).toBe(true);
      expect(programme.identifierPattern.startsWith('^') && programme.identifierPattern.endsWith('$')).toBe(true);
      expect(checkPartnerIdentifier(programme, programme.identifierExample)).toEqual({ valid: true, value: programme.identifierExample });
      expect(programme.recognisedAeoTypes.length).toBeGreaterThan(0);
    }
    for (const code of ['JP-AEO', 'US-CTPAT', 'CN-AEO', 'NO-AEO', 'CH-AEO', 'GB-AEO']) {
      const programme = MRA_PROGRAMMES.find((p) => p.code === code);
      expect(programme && inForce(programme.inForceFrom, programme.inForceUntil, TODAY), code).toBe(true);
    }
  });

  it('include one that is not in force on 2026-11-26', () => {
    const notInForce = MRA_PROGRAMMES.filter((p) => !inForce(p.inForceFrom, p.inForceUntil, TODAY));
    expect(notInForce.map((p) => p.code)).toEqual(['CA-PIP']);
  });

  it('reject identifiers instead of normalising them', () => {
    const cn = MRA_PROGRAMMES.find((p) => p.code === 'CN-AEO')!;
    expect(checkPartnerIdentifier(cn, 'AEOCN1234567890').valid).toBe(true);
    for (const bad of ['aeocn1234567890', ' AEOCN1234567890', 'AEOCN 1234567890', 'AEOCN123456789', '']) {
      const result = checkPartnerIdentifier(cn, bad);
      expect(result.valid, bad).toBe(false);
      if (!result.valid) expect(result.reason.length).toBeGreaterThan(0);
    }
    const lower = checkPartnerIdentifier(cn, 'aeocn1234567890');
    expect(!lower.valid && lower.reason).toMatch(/lower-case/);
  });
});

describe('MRA demo records', () => {
  it('are deterministic', () => {
    expect(generateMraDemoRecords()).toEqual(records);
  });

  it('certify about 40% of the partner-country operators with unique identifiers in the programme format', () => {
    const partnerCountries = new Set(MRA_PROGRAMMES.map((p) => p.partnerCountry));
    const candidates = aeo.operators.filter((o) => partnerCountries.has(o.country));
    const share = records.partnerTraders.length / candidates.length;
    expect(share).toBeGreaterThan(0.3);
    expect(share).toBeLessThan(0.5);
    expect(new Set(records.partnerTraders.map((t) => t.identifier)).size).toBe(records.partnerTraders.length);
    const operators = new Map(aeo.operators.map((o) => [o.eori, o]));
    for (const trader of records.partnerTraders) {
      const programme = MRA_PROGRAMMES.find((p) => p.code === trader.programme)!;
      expect(checkPartnerIdentifier(programme, trader.identifier).valid, trader.identifier).toBe(true);
      expect(operators.get(trader.eori ?? '')?.country).toBe(programme.partnerCountry);
      expect(isDate(trader.certifiedFrom)).toBe(true);
      expect(trader.certifiedFrom < trader.listDate).toBe(true);
      const from = programme.inForceFrom;
      if (from && from <= trader.listDate) expect(trader.certifiedFrom > from).toBe(true);
    }
    expect(records.partnerTraders.some((t) => t.programme === 'CA-PIP')).toBe(true);
  });

  it('give consent for about 85% of the AEO holders, after their authorisation', () => {
    const firstValidFrom = new Map<string, string>();
    for (const a of aeo.authorisations) {
      const known = firstValidFrom.get(a.holder);
      if (!known || a.validFrom < known) firstValidFrom.set(a.holder, a.validFrom);
    }
    const share = records.consents.length / firstValidFrom.size;
    expect(share).toBeGreaterThan(0.78);
    expect(share).toBeLessThan(0.92);
    expect(new Set(records.consents.map((c) => c.eori)).size).toBe(records.consents.length);
    for (const consent of records.consents) {
      expect(consent.granted).toBe(true);
      expect(consent.date > firstValidFrom.get(consent.eori)!).toBe(true);
    }
  });

  it('have lanes made of ENS filings, one suspended', () => {
    expect(records.lanes.length).toBeGreaterThanOrEqual(3);
    expect(records.lanes.length).toBeLessThanOrEqual(5);
    expect(records.lanes.filter((lane) => lane.status === 'SUSPENDED')).toHaveLength(1);
    const filings = generateEnsDemoRecords();
    for (const lane of records.lanes) {
      const parties = new Set(
        filings
          .filter((f) => f.transportMode === lane.transportMode)
          .flatMap((f) => f.consignments)
          .filter((c) => c.placeOfLoading === lane.origin && c.placeOfUnloading === lane.destination)
          .flatMap((c) => [c.consignor.eori, c.consignee.eori]),
      );
      expect(lane.operators.length).toBeGreaterThan(0);
      for (const operator of lane.operators) expect(parties.has(operator), `${lane.code} ${operator}`).toBe(true);
    }
  });

  it('put the ENS showcase filing on an active lane', () => {
    const filings = generateEnsDemoRecords();
    const mrn = ensShowcase(filings).validAeofConsignee;
    const filing = filings.find((f) => f.mrn === mrn)!;
    const consignment = filing.consignments[0]!;
    const lane = records.lanes.find(
      (l) =>
        l.status === 'ACTIVE' &&
        l.transportMode === filing.transportMode &&
        l.origin === consignment.placeOfLoading &&
        l.destination === consignment.placeOfUnloading,
    );
    expect(lane).toBeDefined();
    expect(lane!.operators).toContain(consignment.consignor.eori);
    expect(lane!.operators).toContain(consignment.consignee.eori);
    expect(consignment.consignor.eori).toBe(DEMO_SHOWCASE_EORIS.thirdCountry);
    expect(consignment.consignee.eori).toBe(DEMO_SHOWCASE_EORIS.validAeof);
  });
});

describe('MRA showcase', () => {
  const valid = validTypesByHolder(aeo);
  const consented = new Set(records.consents.filter((c) => c.granted).map((c) => c.eori));

  it('is what mraShowcase picks from the default data', () => {
    expect(mraShowcase(aeo, records)).toEqual(MRA_SHOWCASE);
  });

  it('has the property each role claims', () => {
    const types = (eori: string): string[] => [...(valid.get(eori) ?? [])].sort();
    expect(types(MRA_SHOWCASE.recognised)).toContain('AEOF');
    expect(consented.has(MRA_SHOWCASE.recognised)).toBe(true);

    expect(types(MRA_SHOWCASE.noConsent).some((t) => t === 'AEOS' || t === 'AEOF')).toBe(true);
    expect(consented.has(MRA_SHOWCASE.noConsent)).toBe(false);
    expect(records.consents.some((c) => c.eori === MRA_SHOWCASE.noConsent)).toBe(false);

    expect(types(MRA_SHOWCASE.notEligibleType)).toEqual(['AEOC']);

    expect(valid.has(MRA_SHOWCASE.aeoNotValid)).toBe(true); // a holder ...
    expect(types(MRA_SHOWCASE.aeoNotValid)).toEqual([]); // ... with nothing valid
    const history = aeo.authorisations.filter((a) => a.holder === MRA_SHOWCASE.aeoNotValid).map((a) => a.history.at(-1)?.status);
    expect(history).toContain('SUSPENDED');

    const partner = records.partnerTraders.find((t) => t.eori === MRA_SHOWCASE.partnerTrader);
    expect(partner?.programme).toBe('CN-AEO');
    expect(partner?.identifier).toMatch(/^AEOCN\d{10}$/);
  });
});
