import { describe, expect, it } from 'vitest';
import { checkGoodsItem, licenceStatusOn, type GoodsItemFacts, type LicenceState } from '../../subgraphs/licences/reconcile';

const IMPORTER = 'NL123456789';
const CHED = 'CHEDP.FR.2025.0001234';
const CATCH = 'NO-CC-2025-004512';
const DUAL_USE = 'DE-DU-2025-000123';

function chedP(overrides: Partial<LicenceState> = {}): LicenceState {
  return {
    reference: CHED,
    type: 'CHED_P',
    holder: IMPORTER,
    status: 'VALID',
    decision: 'ACCEPTABLE_FOR_RELEASE',
    validFrom: '2025-03-01',
    validUntil: '2025-03-31',
    goods: [{ commodityCode: '0302', quantity: 2000, unit: 'KGM', quantityRemaining: 1000 }],
    usages: [],
    ...overrides,
  };
}

function catchCertificate(overrides: Partial<LicenceState> = {}): LicenceState {
  return chedP({ reference: CATCH, type: 'CATCH_CERTIFICATE', decision: null, ...overrides });
}

function dualUse(overrides: Partial<LicenceState> = {}): LicenceState {
  return {
    reference: DUAL_USE,
    type: 'DUAL_USE',
    holder: IMPORTER,
    status: 'VALID',
    decision: null,
    validFrom: '2025-01-01',
    validUntil: '2025-12-31',
    goods: [{ commodityCode: '8543', quantity: 10, unit: 'NAR', quantityRemaining: 4 }],
    usages: [],
    ...overrides,
  };
}

/** Fresh fish quoting a CHED-P and a catch certificate. */
function fish(overrides: Partial<GoodsItemFacts> = {}): GoodsItemFacts {
  return {
    mrn: '25NL0000000000001X',
    itemNumber: 1,
    commodityCode: '0302130000',
    netMass: 600,
    supplementaryUnits: null,
    supportingDocuments: [
      { type: 'N935', reference: 'INV-2025-77' },
      { type: 'N853', reference: CHED },
      { type: 'C673', reference: CATCH },
    ],
    importerEori: IMPORTER,
    acceptanceDate: '2025-03-15',
    ...overrides,
  };
}

function machine(overrides: Partial<GoodsItemFacts> = {}): GoodsItemFacts {
  return fish({
    commodityCode: '8543709000',
    netMass: 80,
    supplementaryUnits: 3,
    supportingDocuments: [{ type: 'X002', reference: DUAL_USE }],
    acceptanceDate: '2025-06-01',
    ...overrides,
  });
}

function licences(...states: LicenceState[]): Map<string, LicenceState> {
  return new Map(states.map((state) => [state.reference, state]));
}

/** The check on one quoted reference. */
function checkOn(reference: string, item: GoodsItemFacts, known: Map<string, LicenceState>) {
  const check = checkGoodsItem(item, known).checks.find((candidate) => candidate.reference === reference);
  expect(check).toBeDefined();
  return check!;
}

