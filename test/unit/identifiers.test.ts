import { describe, expect, it } from 'vitest';
import {
  checkAeoAuthorisationNumber,
  checkChedReference,
  checkCommodityCode,
  checkContainerNumber,
  checkCountryCode,
  checkCurrencyCode,
  checkEori,
  checkMrn,
  checkUnLocode,
  chedType,
  containerCheckDigit,
  mrnCheckCharacter,
  type Validation,
} from '../../subgraphs/kit/identifiers';
import { COUNTRY_CODES, EU_MEMBER_STATES } from '../../subgraphs/kit/countries';
import { CURRENCY_CODES } from '../../subgraphs/kit/currencies';

function expectValid(result: Validation, value: string): void {
  expect(result).toEqual({ valid: true, value });
}

function expectInvalid(result: Validation, reason: RegExp): void {
  expect(result.valid).toBe(false);
  if (!result.valid) expect(result.reason).toMatch(reason);
}

describe('EORI', () => {
  it('accepts an EU EORI and returns it unchanged', () => {
    expectValid(checkEori('DE1234567890123'), 'DE1234567890123');
  });

  it('accepts a Northern Ireland (XI) EORI', () => {
    expectValid(checkEori('XI123456789000'), 'XI123456789000');
  });

  it('accepts the shortest and the longest possible EORI', () => {
    expectValid(checkEori('FR1'), 'FR1');
    expectValid(checkEori('NL123456789012345'), 'NL123456789012345');
  });

  it('rejects a lower-case EORI and says why', () => {
    expectInvalid(checkEori('de1234567890123'), /upper case/);
  });

  it('rejects surrounding and inner whitespace rather than trimming it', () => {
    expectInvalid(checkEori(' DE1234567890123'), /whitespace/);
    expectInvalid(checkEori('DE1234567890123\n'), /whitespace/);
    expectInvalid(checkEori('DE 1234567890123'), /whitespace/);
  });

  it('rejects an EORI longer than 17 characters', () => {
    expectInvalid(checkEori('DE1234567890123456'), /too long.*17/);
  });

  it('rejects an EORI with no national part', () => {
    expectInvalid(checkEori('DE'), /too short/);
  });

  it('rejects an empty EORI', () => {
    expectInvalid(checkEori(''), /empty/);
  });

  it('rejects an EORI whose prefix is not a country code', () => {
    expectInvalid(checkEori('QQ1234567890'), /prefix "QQ" is not a country code/);
    expectInvalid(checkEori('EU1234567890'), /not a country code/);
  });

  it('rejects an EORI that does not start with two letters', () => {
    expectInvalid(checkEori('1E1234567890'), /prefix must be two letters/);
  });

  it('rejects an EORI with characters other than letters and digits', () => {
    expectInvalid(checkEori('DE123-456'), /contains "-"/);
  });
});

