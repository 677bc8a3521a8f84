// Small, valid records to build tests from; each test changes only what it is about.
import { containerCheckDigit, mrnCheckCharacter } from '../../subgraphs/kit/identifiers';
import type { ControlResultRecord, DeclarationRecord, EntrySummaryRecord } from '../../subgraphs/declarations/records';

/** A valid MRN for a serial number: 25NL + 13 digits + check character. */
export function mrn(serial: number, { year = '25', country = 'NL' } = {}): string {
  const first17 = `${year}${country}${String(serial).padStart(13, '0')}`;
  return first17 + mrnCheckCharacter(first17);
}

export function container(serial: number, owner = 'MSK'): string {
  const first10 = `${owner}U${String(serial).padStart(6, '0')}`;
  return first10 + containerCheckDigit(first10);
}

export function declaration(serial: number, overrides: Partial<DeclarationRecord> = {}): DeclarationRecord {
  return {
    kind: 'declaration',
    mrn: mrn(serial),
    lrn: `LRN-${serial}`,
    declarationType: 'IM',
    acceptanceDate: `2025-03-${String((serial % 28) + 1).padStart(2, '0')}`,
    officeOfPresentation: 'NL000396',
    transportMode: 'SEA',
    countryOfDispatch: 'CN',
    declarant: { eori: 'NL800000001' },
    importer: { eori: 'NL100000001', name: 'Importer One B.V.' },
    seller: { identificationNumber: 'CN-SELLER-1', name: 'Shenzhen Bright Electronics Co., Ltd.', country: 'CN' },
    deliveryTerms: { incoterm: 'FOB', place: 'Shanghai' },
    invoiceTotal: { amount: 12000, currency: 'USD' },
    items: [
      {
        itemNumber: 1,
        commodityCode: '85171300',
        description: 'Smartphones',
        originCountry: 'CN',
        netMass: 120,
        grossMass: 150,
        itemAmount: { amount: 12000, currency: 'USD' },
        statisticalValue: { amount: 11000, currency: 'EUR' },
        supportingDocuments: [{ type: 'N935', reference: 'INV-2025-001' }],
        containers: [container(305438)],
      },
    ],
    ...overrides,
  };
}

export function controlResult(serial: number, overrides: Partial<ControlResultRecord> = {}): ControlResultRecord {
  return {
    kind: 'controlResult',
    mrn: mrn(serial),
    itemNumber: 1,
    lane: 'RED',
    controlType: 'PHYSICAL_EXAMINATION',
    outcome: 'NO_IRREGULARITY',
    date: '2025-03-20',
    office: 'NL000396',
    ...overrides,
  };
}

export function entrySummary(serial: number, overrides: Partial<EntrySummaryRecord> = {}): EntrySummaryRecord {
  return {
    kind: 'entrySummaryDeclaration',
    mrn: mrn(serial, { year: '26' }),
    filingType: 'F10',
    officeOfFirstEntry: 'NL000396',
    expectedArrival: '2026-02-01T06:00:00Z',
    transportMode: 'SEA',
    carrier: { eori: 'DK123456789', name: 'Maersk A/S' },
    consignments: [
      {
        transportDocument: `MAEU${String(serial).padStart(9, '0')}`,
        consignor: { eori: 'CN123456789012', name: 'Jinhui Garments Co., Ltd.' },
        consignee: { eori: 'NL100000001', name: 'Importer One B.V.' },
        placeOfLoading: 'CNSHA',
        placeOfUnloading: 'NLRTM',
        goods: [{ commodityCode: '610910', description: 'Cotton T-shirts', grossMass: 5200, packages: 310 }],
        containers: [{ number: container(serial, 'CSQ'), seals: ['SL123456'] }],
      },
    ],
    ...overrides,
  };
}

/** A valid CHED-P for fresh fish, held by NL100000001, as IssueLicenceInput takes it. */
export function chedLicence(serial: number, overrides: Record<string, unknown> = {}, year = '2025') {
  return {
    reference: `CHEDP.NL.${year}.${String(serial).padStart(7, '0')}`,
    type: 'CHED_P',
    issuingAuthority: 'NVWA',
    issuingCountry: 'NL',
    holder: 'NL100000001',
    validFrom: '2025-01-01',
    validUntil: '2027-12-31',
    decision: 'ACCEPTABLE_FOR_RELEASE',
    goods: [{ commodityCode: '0302', description: 'Fresh fish', quantity: 250, unit: 'KGM' }],
    ...overrides,
  };
}