describe('checkGoodsItem: one outcome per quoted licence', () => {
  it('reports MATCHED for a valid CHED-P and catch certificate, ignoring the invoice', () => {
    const result = checkGoodsItem(fish(), licences(chedP(), catchCertificate()));
    expect(result.checks.map((check) => [check.documentType, check.reference, check.licenceType, check.outcome])).toEqual([
      ['N853', CHED, 'CHED_P', 'MATCHED'],
      ['C673', CATCH, 'CATCH_CERTIFICATE', 'MATCHED'],
    ]);
    expect(result.decision).toBe('RELEASE');
    expect(result.reasons).toEqual([`${CHED}: matched`, `${CATCH}: matched`]);
  });

  it('reports NOT_FOUND for a quoted CHED nobody issued', () => {
    const check = checkOn(CHED, fish(), licences(catchCertificate()));
    expect(check).toMatchObject({ outcome: 'NOT_FOUND', licenceType: 'CHED_P' });
    expect(check.reasons).toEqual([`no licence or certificate has the reference ${CHED}`]);
  });

  it('explains a NOT_FOUND whose reference is not even in the right format', () => {
    const item = fish({ supportingDocuments: [{ type: 'N853', reference: 'chedp.fr.2025.0001234' }] });
    const check = checkOn('chedp.fr.2025.0001234', item, licences());
    expect(check.outcome).toBe('NOT_FOUND');
    expect(check.reasons[1]).toMatch(/not a valid CHED_P reference: must be upper case/);
  });

  it('reports WRONG_TYPE when a CHED-A code quotes a CHED-P', () => {
    const item = fish({ commodityCode: '0102291000', supportingDocuments: [{ type: 'C640', reference: CHED }] });
    const check = checkOn(CHED, item, licences(chedP({ goods: [{ commodityCode: '01', quantity: 1000, unit: 'KGM', quantityRemaining: 1000 }] })));
    expect(check).toMatchObject({ outcome: 'WRONG_TYPE', licenceType: 'CHED_P' });
    expect(check.reasons).toEqual([`document code C640 quotes a CHED_A, but ${CHED} is a CHED_P`]);
  });

  it('reports REFUSED for a CHED the border control post refused', () => {
    const check = checkOn(CHED, fish(), licences(chedP({ decision: 'REFUSED' }), catchCertificate()));
    expect(check.outcome).toBe('REFUSED');
    expect(check.reasons).toEqual(['the border control post refused the consignment']);
  });

  it('reports CANCELLED for a cancelled licence', () => {
    const check = checkOn(CATCH, fish(), licences(chedP(), catchCertificate({ status: 'CANCELLED' })));
    expect(check.outcome).toBe('CANCELLED');
    expect(check.reasons).toEqual(['licence is cancelled']);
  });

  it('reports CANCELLED, with its own reason, for a suspended licence', () => {
    const check = checkOn(CATCH, fish(), licences(chedP(), catchCertificate({ status: 'SUSPENDED' })));
    expect(check.outcome).toBe('CANCELLED');
    expect(check.reasons).toEqual(['licence is suspended']);
  });

  it('reports EXPIRED when the declaration was accepted after validUntil', () => {
    const check = checkOn(CHED, fish({ acceptanceDate: '2025-04-02' }), licences(chedP(), catchCertificate({ validUntil: '2025-12-31' })));
    expect(check.outcome).toBe('EXPIRED');
    expect(check.reasons).toEqual(['valid until 2025-03-31, declaration accepted 2025-04-02']);
  });

  it('treats validUntil as inclusive and reads the day of an acceptance timestamp', () => {
    const check = checkOn(CHED, fish({ acceptanceDate: '2025-03-31T23:59:00Z' }), licences(chedP(), catchCertificate()));
    expect(check.outcome).toBe('MATCHED');
  });

  it('reports NOT_YET_VALID when the declaration was accepted before validFrom', () => {
    const check = checkOn(CHED, fish({ acceptanceDate: '2025-02-28' }), licences(chedP(), catchCertificate()));
    expect(check.outcome).toBe('NOT_YET_VALID');
    expect(check.reasons).toEqual(['valid from 2025-03-01, declaration accepted 2025-02-28']);
  });

  it('reports HOLDER_MISMATCH when the importer is not the holder, or no importer is declared', () => {
    const other = checkOn(CHED, fish({ importerEori: 'DE999' }), licences(chedP(), catchCertificate()));
    expect(other.outcome).toBe('HOLDER_MISMATCH');
    expect(other.reasons).toEqual([`held by ${IMPORTER}, but the importer is DE999`]);
    const none = checkOn(CHED, fish({ importerEori: null }), licences(chedP(), catchCertificate()));
    expect(none.outcome).toBe('HOLDER_MISMATCH');
    expect(none.reasons[0]).toMatch(/names no importer/);
  });

  it('reports COMMODITY_NOT_COVERED when no covered line is a prefix of the item code', () => {
    const check = checkOn(CHED, fish({ commodityCode: '0303140000' }), licences(chedP(), catchCertificate()));
    expect(check.outcome).toBe('COMMODITY_NOT_COVERED');
    expect(check.reasons).toEqual(['commodity 0303140000 is not covered (covers 0302)']);
  });

  it('reports QUANTITY_EXCEEDED when the remaining quantity is less than the net mass', () => {
    const check = checkOn(
      CHED,
      fish({ netMass: 1200 }),
      licences(chedP(), catchCertificate({ goods: [{ commodityCode: '03', quantity: 5000, unit: 'KGM', quantityRemaining: 5000 }] })),
    );
    expect(check.outcome).toBe('QUANTITY_EXCEEDED');
    expect(check.reasons).toEqual(['needs 1200 KGM of 0302, 1000 KGM available']);
  });

  it('counts NAR lines in supplementary units', () => {
    expect(checkOn(DUAL_USE, machine({ supplementaryUnits: 4 }), licences(dualUse())).outcome).toBe('MATCHED');
    const check = checkOn(DUAL_USE, machine({ supplementaryUnits: 5 }), licences(dualUse()));
    expect(check.outcome).toBe('QUANTITY_EXCEEDED');
    expect(check.reasons).toEqual(['needs 5 NAR of 8543, 4 NAR available']);
  });

  it('reports QUANTITY_EXCEEDED for a NAR line when no supplementary units are declared', () => {
    const check = checkOn(DUAL_USE, machine({ supplementaryUnits: null }), licences(dualUse()));
    expect(check.outcome).toBe('QUANTITY_EXCEEDED');
    expect(check.reasons[0]).toMatch(/no supplementary units/);
  });

  it('reports MISSING for each required certificate no document quotes', () => {
    const item = fish({ supportingDocuments: [{ type: 'N853', reference: CHED }] });
    const result = checkGoodsItem(item, licences(chedP()));
    expect(result.checks).toEqual([
      expect.objectContaining({ reference: CHED, outcome: 'MATCHED' }),
      {
        documentType: null,
        reference: null,
        licenceType: 'CATCH_CERTIFICATE',
        outcome: 'MISSING',
        reasons: ['fish (chapter 03) needs a catch certificate'],
      },
    ]);
    expect(result.decision).toBe('HOLD');
    expect(result.reasons).toContain('missing CATCH_CERTIFICATE: fish (chapter 03) needs a catch certificate');
  });

  it('does not report MISSING when the required document is quoted but has a problem', () => {
    const result = checkGoodsItem(fish(), licences(chedP()));
    expect(result.checks.map((check) => check.outcome)).toEqual(['MATCHED', 'NOT_FOUND']);
  });

  it('reports both requirements MISSING for fish quoting nothing', () => {
    const result = checkGoodsItem(fish({ supportingDocuments: [] }), licences());
    expect(result.checks.map((check) => [check.licenceType, check.outcome])).toEqual([
      ['CHED_P', 'MISSING'],
      ['CATCH_CERTIFICATE', 'MISSING'],
    ]);
  });
});