describe('MRN', () => {
  it('accepts the worked example 06DE586600006143E1', () => {
    expectValid(checkMrn('06DE586600006143E1'), '06DE586600006143E1');
  });

  it('computes the check character of the worked example', () => {
    expect(mrnCheckCharacter('06DE586600006143E')).toBe('1');
  });

  it('rejects an MRN with a wrong check character', () => {
    expectInvalid(checkMrn('06DE586600006143E3'), /^check character is 3, expected 1$/);
  });

  it('rejects an MRN whose check character is a letter', () => {
    expectInvalid(checkMrn('06DE586600006143EA'), /check character is A, expected 1/);
  });

  it('accepts a procedure letter at position 17', () => {
    const first17 = '25FR12345678901AI';
    expectValid(checkMrn(first17 + mrnCheckCharacter(first17)), first17 + mrnCheckCharacter(first17));
  });

  it('rejects an MRN of the wrong length', () => {
    expectInvalid(checkMrn('06DE586600006143E'), /18 characters/);
    expectInvalid(checkMrn('06DE586600006143E12'), /18 characters/);
  });

  it('rejects a lower-case MRN and says why', () => {
    expectInvalid(checkMrn('06de586600006143e1'), /upper case/);
  });

  it('rejects an MRN containing whitespace', () => {
    expectInvalid(checkMrn('06DE5866 0006143E1'), /whitespace/);
  });

  it('rejects an MRN that does not start with a two-digit year', () => {
    const first17 = 'A6DE586600006143E';
    expectInvalid(checkMrn(first17 + mrnCheckCharacter(first17)), /two-digit year/);
  });

  it('rejects an MRN with an unknown country', () => {
    const first17 = '06QQ586600006143E';
    expectInvalid(checkMrn(first17 + mrnCheckCharacter(first17)), /country "QQ"/);
  });

  it('refuses to compute a check character from malformed input', () => {
    expect(() => mrnCheckCharacter('06DE58660000614')).toThrow(RangeError);
    expect(() => mrnCheckCharacter('06de586600006143e')).toThrow(RangeError);
  });

  it('makes valid MRNs from generated prefixes, and any other check character makes them invalid', () => {
    const random = seededRandom(20250101);
    const alphanumerics = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';
    const pick = (from: string): string => from.charAt(Math.floor(random() * from.length));

    for (let n = 0; n < 300; n++) {
      const year = String(Math.floor(random() * 100)).padStart(2, '0');
      const country = EU_MEMBER_STATES[Math.floor(random() * EU_MEMBER_STATES.length)] ?? 'DE';
      let body = '';
      for (let i = 0; i < 13; i++) body += pick(alphanumerics);
      const first17 = year + country + body;

      const check = mrnCheckCharacter(first17);
      expectValid(checkMrn(first17 + check), first17 + check);

      for (const other of '0123456789'.replace(check, '')) {
        expectInvalid(checkMrn(first17 + other), /check character/);
      }
    }
  });
});

describe('container number (ISO 6346)', () => {
  it('accepts the examples CSQU3054383 and MSKU9070323', () => {
    expectValid(checkContainerNumber('CSQU3054383'), 'CSQU3054383');
    expectValid(checkContainerNumber('MSKU9070323'), 'MSKU9070323');
  });

  it('counts a remainder of 10 as check digit 0', () => {
    expect(containerCheckDigit('MSKU900006')).toBe('0');
    expectValid(checkContainerNumber('MSKU9000060'), 'MSKU9000060');
  });

  it('accepts the category letters J and Z', () => {
    for (const number of ['CSQJ305438', 'CSQZ305438']) {
      const container = number + containerCheckDigit(number);
      expectValid(checkContainerNumber(container), container);
    }
  });

  it('rejects a container number whose check digit is wrong', () => {
    expectInvalid(checkContainerNumber('CSQU3054384'), /^check digit is 4, expected 3$/);
  });

  it('rejects a bad category letter', () => {
    expectInvalid(checkContainerNumber('CSQX3054383'), /category letter is "X", expected U, J or Z/);
  });

  it('rejects an owner code that is not three letters', () => {
    expectInvalid(checkContainerNumber('C5QU3054383'), /owner code/);
  });

  it('rejects a serial number with letters', () => {
    expectInvalid(checkContainerNumber('CSQU30543B3'), /serial number must be 6 digits/);
  });

  it('rejects the wrong length', () => {
    expectInvalid(checkContainerNumber('CSQU305438'), /11 characters/);
  });

  it('rejects lower case and whitespace', () => {
    expectInvalid(checkContainerNumber('csqu3054383'), /upper case/);
    expectInvalid(checkContainerNumber('CSQU 3054383'), /whitespace/);
  });
});

