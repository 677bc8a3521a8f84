/**
 * Validation of customs identifiers (see DOMAIN.md, "Identifiers").
 *
 * Nothing is normalised: lower case or whitespace is reported, not fixed, so a
 * user gets a clear error instead of a guess. A valid result carries the input
 * unchanged as its canonical value.
 */
import { COUNTRY_CODES } from './countries';
import { CURRENCY_CODES } from './currencies';

export type Invalid = { valid: false; reason: string };
export type Valid = { valid: true; value: string };
export type Validation = Valid | Invalid;

export type CommodityLevel = 'HS6' | 'CN8' | 'TARIC10' | 'ANY';
export type ChedType = 'CHEDA' | 'CHEDP' | 'CHEDPP' | 'CHEDD';

/** A check returns the reason the input is invalid, or undefined if it passes. */
type Check = (input: string) => string | undefined;

// XI (Northern Ireland) prefixes EORIs, MRNs and authorisations issued under the Windsor Framework.
const ISSUING_COUNTRIES: ReadonlySet<string> = new Set([...COUNTRY_CODES, 'XI']);
// XU (United Kingdom excluding Northern Ireland) appears in customs country fields, never as an issuer.
const CUSTOMS_COUNTRIES: ReadonlySet<string> = new Set([...ISSUING_COUNTRIES, 'XU']);

const CHED_TYPES: readonly ChedType[] = ['CHEDA', 'CHEDP', 'CHEDPP', 'CHEDD'];
const AEO_TYPES: readonly string[] = ['AEOC', 'AEOS', 'AEOF'];
const CATEGORY_LETTERS: readonly string[] = ['U', 'J', 'Z'];
const COMMODITY_LENGTHS: Record<CommodityLevel, readonly number[]> = {
  HS6: [6],
  CN8: [8],
  TARIC10: [10],
  ANY: [6, 8, 10],
};

// ---------------------------------------------------------------------------
// Identifiers

export function checkEori(input: string): Validation {
  return validate(input, [
    ...FORMAT_CHECKS,
    maxLength(17),
    minLength(3),
    onlyLettersAndDigits,
    (eori) => countryProblem(eori.slice(0, 2), ISSUING_COUNTRIES, 'prefix'),
  ]);
}

export function checkMrn(input: string): Validation {
  // Position 17 (index 16) may hold a procedure letter; it is an ordinary
  // alphanumeric for the checksum. The check character is the 18th.
  return validate(input, [
    ...FORMAT_CHECKS,
    exactLength(18),
    onlyLettersAndDigits,
    (mrn) => (isDigits(mrn.slice(0, 2)) ? undefined : `must start with a two-digit year, not "${mrn.slice(0, 2)}"`),
    (mrn) => countryProblem(mrn.slice(2, 4), ISSUING_COUNTRIES, 'country'),
    (mrn) => checkCharacterProblem('check character', mrn.slice(17), mrnCheckCharacter(mrn.slice(0, 17))),
  ]);
}

export function checkContainerNumber(input: string): Validation {
  return validate(input, [
    ...FORMAT_CHECKS,
    exactLength(11),
    (container) => (isLetters(container.slice(0, 3)) ? undefined : `owner code must be 3 letters, not "${container.slice(0, 3)}"`),
    (container) => categoryLetterProblem(container.charAt(3)),
    (container) => (isDigits(container.slice(4, 10)) ? undefined : `serial number must be 6 digits, not "${container.slice(4, 10)}"`),
    (container) => (isDigits(container.charAt(10)) ? undefined : `check digit must be a digit, not "${container.charAt(10)}"`),
    (container) => checkCharacterProblem('check digit', container.charAt(10), containerCheckDigit(container.slice(0, 10))),
  ]);
}

