import { beforeAll, describe, expect, it } from 'vitest';
import { HS_CHAPTERS, KCS_HEADER, KRW_PER_EUR, kcsFileToRecords, kcsRowToRecords, parseKcsCsv, type KcsRow } from '../../demo/kcs';
import { kcsOperators } from '../../demo/kcs-operators';
import type { DeclarationRecord } from '../../subgraphs/declarations/records';
import { generateAeoDemoData } from '../../demo/aeo';
import { createRandom } from '../../subgraphs/kit/random';
import { checkAeoAuthorisationNumber, checkEori, checkMrn } from '../../subgraphs/kit/identifiers';

const TRAIN = 'data/kcs-synthetic/train.csv';
const HEADER = KCS_HEADER.join(',');

// Real rows of train.csv: a clean one, a critical fraud with a courier, a seller-less one.
const CLEAN = '97061800,2020-01-01,30,B,11,21,11,10,ZZR1LT6,QLRUBN9,0VKY2BR,,440890,BE,BE,0.0,FEU1,G,108.0,372254.4,0,0';
const CRITICAL = '54057015,2020-03-21,152,B,11,21,13,10,998DIGO,GE8G4VP,1M4R8Z2,KJ8YGQ,030367,ZZ,RU,22.0,L,B,338023.0,122634744.4,1,2';
const MINOR = '78608532,2020-03-30,20,B,11,21,11,10,FYJTYAA,FPMIG7D,XF3QTNB,,420292,ZZ,RO,0.0,FEU1,E,4.1,243.95,1,1';
const NO_SELLER = '47936577,2020-01-23,40,B,11,21,11,10,DWNJQL8,44OI74Z,,,840999,CN,ZZ,8.0,A,E,642.0,18553.8,0,0';

let trainCache: DeclarationRecord[] | undefined;

/** The train split's declarations, converted once for the tests that only read them. */
function trainDeclarations(): DeclarationRecord[] {
  trainCache ??= kcsFileToRecords(TRAIN, { withLabels: false }).map((records) => records.declaration);
  return trainCache;
}

function row(line: string): KcsRow {
  const [parsed] = parseKcsCsv(`${HEADER}\n${line}\n`);
  if (!parsed) throw new Error('no row');
  return parsed;
}

function national(entries: { key: string; value: string }[] | null | undefined): Record<string, string> {
  return Object.fromEntries((entries ?? []).map(({ key, value }) => [key, value]));
}

