import { describe, expect, it } from 'vitest';
import { checkLicenceReference, licenceTypesForDocument, requiredCertificates } from '../../subgraphs/licences/references';
import type { Validation } from '../../subgraphs/kit/identifiers';
import { LICENCE_TYPES, type LicenceType } from '../../subgraphs/licences/records';

function expectValid(result: Validation, value: string): void {
  expect(result).toEqual({ valid: true, value });
}

function expectInvalid(result: Validation, reason: RegExp): void {
  expect(result.valid).toBe(false);
  if (!result.valid) expect(result.reason).toMatch(reason);
}

const EXAMPLES: Record<LicenceType, string> = {
  CHED_A: 'CHEDA.IE.2025.0000042',
  CHED_P: 'CHEDP.FR.2025.0001234',
  CHED_PP: 'CHEDPP.NL.2025.0100001',
  CHED_D: 'CHEDD.BE.2025.0007777',
  DUAL_USE: 'DE-DU-2025-000123',
  CATCH_CERTIFICATE: 'NO-CC-2025-004512',
  CITES: 'CITES-ZA-2025-000318',
  FLEGT: 'FLEGT-ID-2025-001200',
};

describe('licence reference formats', () => {
  it.each(LICENCE_TYPES)('accepts the documented %s example and returns it unchanged', (type) => {
    expectValid(checkLicenceReference(type, EXAMPLES[type]), EXAMPLES[type]);
  });

  it('accepts each type only in its own format', () => {
    for (const type of LICENCE_TYPES) {
      for (const other of LICENCE_TYPES) {
        if (other !== type) expect(checkLicenceReference(type, EXAMPLES[other]).valid).toBe(false);
      }
    }
  });

  describe('CHEDs', () => {
    it('rejects a CHED of another type, naming the prefix it needs', () => {
      expectInvalid(checkLicenceReference('CHED_A', 'CHEDP.FR.2025.0001234'), /CHEDP reference.*CHED_A.*CHEDA/);
      expectInvalid(checkLicenceReference('CHED_P', 'CHEDPP.NL.2025.0100001'), /CHEDPP reference.*CHEDP\./);
    });

    it('passes on the CHED format problems', () => {
      expectInvalid(checkLicenceReference('CHED_P', 'CHEDP.QQ.2025.0001234'), /country "QQ" is not a country code/);
      expectInvalid(checkLicenceReference('CHED_P', 'CHEDP.FR.2025.123'), /7 digits/);
      expectInvalid(checkLicenceReference('CHED_P', 'CHEDX.FR.2025.0001234'), /type is "CHEDX"/);
    });
  });

  describe('dash formats', () => {
    it('rejects lower case and whitespace instead of fixing them', () => {
      expectInvalid(checkLicenceReference('DUAL_USE', 'de-DU-2025-000123'), /upper case/);
      expectInvalid(checkLicenceReference('CHED_P', 'chedp.fr.2025.0001234'), /upper case/);
      expectInvalid(checkLicenceReference('FLEGT', ' FLEGT-ID-2025-001200'), /whitespace at the start/);
      expectInvalid(checkLicenceReference('CITES', 'CITES-ZA-2025- 000318'), /contains whitespace/);
      expectInvalid(checkLicenceReference('CITES', ''), /empty/);
    });

    it('rejects a wrong prefix or type marker', () => {
      expectInvalid(checkLicenceReference('DUAL_USE', 'DE-CC-2025-000123'), /expected "DU", not "CC"/);
      expectInvalid(checkLicenceReference('CATCH_CERTIFICATE', 'NO-DU-2025-004512'), /expected "CC", not "DU"/);
      expectInvalid(checkLicenceReference('CITES', 'FLEGT-ZA-2025-000318'), /expected "CITES", not "FLEGT"/);
      expectInvalid(checkLicenceReference('FLEGT', 'CITES-ID-2025-001200'), /expected "FLEGT", not "CITES"/);
    });

    it('rejects a country that does not exist', () => {
      expectInvalid(checkLicenceReference('DUAL_USE', 'QQ-DU-2025-000123'), /country "QQ" is not an ISO 3166-1/);
      expectInvalid(checkLicenceReference('CITES', 'CITES-ZAF-2025-000318'), /country must be 2 characters/);
    });

    it('rejects wrong digits in the year or the number', () => {
      expectInvalid(checkLicenceReference('DUAL_USE', 'DE-DU-25-000123'), /year must be 4 digits, not "25"/);
      expectInvalid(checkLicenceReference('DUAL_USE', 'DE-DU-1999-000123'), /year 1999 is not plausible/);
      expectInvalid(checkLicenceReference('CATCH_CERTIFICATE', 'NO-CC-2025-4512'), /6 digits, not "4512"/);
      expectInvalid(checkLicenceReference('FLEGT', 'FLEGT-ID-2025-00120A'), /6 digits/);
    });

    it('rejects the wrong number of parts with an example', () => {
      expectInvalid(checkLicenceReference('CATCH_CERTIFICATE', 'NO-CC-2025'), /4 parts.*NO-CC-2025-004512/);
      expectInvalid(checkLicenceReference('FLEGT', 'FLEGT.ID.2025.001200'), /separated by dashes/);
    });
  });
});

