import { beforeAll, describe, expect, it } from 'vitest';
import { kcsFileToRecords } from '../../demo/kcs';
import type { DeclarationRecord, GoodsItemRecord } from '../../subgraphs/declarations/records';
import { checkChedReference } from '../../subgraphs/kit/identifiers';
import { createRandom } from '../../subgraphs/kit/random';
import { generateLicenceDemoRecords, type LicenceDemoData } from '../../demo/licences';
import type { LicenceRecord, LicenceType } from '../../subgraphs/licences/records';

const TRAIN = 'data/kcs-synthetic/train.csv';

/** Document codes (data element 12 03) and the licence type each quotes. */
const CODE_TYPES: Record<string, LicenceType> = {
  C640: 'CHED_A',
  N853: 'CHED_P',
  N851: 'CHED_PP',
  C678: 'CHED_D',
  C673: 'CATCH_CERTIFICATE',
  X002: 'DUAL_USE',
  C400: 'CITES',
  C690: 'FLEGT',
};

const CHED_PREFIX: Partial<Record<LicenceType, string>> = { CHED_A: 'CHEDA', CHED_P: 'CHEDP', CHED_PP: 'CHEDPP', CHED_D: 'CHEDD' };
const DASHED: Partial<Record<LicenceType, RegExp>> = {
  DUAL_USE: /^[A-Z]{2}-DU-20\d{2}-\d{6}$/,
  CATCH_CERTIFICATE: /^[A-Z]{2}-CC-20\d{2}-\d{6}$/,
  CITES: /^CITES-[A-Z]{2}-20\d{2}-\d{6}$/,
  FLEGT: /^FLEGT-[A-Z]{2}-20\d{2}-\d{6}$/,
};

function wellFormed(type: LicenceType, reference: string): boolean {
  const prefix = CHED_PREFIX[type];
  if (prefix !== undefined) return checkChedReference(reference).valid && reference.startsWith(`${prefix}.`);
  return DASHED[type]?.test(reference) ?? false;
}

const FAILURES = [
  'NOT_FOUND',
  'WRONG_TYPE',
  'EXPIRED',
  'NOT_YET_VALID',
  'CANCELLED',
  'HOLDER_MISMATCH',
  'COMMODITY_NOT_COVERED',
  'QUANTITY_EXCEEDED',
  'REFUSED',
] as const;

interface Quoted {
  declaration: DeclarationRecord;
  item: GoodsItemRecord;
  type: string;
  reference: string;
}

/** Every licence document quoted by the declarations. */
function quotedDocuments(declarations: readonly DeclarationRecord[]): Quoted[] {
  return declarations.flatMap((declaration) =>
    declaration.items.flatMap((item) =>
      (item.supportingDocuments ?? []).filter((document) => CODE_TYPES[document.type] !== undefined).map((document) => ({ declaration, item, ...document })),
    ),
  );
}

/**
 * What a reconciliation would find for one quoted document, judged on the licence as issued
 * (each item draws on its own licence only, so its usage never makes it short).
 */
function outcome(quoted: Quoted, licence: LicenceRecord | undefined): string {
  if (licence === undefined) return 'NOT_FOUND';
  const accepted = quoted.declaration.acceptanceDate.slice(0, 10);
  if (licence.type !== CODE_TYPES[quoted.type]) return 'WRONG_TYPE';
  if (licence.decision === 'REFUSED') return 'REFUSED';
  if (licence.status === 'CANCELLED') return 'CANCELLED';
  if (accepted > licence.validUntil) return 'EXPIRED';
  if (accepted < licence.validFrom) return 'NOT_YET_VALID';
  if (licence.holder !== quoted.declaration.importer.eori) return 'HOLDER_MISMATCH';
  const line = licence.goods.find((goods) => quoted.item.commodityCode.startsWith(goods.commodityCode));
  if (line === undefined) return 'COMMODITY_NOT_COVERED';
  if (line.quantity < (quoted.item.netMass ?? 0)) return 'QUANTITY_EXCEEDED';
  return 'MATCHED';
}

