import { beforeAll, describe, expect, it } from 'vitest';
import { DEMO_SHOWCASE_EORIS, generateAeoDemoData, type AeoDemoData } from '../../demo/aeo';
import { ENS_AMENDMENTS, VAGUE_DESCRIPTION, ensShowcase, filingTypeMode, generateEnsDemoRecords } from '../../demo/ens';
import type { EntrySummaryRecord, PartyRecord } from '../../subgraphs/declarations/records';
import { EU_MEMBER_STATES } from '../../subgraphs/kit/countries';
import { checkContainerNumber, checkEori, checkMrn, checkUnLocode } from '../../subgraphs/kit/identifiers';

const EU = new Set(EU_MEMBER_STATES);

function parties(record: EntrySummaryRecord): PartyRecord[] {
  return [record.carrier, ...record.consignments.flatMap((c) => [c.consignor, c.consignee, ...(c.notifyParty ? [c.notifyParty] : [])])];
}

describe('ENS demo filings', () => {
  let records: EntrySummaryRecord[];
  let aeo: AeoDemoData;

  beforeAll(() => {
    records = generateEnsDemoRecords();
    aeo = generateAeoDemoData();
  });

  it('is deterministic for a given seed', () => {
    expect(generateEnsDemoRecords()).toEqual(records);
    expect(generateEnsDemoRecords({ seed: 7, count: 50 })).toEqual(generateEnsDemoRecords({ seed: 7, count: 50 }));
    expect(generateEnsDemoRecords({ seed: 8, count: 50 })).not.toEqual(generateEnsDemoRecords({ seed: 7, count: 50 }));
    expect(new Set(records.map((r) => r.mrn)).size).toBe(400);
  });

  it('uses only valid MRNs, containers, UN/LOCODEs and EORIs', () => {
    const problems: string[] = [];
    const note = (what: string, value: string, valid: boolean) => {
      if (!valid) problems.push(`${what} ${value}`);
    };
    for (const record of records) {
      note('MRN', record.mrn, checkMrn(record.mrn).valid);
      note('MRN procedure letter', record.mrn, record.mrn.charAt(16) === 'I');
      note('MRN country', record.mrn, record.mrn.slice(2, 4) === record.officeOfFirstEntry.slice(0, 2));
      note('office', record.officeOfFirstEntry, /^[A-Z]{2}[A-Z0-9]{6}$/.test(record.officeOfFirstEntry));
      note('arrival', record.expectedArrival, /^202[56]-\d{2}-\d{2}T\d{2}:\d{2}:00Z$/.test(record.expectedArrival));
      for (const party of parties(record)) {
        note('EORI', party.eori ?? '', checkEori(party.eori ?? '').valid);
        note('party name', party.eori ?? '', Boolean(party.name && party.address?.city));
      }
      for (const consignment of record.consignments) {
        note('loading', consignment.placeOfLoading, checkUnLocode(consignment.placeOfLoading).valid);
        note('unloading', consignment.placeOfUnloading, checkUnLocode(consignment.placeOfUnloading).valid);
        note('unloading in the EU', consignment.placeOfUnloading, EU.has(consignment.placeOfUnloading.slice(0, 2)));
        for (const container of consignment.containers ?? []) {
          note('container', container.number, checkContainerNumber(container.number).valid);
          note('seals', container.number, (container.seals ?? []).length >= 1 && (container.seals ?? []).length <= 2);
        }
        note('goods', consignment.transportDocument, consignment.goods.length >= 1 && consignment.goods.length <= 4);
        for (const goods of consignment.goods) {
          note('HS6', goods.commodityCode, /^\d{6}$/.test(goods.commodityCode));
          note('UN number', goods.dangerousGoodsCode ?? '', goods.dangerousGoodsCode == null || /^\d{4}$/.test(goods.dangerousGoodsCode));
          note('gross mass', String(goods.grossMass), goods.grossMass > 0 && goods.packages > 0);
        }
      }
      note('consignments', record.mrn, record.consignments.length >= 1 && record.consignments.length <= 3);
    }
    expect(problems).toEqual([]);
    expect(records.some((r) => r.consignments.some((c) => c.goods.some((g) => g.dangerousGoodsCode === '3480')))).toBe(true);
  });

  it('takes consignees and notify parties from the EU operators and consignors from third countries of the AEO demo data', () => {
    const operators = new Map(aeo.operators.map((o) => [o.eori, o]));
    const holders = new Set(aeo.authorisations.map((a) => a.holder));
    const consignees: string[] = [];
    for (const record of records) {
      for (const c of record.consignments) {
        expect(EU.has(operators.get(c.consignee.eori ?? '')?.country ?? ''), c.consignee.eori ?? '').toBe(true);
        expect(operators.get(c.consignee.eori ?? '')?.name).toBe(c.consignee.name);
        const consignor = operators.get(c.consignor.eori ?? '');
        expect(consignor && !EU.has(consignor.country), c.consignor.eori ?? '').toBe(true);
        expect(consignor?.country).not.toMatch(/^(CH|NO)$/);
        if (c.notifyParty) expect(EU.has(operators.get(c.notifyParty.eori ?? '')?.country ?? '')).toBe(true);
        consignees.push(c.consignee.eori ?? '');
      }
    }
    const share = consignees.filter((eori) => holders.has(eori)).length / consignees.length;
    expect(share).toBeGreaterThan(0.3);
    expect(consignees).toContain(DEMO_SHOWCASE_EORIS.validAeof);
    expect(consignees).toContain(DEMO_SHOWCASE_EORIS.suspended);
    expect(records.some((r) => r.consignments.some((c) => c.consignor.eori === DEMO_SHOWCASE_EORIS.thirdCountry))).toBe(true);
  });

  it('keeps the filing type and the transport mode consistent', () => {
    const expected = (type: string) =>
      type === 'F50' ? 'ROAD' : type === 'F51' ? 'RAIL' : ({ '1': 'SEA', '2': 'AIR', '3': 'AIR', '4': 'POSTAL' } as const)[type.charAt(1) as '1'];
    const families = new Map<string, number>();
    for (const record of records) {
      expect(record.transportMode, record.filingType).toBe(expected(record.filingType));
      expect(filingTypeMode(record.filingType)).toBe(record.transportMode);
      const hasContainers = record.consignments.every((c) => (c.containers ?? []).length > 0);
      expect(hasContainers, record.mrn).toBe(record.transportMode === 'SEA');
      families.set(record.filingType.slice(0, 2), (families.get(record.filingType.slice(0, 2)) ?? 0) + 1);
    }
    // Maritime mostly; every family present.
    expect((families.get('F1') ?? 0) / records.length).toBeGreaterThan(0.5);
    for (const family of ['F1', 'F2', 'F3', 'F4', 'F5']) expect(families.get(family) ?? 0, family).toBeGreaterThan(0);
  });

  it('repeats about 5% of the filings later in the list as amendments with the same MRN', () => {
    const first = new Map<string, number>();
    const amendments: [EntrySummaryRecord, EntrySummaryRecord][] = [];
    records.forEach((record, index) => {
      const earlier = first.get(record.mrn);
      if (earlier === undefined) first.set(record.mrn, index);
      else amendments.push([records[earlier] as EntrySummaryRecord, record]);
    });
    expect(amendments.length).toBe(records.length - 400);
    expect(amendments.length / 400).toBeGreaterThan(ENS_AMENDMENTS.share / 2);
    expect(amendments.length / 400).toBeLessThan(ENS_AMENDMENTS.share * 2);
    for (const [original, amended] of amendments) {
      expect(amended).not.toEqual(original);
      expect({ ...amended, consignments: [], expectedArrival: '' }).toEqual({ ...original, consignments: [], expectedArrival: '' });
    }
    // Among them a corrected description and an added container.
    expect(
      amendments.some(
        ([o, a]) => o.consignments[0]?.goods[0]?.description === VAGUE_DESCRIPTION && a.consignments[0]?.goods[0]?.description !== VAGUE_DESCRIPTION,
      ),
    ).toBe(true);
    expect(amendments.some(([o, a]) => (a.consignments[0]?.containers ?? []).length === (o.consignments[0]?.containers ?? []).length + 1)).toBe(true);
  });

  it('exposes showcase MRNs that docs and tests can cite', () => {
    const showcase = ensShowcase(records);
    const byMrn = (mrn: string) => records.filter((r) => r.mrn === mrn);
    expect(byMrn(showcase.withContainers)[0]?.consignments[0]?.containers?.length).toBeGreaterThan(0);
    expect(byMrn(showcase.amended)).toHaveLength(2);
    const consignee = byMrn(showcase.validAeofConsignee)[0]?.consignments[0]?.consignee.eori;
    expect(aeo.authorisations.some((a) => a.holder === consignee && a.type === 'AEOF' && a.history.at(-1)?.status === 'VALID')).toBe(true);
    // Every seed has them.
    expect(() => ensShowcase(generateEnsDemoRecords({ seed: 3, count: 5 }))).not.toThrow();
  });
});