describe('checkGoodsItem: precedence', () => {
  it('reports the most fundamental problem and lists all of them', () => {
    const licence = chedP({ decision: 'REFUSED', status: 'CANCELLED', holder: 'DE999' });
    const item = fish({ acceptanceDate: '2025-04-02', commodityCode: '0303140000' });
    const check = checkOn(CHED, item, licences(licence, catchCertificate({ validUntil: '2025-12-31' })));
    expect(check.outcome).toBe('REFUSED');
    expect(check.reasons).toEqual([
      'the border control post refused the consignment',
      'licence is cancelled',
      'valid until 2025-03-31, declaration accepted 2025-04-02',
      `held by DE999, but the importer is ${IMPORTER}`,
      'commodity 0303140000 is not covered (covers 0302)',
    ]);
  });

  it('puts WRONG_TYPE before everything else found on the licence', () => {
    const item = fish({
      supportingDocuments: [
        { type: 'C673', reference: CHED },
        { type: 'N853', reference: CHED },
      ],
    });
    const check = checkGoodsItem(item, licences(chedP({ status: 'SUSPENDED', goods: [] }))).checks[0]!;
    expect(check.outcome).toBe('WRONG_TYPE');
    expect(check.reasons).toHaveLength(3);
  });

  it('ranks CANCELLED over EXPIRED, EXPIRED over HOLDER_MISMATCH, and HOLDER_MISMATCH over quantities', () => {
    const late = fish({ acceptanceDate: '2025-04-02', importerEori: 'DE999', netMass: 5000 });
    const known = (licence: LicenceState) => licences(licence, catchCertificate());
    expect(checkOn(CHED, late, known(chedP({ status: 'CANCELLED' }))).outcome).toBe('CANCELLED');
    expect(checkOn(CHED, late, known(chedP())).outcome).toBe('EXPIRED');
    expect(checkOn(CHED, late, known(chedP({ validUntil: '2025-12-31' }))).outcome).toBe('HOLDER_MISMATCH');
    expect(checkOn(CHED, late, known(chedP({ validUntil: '2025-12-31', holder: 'DE999' }))).outcome).toBe('QUANTITY_EXCEEDED');
  });
});