describe('CHED reference', () => {
  it('accepts CHEDP.FR.2025.0001234 and reports its type', () => {
    expectValid(checkChedReference('CHEDP.FR.2025.0001234'), 'CHEDP.FR.2025.0001234');
    expect(chedType('CHEDP.FR.2025.0001234')).toBe('CHEDP');
  });

  it('accepts each of the four CHED types', () => {
    for (const type of ['CHEDA', 'CHEDP', 'CHEDPP', 'CHEDD'] as const) {
      expect(chedType(`${type}.NL.2024.0000001`)).toBe(type);
    }
  });

  it('rejects an unknown CHED type', () => {
    expectInvalid(checkChedReference('CHEDX.FR.2025.0001234'), /type is "CHEDX"/);
    expect(chedType('CHEDX.FR.2025.0001234')).toBeUndefined();
  });

  it('rejects an unknown country', () => {
    expectInvalid(checkChedReference('CHEDP.ZZ.2025.0001234'), /country "ZZ" is not a country code/);
  });

  it('rejects an implausible year', () => {
    expectInvalid(checkChedReference('CHEDP.FR.1999.0001234'), /year 1999/);
    expectInvalid(checkChedReference('CHEDP.FR.25.0001234'), /year must be 4 digits/);
  });

  it('rejects a number that is not 7 digits', () => {
    expectInvalid(checkChedReference('CHEDP.FR.2025.001234'), /number must be 7 digits/);
    expectInvalid(checkChedReference('CHEDP.FR.2025.000123A'), /number must be 7 digits/);
  });

  it('rejects a reference without four dot-separated parts', () => {
    expectInvalid(checkChedReference('CHEDP-FR-2025-0001234'), /four parts/);
  });

  it('rejects lower case and whitespace', () => {
    expectInvalid(checkChedReference('chedp.fr.2025.0001234'), /upper case/);
    expectInvalid(checkChedReference('CHEDP.FR.2025.0001234 '), /whitespace/);
  });
});

describe('UN/LOCODE', () => {
  it('accepts NLRTM, DEHAM and CNSHA', () => {
    for (const locode of ['NLRTM', 'DEHAM', 'CNSHA']) expectValid(checkUnLocode(locode), locode);
  });

  it('accepts the digits 2 to 9 in the location part', () => {
    expectValid(checkUnLocode('GBX29'), 'GBX29');
  });

  it('rejects the digits 0 and 1 in the location part', () => {
    expectInvalid(checkUnLocode('NLR0M'), /contains "0"/);
    expectInvalid(checkUnLocode('NLR1M'), /contains "1"/);
  });

  it('rejects an unknown country', () => {
    expectInvalid(checkUnLocode('QQRTM'), /country "QQ"/);
  });

  it('rejects the wrong length, lower case and whitespace', () => {
    expectInvalid(checkUnLocode('NLRT'), /5 characters/);
    expectInvalid(checkUnLocode('nlrtm'), /upper case/);
    expectInvalid(checkUnLocode('NL RTM'), /whitespace/);
  });
});

describe('commodity code', () => {
  it('accepts the length that matches each level', () => {
    expectValid(checkCommodityCode('847130', 'HS6'), '847130');
    expectValid(checkCommodityCode('84713000', 'CN8'), '84713000');
    expectValid(checkCommodityCode('8471300000', 'TARIC10'), '8471300000');
  });

  it('accepts 6, 8 or 10 digits when the level is ANY, the default', () => {
    for (const code of ['847130', '84713000', '8471300000']) expectValid(checkCommodityCode(code), code);
  });

  it('rejects a length that does not match the level', () => {
    expectInvalid(checkCommodityCode('84713000', 'HS6'), /6 digits for HS6/);
    expectInvalid(checkCommodityCode('847130', 'CN8'), /8 digits for CN8/);
    expectInvalid(checkCommodityCode('84713000', 'TARIC10'), /10 digits for TARIC10/);
    expectInvalid(checkCommodityCode('8471300'), /6, 8 or 10 digits/);
  });

  it('rejects anything but digits, including the dotted notation', () => {
    expectInvalid(checkCommodityCode('8471.30'), /only digits/);
    expectInvalid(checkCommodityCode('84713A'), /only digits/);
  });

  it('rejects whitespace rather than removing it', () => {
    expectInvalid(checkCommodityCode('8471 30'), /whitespace/);
  });

  it('rejects chapter 00', () => {
    expectInvalid(checkCommodityCode('000130'), /chapter 00/);
  });
});