describe('licenceTypesForDocument', () => {
  it('maps each licence document code to its licence type', () => {
    expect(licenceTypesForDocument('C640')).toEqual(['CHED_A']);
    expect(licenceTypesForDocument('N853')).toEqual(['CHED_P']);
    expect(licenceTypesForDocument('N851')).toEqual(['CHED_PP']);
    expect(licenceTypesForDocument('C678')).toEqual(['CHED_D']);
    expect(licenceTypesForDocument('C673')).toEqual(['CATCH_CERTIFICATE']);
    expect(licenceTypesForDocument('X002')).toEqual(['DUAL_USE']);
    expect(licenceTypesForDocument('C400')).toEqual(['CITES']);
    expect(licenceTypesForDocument('C690')).toEqual(['FLEGT']);
  });

  it('covers every licence type', () => {
    const codes = ['C640', 'N853', 'N851', 'C678', 'C673', 'X002', 'C400', 'C690'];
    const covered = new Set(codes.flatMap((code) => licenceTypesForDocument(code) ?? []));
    expect([...covered].sort()).toEqual([...LICENCE_TYPES].sort());
  });

  it('says an invoice, an unknown code or a lower-case code is not a licence', () => {
    expect(licenceTypesForDocument('N935')).toBeUndefined();
    expect(licenceTypesForDocument('Z999')).toBeUndefined();
    expect(licenceTypesForDocument('n853')).toBeUndefined();
    expect(licenceTypesForDocument('constructor')).toBeUndefined();
  });
});

describe('requiredCertificates', () => {
  it('requires both a CHED-P and a catch certificate for fish, as separate requirements', () => {
    const requirements = requiredCertificates('0302130000');
    expect(requirements.map((requirement) => requirement.types)).toEqual([['CHED_P'], ['CATCH_CERTIFICATE']]);
    expect(requirements[1]?.reason).toMatch(/catch certificate/);
  });

  it('requires a CHED-A for live animals and a CHED-P for meat, dairy, animal products and preparations', () => {
    expect(requiredCertificates('0102291000').map((r) => r.types)).toEqual([['CHED_A']]);
    for (const code of ['0201100000', '0406103000', '0511999000', '1604141100']) {
      expect(requiredCertificates(code).map((r) => r.types)).toEqual([['CHED_P']]);
    }
  });

  it('requires a CHED-PP for live plants (0602) but nothing for cut flowers (0603)', () => {
    expect(requiredCertificates('0602109000').map((r) => r.types)).toEqual([['CHED_PP']]);
    expect(requiredCertificates('0603110000')).toEqual([]);
  });

  it('requires nothing for telephones (8517)', () => {
    expect(requiredCertificates('8517130000')).toEqual([]);
  });

  it('gives every requirement a readable reason', () => {
    for (const requirement of requiredCertificates('0302130000')) expect(requirement.reason).toMatch(/chapter 03/);
  });
});