export function checkChedReference(input: string): Validation {
  return validate(input, [
    ...FORMAT_CHECKS,
    (reference) =>
      reference.split('.').length === 4 ? undefined : 'must have four parts separated by dots: type.country.year.number, e.g. CHEDP.FR.2025.0001234',
    (reference) => chedTypeProblem(chedPart(reference, 0)),
    (reference) => countryProblem(chedPart(reference, 1), ISSUING_COUNTRIES, 'country'),
    (reference) => chedYearProblem(chedPart(reference, 2)),
    (reference) => {
      const number = chedPart(reference, 3);
      return number.length === 7 && isDigits(number) ? undefined : `number must be 7 digits, not "${number}"`;
    },
  ]);
}

/** The type of a valid CHED reference, or undefined if the reference is invalid. */
export function chedType(reference: string): ChedType | undefined {
  if (!checkChedReference(reference).valid) return undefined;
  return CHED_TYPES.find((type) => type === chedPart(reference, 0));
}

export function checkUnLocode(input: string): Validation {
  return validate(input, [
    ...FORMAT_CHECKS,
    exactLength(5),
    // UN/LOCODE uses plain ISO 3166 codes: no XI.
    (locode) => countryProblem(locode.slice(0, 2), COUNTRY_CODES, 'country'),
    (locode) => locationProblem(locode.slice(2)),
  ]);
}

export function checkCommodityCode(input: string, level: CommodityLevel = 'ANY'): Validation {
  // No upper-case check: a letter is simply not a digit.
  return validate(input, [
    notEmpty,
    noWhitespace,
    (code) => (isDigits(code) ? undefined : 'must contain only digits'),
    (code) => commodityLengthProblem(code, level),
    (code) => (code.startsWith('00') ? 'chapter 00 does not exist' : undefined),
  ]);
}

export function checkCountryCode(input: string): Validation {
  return validate(input, [
    ...FORMAT_CHECKS,
    exactLength(2),
    (code) => (CUSTOMS_COUNTRIES.has(code) ? undefined : `"${code}" is not an ISO 3166-1 country code`),
  ]);
}

export function checkCurrencyCode(input: string): Validation {
  return validate(input, [
    ...FORMAT_CHECKS,
    exactLength(3),
    (code) => (CURRENCY_CODES.has(code) ? undefined : `"${code}" is not an active ISO 4217 currency code`),
  ]);
}

export function checkAeoAuthorisationNumber(input: string): Validation {
  return validate(input, [
    ...FORMAT_CHECKS,
    minLength(7),
    maxLength(35),
    (number) => countryProblem(number.slice(0, 2), ISSUING_COUNTRIES, 'issuing country'),
    (number) => {
      const type = number.slice(2, 6);
      return AEO_TYPES.includes(type) ? undefined : `type is "${type}", expected AEOC, AEOS or AEOF`;
    },
    (number) => (isLettersAndDigits(number.slice(6)) ? undefined : 'national part must contain only A-Z and 0-9'),
  ]);
}

// ---------------------------------------------------------------------------
// Check characters (exported so seeds can synthesise valid identifiers)

/** The MRN check character (the 18th) for the first 17 characters. */
export function mrnCheckCharacter(first17: string): string {
  assertChecksumInput(first17, 17);
  return String((weightedSum(first17) % 11) % 10);
}

/** The ISO 6346 check digit for an owner code, category letter and serial number. */
export function containerCheckDigit(first10: string): string {
  assertChecksumInput(first10, 10);
  // A remainder of 10 counts as 0.
  return String((weightedSum(first10) % 11) % 10);
}

// Digits keep their value; letters count from A=10 upwards, skipping multiples of 11.
const CHARACTER_VALUES: ReadonlyMap<string, number> = buildCharacterValues();

function buildCharacterValues(): Map<string, number> {
  const values = new Map<string, number>();
  for (let digit = 0; digit <= 9; digit++) values.set(String(digit), digit);
  let value = 10;
  for (const letter of 'ABCDEFGHIJKLMNOPQRSTUVWXYZ') {
    if (value % 11 === 0) value++;
    values.set(letter, value);
    value++;
  }
  return values;
}

function weightedSum(characters: string): number {
  let sum = 0;
  for (let i = 0; i < characters.length; i++) {
    sum += characterValue(characters.charAt(i)) * 2 ** i;
  }
  return sum;
}