describe('KCS declarations', () => {
  it('maps a row to a declaration with a valid MRN and a control result', () => {
    const { declaration, control } = kcsRowToRecords(row(CLEAN));
    expect(declaration).toMatchObject({
      kind: 'declaration',
      mrn: '20NL00000970618001',
      lrn: 'KCS-97061800',
      declarationType: 'IM',
      acceptanceDate: '2020-01-01',
      officeOfPresentation: 'NL000030',
      transportMode: 'SEA',
      countryOfDispatch: 'BE',
      importer: { eori: 'NLQLRUBN9' },
      declarant: { eori: 'NLZZR1LT6' },
    });
    expect(checkMrn(declaration.mrn).valid).toBe(true);
    expect(declaration.representative).toBeUndefined();
    expect(declaration.seller?.eori).toBe(`${declaration.seller?.country}0VKY2BR`);
    expect(national(declaration.nationalData)).toEqual({
      processType: 'B',
      importType: '11',
      importUse: '21',
      paymentType: '11',
      sourceDeclarationId: '97061800',
    });

    expect(declaration.items).toHaveLength(1);
    const [item] = declaration.items;
    expect(item).toMatchObject({
      itemNumber: 1,
      commodityCode: '44089000',
      description: 'Wood and articles of wood (HS 440890)',
      originCountry: 'BE',
      netMass: 108,
    });
    expect(item?.grossMass).toBeUndefined();
    expect(national(item?.nationalData)).toEqual({ taxRate: '0.0', taxType: 'FEU1', originIndicator: 'G' });

    expect(control).toEqual({
      kind: 'controlResult',
      mrn: declaration.mrn,
      itemNumber: 1,
      lane: 'RED',
      controlType: 'PHYSICAL_EXAMINATION',
      outcome: 'NO_IRREGULARITY',
      irregularityType: null,
      severity: null,
      revenueRaised: null,
      date: '2020-01-01',
      office: 'NL000030',
    });
  });

  it('keeps the original amount in won and converts the statistical value to euro at the documented rate', () => {
    const { declaration } = kcsRowToRecords(row(CLEAN));
    const [item] = declaration.items;
    expect(KRW_PER_EUR).toBe(1345);
    expect(item?.itemAmount).toEqual({ amount: 372254.4, currency: 'KRW' });
    expect(declaration.invoiceTotal).toEqual({ amount: 372254.4, currency: 'KRW' });
    expect(item?.statisticalValue).toEqual({ amount: 276.77, currency: 'EUR' }); // 372254.4 / 1345 = 276.7691...
    // The generator's floating-point noise goes; nothing else does.
    const noisy = row('65717975,2020-01-16,20,B,11,21,11,10,OZB7KED,GJGA9BQ,SG1N3IW,,843110,ZZ,ZZ,8.0,A,Y,2700.0,7290.000000000001,0,0');
    expect(kcsRowToRecords(noisy).declaration.items[0]?.itemAmount.amount).toBe(7290);
  });

  it('gives a seller the same identifier wherever it appears', () => {
    const seller = (line: string) => kcsRowToRecords(row(line)).declaration.seller;
    const elsewhere = CRITICAL.replace('1M4R8Z2', '0VKY2BR');
    expect(seller(elsewhere)).toEqual(seller(CLEAN));
    expect(checkEori(seller(CLEAN)?.eori ?? '').valid).toBe(true);
    expect(seller(NO_SELLER)).toBeUndefined();

    // Across the whole split: one country per seller, mostly China, never an EU Member State.
    const countries = new Map<string, Set<string>>();
    for (const declaration of trainDeclarations()) {
      const s = declaration.seller;
      if (!s?.eori || !s.country) continue;
      const id = s.eori.slice(2);
      countries.set(id, (countries.get(id) ?? new Set()).add(s.country));
    }
    expect([...countries.values()].every((set) => set.size === 1)).toBe(true);
    const all = [...countries.values()].map((set) => [...set][0]);
    expect(all.filter((c) => c === 'CN').length / all.length).toBeGreaterThan(0.4);
    expect(all).not.toContain('NL');
  });

  it('turns Fraud 1 into an irregularity and Critical Fraud 2 into a critical one', () => {
    const critical = kcsRowToRecords(row(CRITICAL));
    expect(critical.control).toMatchObject({
      outcome: 'IRREGULARITY_FOUND',
      irregularityType: 'FRAUD',
      severity: 'CRITICAL',
      office: 'NL000152',
      date: '2020-03-21',
    });
    expect(kcsRowToRecords(row(MINOR)).control).toMatchObject({ outcome: 'IRREGULARITY_FOUND', severity: 'MINOR' });
    // The courier is national data, not a representative; an unknown dispatch country is left out.
    expect(national(critical.declaration.nationalData).courierId).toBe('KJ8YGQ');
    expect(critical.declaration.representative).toBeUndefined();
    expect(critical.declaration.countryOfDispatch).toBeUndefined();
  });

  it('omits control results without labels', () => {
    expect(kcsRowToRecords(row(CRITICAL), { withLabels: false })).toEqual({
      declaration: kcsRowToRecords(row(CRITICAL)).declaration,
    });
  });

  it('converts the whole train split: 37,385 declarations, all MRNs valid and unique', () => {
    const records = kcsFileToRecords(TRAIN);
    expect(records).toHaveLength(37_385);
    const mrns = new Set<string>();
    let irregular = 0;
    const invalid: string[] = [];
    for (const { declaration, control } of records) {
      if (!checkMrn(declaration.mrn).valid) invalid.push(declaration.mrn);
      mrns.add(declaration.mrn);
      if (control?.outcome === 'IRREGULARITY_FOUND') irregular++;
    }
    expect(invalid).toEqual([]);
    expect(mrns.size).toBe(37_385);
    expect(irregular).toBe(8114); // the README's 21.6%
  });

  it('rejects a file with an unexpected header', () => {
    expect(() => parseKcsCsv(`${HEADER.replace('Fraud,Critical Fraud', 'Label')}\n${CLEAN}\n`)).toThrow(/unexpected header/);
    expect(() => parseKcsCsv('')).toThrow(/empty/);
    expect(() => parseKcsCsv(`${HEADER}\n${CLEAN},extra\n`)).toThrow(/line 2: expected 22 fields, found 23/);
    expect(() => parseKcsCsv(`${HEADER}\n${CLEAN.replace(',10,ZZR1LT6', ',60,ZZR1LT6')}\n`)).toThrow(/Mode of Transport/);
    // CRLF line endings are fine.
    expect(parseKcsCsv(`${HEADER}\r\n${CLEAN}\r\n`)).toHaveLength(1);
  });

  it('quotes the certificates its commodity needs, for most rows that need them', () => {
    const needs = (code: string): string[] => {
      const chapter = code.slice(0, 2);
      if (chapter === '01') return ['C640'];
      if (chapter === '03') return ['N853', 'C673'];
      if (['02', '04', '05', '16'].includes(chapter)) return ['N853'];
      return code.startsWith('0602') ? ['N851'] : [];
    };
    let needing = 0;
    let quoting = 0;
    let wrongCode = 0;
    let dualUse = 0;
    const unexpected: string[] = [];
    for (const declaration of trainDeclarations()) {
      const [item] = declaration.items;
      if (!item) continue;
      const documents = item.supportingDocuments ?? [];
      const year = declaration.acceptanceDate.slice(0, 4);
      const required = needs(item.commodityCode);
      if (required.length === 0) {
        if (documents.length === 0) continue;
        // Only the odd dual-use licence on computers, telephones and chips.
        if (
          /^(8471|8517|8542)/.test(item.commodityCode) &&
          documents.length === 1 &&
          documents[0]?.type === 'X002' &&
          new RegExp(`^NL-DU-${year}-\\d{6}$`).test(documents[0].reference)
        )
          dualUse++;
        else unexpected.push(declaration.mrn);
        continue;
      }
      needing++;
      if (documents.length === 0) continue;
      quoting++;
      const types = documents.map((d) => d.type);
      if (types[0] === 'C640' && required[0] === 'N853')
        wrongCode++; // a CHED-P under the CHED-A code
      else if (types.join() !== required.join()) unexpected.push(declaration.mrn);
      for (const { type, reference } of documents) {
        if (type === 'C673') {
          const flag = item.originCountry === 'ZZ' ? 'NO' : item.originCountry;
          if (reference !== `${flag}-CC-${year}-${reference.slice(-6)}` || !/^\d{6}$/.test(reference.slice(-6))) unexpected.push(reference);
        } else {
          const prefix = required[0] === 'N853' ? 'CHEDP' : { C640: 'CHEDA', N851: 'CHEDPP' }[type];
          if (!new RegExp(`^${prefix}\\.NL\\.${year}\\.\\d{7}$`).test(reference)) unexpected.push(reference);
        }
      }
    }
    expect(unexpected).toEqual([]);
    expect(needing).toBe(688);
    expect(quoting / needing).toBeGreaterThan(0.93);
    expect(quoting / needing).toBeLessThan(0.99);
    expect(wrongCode).toBeGreaterThanOrEqual(3);
    expect(dualUse).toBeGreaterThanOrEqual(3);
    // A stable hash of the Declaration ID, never the labels: the same row always quotes the same documents.
    expect(kcsRowToRecords(row(CRITICAL)).declaration.items[0]?.supportingDocuments).toEqual([
      { type: 'N853', reference: 'CHEDP.NL.2020.5095872' },
      { type: 'C673', reference: 'RU-CC-2020-957210' },
    ]);
    expect(kcsRowToRecords(row(CRITICAL)).declaration.items[0]?.supportingDocuments).toEqual(
      kcsRowToRecords(row(CRITICAL.replace(',1,2', ',0,0'))).declaration.items[0]?.supportingDocuments,
    );
  });

  it('describes goods by the title of their HS chapter', () => {
    expect(HS_CHAPTERS).toHaveLength(97);
    expect(kcsRowToRecords(row(NO_SELLER)).declaration.items[0]?.description).toBe('Machinery and mechanical appliances (HS 840999)');
  });
});