describe('licence demo data for the KCS declarations', () => {
  let declarations: DeclarationRecord[];
  let data: LicenceDemoData;
  let quoted: Quoted[];
  let byReference: Map<string, LicenceRecord>;
  let outcomes: Map<Quoted, string>;

  beforeAll(() => {
    declarations = kcsFileToRecords(TRAIN, { withLabels: false }).map((records) => records.declaration);
    data = generateLicenceDemoRecords(declarations);
    quoted = quotedDocuments(declarations);
    byReference = new Map(data.licences.map((licence) => [licence.reference, licence]));
    outcomes = new Map(quoted.map((document) => [document, outcome(document, byReference.get(document.reference))]));
  });

  it('is deterministic, and does not depend on the order of the declarations', () => {
    expect(generateLicenceDemoRecords(declarations)).toEqual(data);
    const shuffled = generateLicenceDemoRecords(createRandom(7).shuffle([...declarations]));
    const sortByReference = <T extends { reference: string }>(records: T[]) => [...records].sort((a, b) => (a.reference < b.reference ? -1 : 1));
    expect(sortByReference(shuffled.licences)).toEqual(sortByReference(data.licences));
    expect(sortByReference(shuffled.usages)).toEqual(sortByReference(data.usages));
    expect(shuffled.showcase).toEqual(data.showcase);
  });

  it('issues one licence per reference, each well formed for its type and plausible', () => {
    expect(byReference.size).toBe(data.licences.length);
    const problems = data.licences.filter(
      (licence) =>
        !wellFormed(licence.type, licence.reference) ||
        licence.kind !== 'licence' ||
        licence.validFrom > licence.validUntil ||
        licence.goods.length === 0 ||
        licence.goods.some((goods) => goods.unit !== 'KGM' || !(goods.quantity >= 0) || !/^\d{2,10}$/.test(goods.commodityCode)) ||
        (licence.type.startsWith('CHED') ? licence.decision == null : licence.decision != null),
    );
    expect(problems).toEqual([]);
    const ched = data.licences.find((licence) => licence.type === 'CHED_P');
    expect(ched).toMatchObject({ issuingCountry: 'NL', issuingAuthority: expect.stringContaining('NVWA') });
  });

  it('has a licence for every quoted document except the NOT_FOUND ones', () => {
    expect(quoted.length).toBeGreaterThan(900);
    const missing = quoted.filter((document) => !byReference.has(document.reference));
    expect(missing.length).toBeGreaterThanOrEqual(3);
    expect(missing.length / quoted.length).toBeLessThan(0.03);
    // Nothing else is issued: every licence answers a quoted reference.
    const references = new Set(quoted.map((document) => document.reference));
    expect(data.licences.filter((licence) => !references.has(licence.reference))).toEqual([]);
  });

  it('issues most quoted documents as matching, and gives each failure kind to a few', () => {
    const counts: Record<string, number> = {};
    for (const value of outcomes.values()) counts[value] = (counts[value] ?? 0) + 1;
    for (const failure of FAILURES) expect(counts[failure] ?? 0, failure).toBeGreaterThanOrEqual(3);
    expect((counts.MATCHED ?? 0) / quoted.length).toBeGreaterThanOrEqual(0.85);
    // One failure each: a failed licence is right in every other respect.
    const mixed = [...outcomes].filter(([document, value]) => {
      if (value === 'MATCHED' || value === 'NOT_FOUND' || value === 'WRONG_TYPE') return false;
      const licence = byReference.get(document.reference);
      if (licence === undefined) return true;
      const accepted = document.declaration.acceptanceDate;
      const failures = [
        licence.decision === 'REFUSED',
        licence.status === 'CANCELLED',
        accepted > licence.validUntil,
        accepted < licence.validFrom,
        licence.holder !== document.declaration.importer.eori,
        !licence.goods.some((goods) => document.item.commodityCode.startsWith(goods.commodityCode)),
        licence.goods.every((goods) => goods.quantity < (document.item.netMass ?? 0)),
      ].filter(Boolean).length;
      return failures !== 1;
    });
    expect(mixed.map(([document]) => document.reference)).toEqual([]);
  });

  it('records usages of matched CHEDs and catch certificates that draw the net mass', () => {
    expect(data.usages.length).toBeGreaterThan(100);
    const items = new Map(quoted.map((document) => [`${document.reference}|${document.declaration.mrn}`, document]));
    for (const usage of data.usages) {
      const document = items.get(`${usage.reference}|${usage.mrn}`);
      expect(document, usage.reference).toBeDefined();
      if (document === undefined) continue;
      expect(outcomes.get(document)).toBe('MATCHED');
      expect(usage.quantity).toBe(document.item.netMass);
      expect(byReference.get(usage.reference)?.type).toMatch(/^CHED_|^CATCH_CERTIFICATE$/);
    }
  });

  it('showcases one item per outcome', () => {
    expect(Object.keys(data.showcase).sort()).toEqual([...FAILURES, 'MATCHED', 'MISSING'].sort());
    for (const [name, example] of Object.entries(data.showcase)) {
      const declaration = declarations.find((d) => d.mrn === example.mrn);
      expect(declaration, name).toBeDefined();
      if (name === 'MISSING') {
        expect(example.reference).toBeNull();
        continue;
      }
      const document = quoted.find((q) => q.declaration.mrn === example.mrn && q.reference === example.reference);
      expect(document && outcomes.get(document), name).toBe(name);
    }
  });
});