describe('checkGoodsItem: quantities', () => {
  it('adds back what this item already drew, so re-checking a recorded item still matches', () => {
    const drawn = chedP({
      goods: [{ commodityCode: '0302', quantity: 2000, unit: 'KGM', quantityRemaining: 0 }],
      usages: [
        { mrn: '25NL0000000000001X', itemNumber: 1, quantity: 600, line: 0 },
        { mrn: '25NL0000000000002X', itemNumber: 1, quantity: 1400, line: 0 },
      ],
    });
    expect(checkOn(CHED, fish({ netMass: 600 }), licences(drawn, catchCertificate())).outcome).toBe('MATCHED');
    const more = checkOn(CHED, fish({ netMass: 700 }), licences(drawn, catchCertificate()));
    expect(more.outcome).toBe('QUANTITY_EXCEEDED');
    expect(more.reasons).toEqual(['needs 700 KGM of 0302, 600 KGM available (including 600 KGM this item already drew)']);
  });

  it("does not add back another item's usage", () => {
    const drawn = chedP({
      goods: [{ commodityCode: '0302', quantity: 2000, unit: 'KGM', quantityRemaining: 0 }],
      usages: [{ mrn: '25NL0000000000001X', itemNumber: 2, quantity: 2000, line: 0 }],
    });
    expect(checkOn(CHED, fish(), licences(drawn, catchCertificate())).outcome).toBe('QUANTITY_EXCEEDED');
  });

  it('draws on the most specific covered line', () => {
    const licence = chedP({
      goods: [
        { commodityCode: '03', quantity: 100, unit: 'KGM', quantityRemaining: 100 },
        { commodityCode: '030213', quantity: 1000, unit: 'KGM', quantityRemaining: 1000 },
      ],
    });
    expect(checkOn(CHED, fish(), licences(licence, catchCertificate())).outcome).toBe('MATCHED');
  });
});

describe('checkGoodsItem: decisions', () => {
  it('RELEASEs an item with no licence documents and no requirement, with no checks', () => {
    const item = machine({ supportingDocuments: [{ type: 'N935', reference: 'INV-1' }] });
    expect(checkGoodsItem(item, licences())).toEqual({ checks: [], decision: 'RELEASE', reasons: [] });
  });

  it('RELEASEs when every check matched', () => {
    expect(checkGoodsItem(machine(), licences(dualUse())).decision).toBe('RELEASE');
  });

  it('HOLDs when any check is not matched, summarising it', () => {
    const result = checkGoodsItem(fish({ acceptanceDate: '2025-04-02' }), licences(chedP(), catchCertificate({ validUntil: '2025-12-31' })));
    expect(result.decision).toBe('HOLD');
    expect(result.reasons).toEqual([`${CHED}: expired`, `${CATCH}: matched`]);
  });

  it('REFUSEs when any CHED is refused, whatever else is wrong', () => {
    const result = checkGoodsItem(fish({ supportingDocuments: [{ type: 'N853', reference: CHED }] }), licences(chedP({ decision: 'REFUSED' })));
    expect(result.checks.map((check) => check.outcome)).toEqual(['REFUSED', 'MISSING']);
    expect(result.decision).toBe('REFUSE');
    expect(result.reasons[0]).toBe(`${CHED}: refused`);
  });
});

describe('licenceStatusOn', () => {
  it('derives EXPIRED after validUntil for a VALID or USED licence', () => {
    expect(licenceStatusOn({ status: 'VALID', validUntil: '2025-03-31' }, '2025-04-01')).toBe('EXPIRED');
    expect(licenceStatusOn({ status: 'USED', validUntil: '2025-03-31' }, '2025-04-01')).toBe('EXPIRED');
  });

  it('keeps the stored status up to and on validUntil', () => {
    expect(licenceStatusOn({ status: 'VALID', validUntil: '2025-03-31' }, '2025-03-31')).toBe('VALID');
    expect(licenceStatusOn({ status: 'USED', validUntil: '2025-03-31' }, '2025-01-01')).toBe('USED');
  });

  it('keeps CANCELLED and SUSPENDED after validUntil', () => {
    expect(licenceStatusOn({ status: 'CANCELLED', validUntil: '2025-03-31' }, '2025-04-01')).toBe('CANCELLED');
    expect(licenceStatusOn({ status: 'SUSPENDED', validUntil: '2025-03-31' }, '2025-04-01')).toBe('SUSPENDED');
  });

  it('accepts a timestamp', () => {
    expect(licenceStatusOn({ status: 'VALID', validUntil: '2025-03-31' }, '2025-03-31T23:59:59Z')).toBe('VALID');
  });
});