describe('kcsOperators', () => {
  let declarations: DeclarationRecord[];

  beforeAll(() => {
    declarations = trainDeclarations();
  });

  it('registers every importer and declarant once, with a valid EORI', () => {
    const { operators } = kcsOperators(declarations);
    const expected = new Set(declarations.flatMap((d) => [d.importer.eori, d.declarant.eori]));
    expect(operators).toHaveLength(expected.size);
    expect(new Set(operators.map((o) => o.eori))).toEqual(expected);
    // Problems are collected rather than asserted one by one: 13,000 expect calls are slow.
    const problems = operators.filter(
      (o) =>
        !checkEori(o.eori).valid ||
        o.country !== 'NL' ||
        o.address.country !== 'NL' ||
        !/^\d{4} [A-Z]{2}$/.test(o.address.postcode) ||
        !/ (B\.V\.|N\.V\.|V\.O\.F\.)$/.test(o.name),
    );
    expect(problems).toEqual([]);
    // Sellers are third-country parties: not registered here.
    expect(operators.some((o) => o.eori === declarations[0]?.seller?.eori)).toBe(false);
    // Declarants are brokers and forwarders.
    const declarant = operators.find((o) => o.eori === declarations[0]?.declarant.eori);
    expect(declarant?.name).toMatch(/Customs|Douane|Forwarding|Expeditie|Logisti|Shipping|Cargo|Clearance|Transport/);
  });

  it('gives authorisations to a minority, by a stable hash (same result for a shuffled input)', () => {
    const data = kcsOperators(declarations);
    const shuffled = kcsOperators(createRandom(1).shuffle([...declarations]));
    expect(shuffled).toEqual(data);

    const holders = new Set(data.authorisations.map((a) => a.holder));
    const importers = new Set(declarations.map((d) => d.importer.eori ?? ''));
    const declarants = new Set(declarations.map((d) => d.declarant.eori ?? ''));
    const share = (set: Set<string>) => [...set].filter((eori) => holders.has(eori)).length / set.size;
    expect(share(importers)).toBeGreaterThan(0.045);
    expect(share(importers)).toBeLessThan(0.075);
    expect(share(declarants)).toBeGreaterThan(0.3);
    expect(share(declarants)).toBeLessThan(0.4);

    // kcsOperators sees declarations only, never control results: the labels cannot steer it.
    const byType = { AEOF: 0, AEOC: 0, AEOS: 0 };
    for (const authorisation of data.authorisations) byType[authorisation.type]++;
    expect(byType.AEOF).toBeGreaterThan(byType.AEOC);
    expect(byType.AEOC).toBeGreaterThan(byType.AEOS);
    const statuses = new Set(data.authorisations.map((a) => a.history.at(-1)?.status));
    expect(statuses).toContain('SUSPENDED');
    expect(statuses).toContain('REVOKED');

    // Valid, unique numbers that cannot collide with the AEO demo data's.
    const demoNumbers = new Set(generateAeoDemoData().authorisations.map((a) => a.number));
    for (const { number } of data.authorisations) {
      expect(checkAeoAuthorisationNumber(number).valid, number).toBe(true);
      expect(number).toMatch(/^NLAEO[CSF]9\d{9}$/);
      expect(demoNumbers.has(number)).toBe(false);
    }
    expect(new Set(data.authorisations.map((a) => a.number)).size).toBe(data.authorisations.length);

    // A subset of the declarations gives the same operators the same names and authorisations.
    const subset = kcsOperators(declarations.slice(0, 2000));
    const full = new Map(data.operators.map((o) => [o.eori, o]));
    for (const operator of subset.operators) expect(operator).toEqual(full.get(operator.eori));
  });
});