function characterValue(character: string): number {
  const value = CHARACTER_VALUES.get(character);
  if (value === undefined) throw new RangeError(`"${character}" has no check value: only A-Z and 0-9`);
  return value;
}

function assertChecksumInput(characters: string, length: number): void {
  if (characters.length !== length || !isLettersAndDigits(characters)) {
    throw new RangeError(`expected ${length} characters A-Z or 0-9, got "${characters}"`);
  }
}

// ---------------------------------------------------------------------------
// Checks shared by several identifiers

function validate(input: string, checks: readonly Check[]): Validation {
  for (const check of checks) {
    const reason = check(input);
    if (reason !== undefined) return { valid: false, reason };
  }
  return { valid: true, value: input };
}

const notEmpty: Check = (input) => (input === '' ? 'is empty' : undefined);

const noWhitespace: Check = (input) => {
  if (input.trim() !== input) return 'contains whitespace at the start or end';
  return /\s/.test(input) ? 'contains whitespace' : undefined;
};

const upperCase: Check = (input) => (/[a-z]/.test(input) ? 'must be upper case' : undefined);

// Run first, so that " de123" says "whitespace", not "invalid character".
const FORMAT_CHECKS: readonly Check[] = [notEmpty, noWhitespace, upperCase];

const onlyLettersAndDigits: Check = (input) => {
  const bad = [...input].find((character) => !isLettersAndDigits(character));
  return bad === undefined ? undefined : `contains "${bad}"; only A-Z and 0-9 are allowed`;
};

function exactLength(length: number): Check {
  return (input) => (input.length === length ? undefined : `must be ${length} characters long, not ${input.length}`);
}

function maxLength(length: number): Check {
  return (input) => (input.length <= length ? undefined : `is too long: ${input.length} characters, at most ${length}`);
}

function minLength(length: number): Check {
  return (input) => (input.length >= length ? undefined : `is too short: ${input.length} characters, at least ${length}`);
}

function countryProblem(code: string, known: ReadonlySet<string>, what: string): string | undefined {
  if (!isLetters(code)) return `${what} must be two letters, not "${code}"`;
  return known.has(code) ? undefined : `${what} "${code}" is not a country code`;
}

function checkCharacterProblem(what: string, actual: string, expected: string): string | undefined {
  return actual === expected ? undefined : `${what} is ${actual}, expected ${expected}`;
}

function categoryLetterProblem(letter: string): string | undefined {
  return CATEGORY_LETTERS.includes(letter) ? undefined : `category letter is "${letter}", expected U, J or Z`;
}

function chedPart(reference: string, index: number): string {
  return reference.split('.')[index] ?? '';
}

function chedTypeProblem(type: string): string | undefined {
  return CHED_TYPES.some((known) => known === type) ? undefined : `type is "${type}", expected CHEDA, CHEDP, CHEDPP or CHEDD`;
}

function chedYearProblem(year: string): string | undefined {
  if (year.length !== 4 || !isDigits(year)) return `year must be 4 digits, not "${year}"`;
  const value = Number(year);
  return value >= 2000 && value <= 2099 ? undefined : `year ${year} is not plausible (2000 to 2099)`;
}

function locationProblem(location: string): string | undefined {
  // 0 and 1 are excluded so they are never confused with O and I.
  const bad = [...location].find((character) => !/[A-Z2-9]/.test(character));
  return bad === undefined ? undefined : `location "${location}" contains "${bad}"; only A-Z and 2-9 are allowed`;
}

function commodityLengthProblem(code: string, level: CommodityLevel): string | undefined {
  const lengths = COMMODITY_LENGTHS[level];
  if (lengths.includes(code.length)) return undefined;
  const expected = level === 'ANY' ? '6, 8 or 10 digits' : `${lengths.join('')} digits for ${level}`;
  return `must be ${expected}, not ${code.length}`;
}

function isDigits(text: string): boolean {
  return /^[0-9]+$/.test(text);
}

function isLetters(text: string): boolean {
  return /^[A-Z]+$/.test(text);
}

function isLettersAndDigits(text: string): boolean {
  return /^[A-Z0-9]+$/.test(text);
}