describe('country code', () => {
  it('lists all 249 ISO 3166-1 alpha-2 codes and the 27 EU Member States', () => {
    expect(COUNTRY_CODES.size).toBe(249);
    expect(EU_MEMBER_STATES).toHaveLength(27);
    for (const member of EU_MEMBER_STATES) expect(COUNTRY_CODES.has(member)).toBe(true);
  });

  it('accepts real codes and the customs codes XI and XU', () => {
    for (const code of ['DE', 'GB', 'CN', 'US', 'XI', 'XU']) expectValid(checkCountryCode(code), code);
  });

  it('rejects codes that are not assigned', () => {
    expectInvalid(checkCountryCode('QQ'), /not an ISO 3166-1 country code/);
    expectInvalid(checkCountryCode('EL'), /not an ISO 3166-1 country code/);
  });

  it('rejects the wrong length, lower case and whitespace', () => {
    expectInvalid(checkCountryCode('DEU'), /2 characters/);
    expectInvalid(checkCountryCode('de'), /upper case/);
    expectInvalid(checkCountryCode(' DE'), /whitespace/);
  });
});

describe('currency code', () => {
  it('accepts active ISO 4217 codes', () => {
    for (const code of ['EUR', 'USD', 'CNY', 'GBP', 'JPY', 'CHF']) expectValid(checkCurrencyCode(code), code);
    expect(CURRENCY_CODES.size).toBeGreaterThan(150);
  });

  it('rejects withdrawn and made-up codes', () => {
    expectInvalid(checkCurrencyCode('DEM'), /not an active ISO 4217 currency code/);
    expectInvalid(checkCurrencyCode('HRK'), /not an active ISO 4217 currency code/);
    expectInvalid(checkCurrencyCode('ABC'), /not an active ISO 4217 currency code/);
  });

  it('rejects the wrong length, lower case and whitespace', () => {
    expectInvalid(checkCurrencyCode('EU'), /3 characters/);
    expectInvalid(checkCurrencyCode('eur'), /upper case/);
    expectInvalid(checkCurrencyCode('EUR '), /whitespace/);
  });
});

describe('AEO authorisation number', () => {
  it('accepts DEAEOF0000123456 and the other two types', () => {
    for (const number of ['DEAEOF0000123456', 'FRAEOC12345', 'NLAEOS0001']) {
      expectValid(checkAeoAuthorisationNumber(number), number);
    }
  });

  it('rejects an unknown AEO type', () => {
    expectInvalid(checkAeoAuthorisationNumber('DEAEOX0000123456'), /type is "AEOX", expected AEOC, AEOS or AEOF/);
  });

  it('rejects an issuing country that is not a country code', () => {
    expectInvalid(checkAeoAuthorisationNumber('QQAEOF0000123456'), /issuing country "QQ"/);
  });

  it('rejects a missing or overlong national part', () => {
    expectInvalid(checkAeoAuthorisationNumber('DEAEOF'), /too short/);
    expectInvalid(checkAeoAuthorisationNumber(`DEAEOF${'1'.repeat(30)}`), /too long/);
  });

  it('rejects punctuation in the national part', () => {
    expectInvalid(checkAeoAuthorisationNumber('DEAEOF-0000123'), /national part/);
  });

  it('rejects lower case and whitespace', () => {
    expectInvalid(checkAeoAuthorisationNumber('deaeof0000123456'), /upper case/);
    expectInvalid(checkAeoAuthorisationNumber('DE AEOF0000123456'), /whitespace/);
  });
});

/** A small deterministic generator (mulberry32), so a failure can be reproduced. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
