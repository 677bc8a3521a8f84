/**
 * Licence and certificate references, the declaration document codes that quote them, and the
 * commodities that need them.
 *
 * Reference formats (nothing is normalised, as in kit/identifiers: lower case or whitespace is
 * reported, not fixed; a valid result carries the input unchanged):
 *
 * | Type              | Format                          | Example                 |
 * |-------------------|---------------------------------|-------------------------|
 * | CHED_A            | CHEDA.<CC>.<YYYY>.<7 digits>    | CHEDA.IE.2025.0000042   |
 * | CHED_P            | CHEDP.<CC>.<YYYY>.<7 digits>    | CHEDP.FR.2025.0001234   |
 * | CHED_PP           | CHEDPP.<CC>.<YYYY>.<7 digits>   | CHEDPP.NL.2025.0100001  |
 * | CHED_D            | CHEDD.<CC>.<YYYY>.<7 digits>    | CHEDD.BE.2025.0007777   |
 * | DUAL_USE          | <CC>-DU-<YYYY>-<6 digits>       | DE-DU-2025-000123       |
 * | CATCH_CERTIFICATE | <CC>-CC-<YYYY>-<6 digits>       | NO-CC-2025-004512       |
 * | CITES             | CITES-<CC>-<YYYY>-<6 digits>    | CITES-ZA-2025-000318    |
 * | FLEGT             | FLEGT-<CC>-<YYYY>-<6 digits>    | FLEGT-ID-2025-001200    |
 *
 * CC is the issuing country (the flag state for a catch certificate): an ISO 3166-1 alpha-2
 * code as accepted by checkCountryCode. YYYY is the year of issue, 2000 to 2099. The CHED
 * formats are the TRACES format of DOMAIN.md, checked by checkChedReference; the others are
 * this project's own simplified formats (real national formats vary).
 */
import { LICENCE_TYPES, type LicenceType } from './records';
import { checkChedReference, checkCountryCode, chedType, type ChedType, type Validation } from '../kit/identifiers';

type Check = (input: string) => string | undefined;

const CHED_PREFIXES: Partial<Record<LicenceType, ChedType>> = {
  CHED_A: 'CHEDA',
  CHED_P: 'CHEDP',
  CHED_PP: 'CHEDPP',
  CHED_D: 'CHEDD',
};

/** Dash-separated formats: each part is a literal, the country, the year or the serial. */
type Part = { literal: string } | 'country' | 'year' | 'serial';
const DASHED_FORMATS: Partial<Record<LicenceType, { parts: readonly Part[]; example: string }>> = {
  DUAL_USE: { parts: ['country', { literal: 'DU' }, 'year', 'serial'], example: 'DE-DU-2025-000123' },
  CATCH_CERTIFICATE: { parts: ['country', { literal: 'CC' }, 'year', 'serial'], example: 'NO-CC-2025-004512' },
  CITES: { parts: [{ literal: 'CITES' }, 'country', 'year', 'serial'], example: 'CITES-ZA-2025-000318' },
  FLEGT: { parts: [{ literal: 'FLEGT' }, 'country', 'year', 'serial'], example: 'FLEGT-ID-2025-001200' },
};

/** A reference in the format of any licence type: for lookups, where the type is not given. */
export function checkAnyLicenceReference(reference: string): Validation {
  for (const type of LICENCE_TYPES) {
    const check = checkLicenceReference(type, reference);
    if (check.valid) return check;
  }
  const examples = [...Object.values(DASHED_FORMATS).map((format) => format!.example), 'CHEDP.FR.2025.0001234'];
  return { valid: false, reason: `${JSON.stringify(reference)} is no licence reference of any type (such as ${examples.join(', ')})` };
}

export function checkLicenceReference(type: LicenceType, reference: string): Validation {
  const formatProblem = firstProblem(reference, [notEmpty, noWhitespace, upperCase]);
  if (formatProblem !== undefined) return { valid: false, reason: formatProblem };

  const chedPrefix = CHED_PREFIXES[type];
  if (chedPrefix !== undefined) {
    const ched = checkChedReference(reference);
    if (!ched.valid) return ched;
    const actual = chedType(reference);
    return actual === chedPrefix ? ched : { valid: false, reason: `is a ${actual} reference; a ${type} reference starts with ${chedPrefix}.` };
  }

  const format = DASHED_FORMATS[type];
  if (format === undefined) return { valid: false, reason: `no reference format is known for ${type}` };
  const parts = reference.split('-');
  if (parts.length !== format.parts.length) {
    return { valid: false, reason: `must have ${format.parts.length} parts separated by dashes, e.g. ${format.example}` };
  }
  for (let i = 0; i < parts.length; i++) {
    const problem = partProblem(format.parts[i]!, parts[i]!);
    if (problem !== undefined) return { valid: false, reason: problem };
  }
  return { valid: true, value: reference };
}

function partProblem(part: Part, text: string): string | undefined {
  if (part === 'country') {
    const country = checkCountryCode(text);
    return country.valid ? undefined : `country ${country.reason}`;
  }
  if (part === 'year') {
    if (!/^[0-9]{4}$/.test(text)) return `year must be 4 digits, not "${text}"`;
    const year = Number(text);
    return year >= 2000 && year <= 2099 ? undefined : `year ${text} is not plausible (2000 to 2099)`;
  }
  if (part === 'serial') return /^[0-9]{6}$/.test(text) ? undefined : `number must be 6 digits, not "${text}"`;
  return text === part.literal ? undefined : `expected "${part.literal}", not "${text}"`;
}

function firstProblem(input: string, checks: readonly Check[]): string | undefined {
  for (const check of checks) {
    const problem = check(input);
    if (problem !== undefined) return problem;
  }
  return undefined;
}

const notEmpty: Check = (input) => (input === '' ? 'is empty' : undefined);
const noWhitespace: Check = (input) => {
  if (input.trim() !== input) return 'contains whitespace at the start or end';
  return /\s/.test(input) ? 'contains whitespace' : undefined;
};
const upperCase: Check = (input) => (/[a-z]/.test(input) ? 'must be upper case' : undefined);

// ---------------------------------------------------------------------------
// Supporting-document codes (data element 12 03) that quote a licence or certificate.
//
// | Code | Document                                                     | Licence type      |
// |------|--------------------------------------------------------------|-------------------|
// | C640 | CHED-A, live animals                                         | CHED_A            |
// | N853 | CHED-P (formerly CVED), products of animal origin            | CHED_P            |
// | N851 | phytosanitary certificate / CHED-PP, plants                  | CHED_PP           |
// | C678 | CHED-D, feed and food of non-animal origin                   | CHED_D            |
// | C673 | catch certificate (IUU fishing)                              | CATCH_CERTIFICATE |
// | X002 | dual-use export/import authorisation                         | DUAL_USE          |
// | C400 | CITES permit or certificate                                  | CITES             |
// | C690 | FLEGT licence (timber)                                       | FLEGT             |
//
// N853 (CVED / CHED-P) and N851 (phytosanitary, under which UK declarations quote the CHED-PP)
// match published customs guidance; the other codes are as used in this project. Any other
// code (N935 invoice, N740 air waybill, ...) is not a licence.

const DOCUMENT_LICENCE_TYPES: ReadonlyMap<string, readonly LicenceType[]> = new Map<string, readonly LicenceType[]>([
  ['C640', ['CHED_A']],
  ['N853', ['CHED_P']],
  ['N851', ['CHED_PP']],
  ['C678', ['CHED_D']],
  ['C673', ['CATCH_CERTIFICATE']],
  ['X002', ['DUAL_USE']],
  ['C400', ['CITES']],
  ['C690', ['FLEGT']],
]);

/** The licence types a supporting-document code quotes, or undefined if the code is not a licence. */
export function licenceTypesForDocument(documentType: string): readonly LicenceType[] | undefined {
  return DOCUMENT_LICENCE_TYPES.get(documentType);
}

// ---------------------------------------------------------------------------
// Commodities that need a certificate (a deliberately small table, by code prefix).
//
// | Prefix | Goods                                          | Needs                       |
// |--------|------------------------------------------------|-----------------------------|
// | 01     | live animals                                   | CHED_A                      |
// | 02     | meat                                           | CHED_P                      |
// | 03     | fish and other aquatic invertebrates           | CHED_P, and CATCH_CERTIFICATE |
// | 04     | dairy, eggs, honey                             | CHED_P                      |
// | 05     | other products of animal origin                | CHED_P                      |
// | 16     | preparations of meat or fish                   | CHED_P                      |
// | 0602   | live plants                                    | CHED_PP                     |
//
// Each row is one requirement; a requirement is met by a document of any of its types.

export interface CertificateRequirement {
  types: readonly LicenceType[];
  reason: string;
}

const REQUIREMENTS: readonly (CertificateRequirement & { prefix: string })[] = [
  { prefix: '01', types: ['CHED_A'], reason: 'live animals (chapter 01) need a CHED-A' },
  { prefix: '02', types: ['CHED_P'], reason: 'meat (chapter 02) needs a CHED-P' },
  { prefix: '03', types: ['CHED_P'], reason: 'fish (chapter 03) needs a CHED-P' },
  { prefix: '03', types: ['CATCH_CERTIFICATE'], reason: 'fish (chapter 03) needs a catch certificate' },
  { prefix: '04', types: ['CHED_P'], reason: 'dairy, eggs and honey (chapter 04) need a CHED-P' },
  { prefix: '05', types: ['CHED_P'], reason: 'products of animal origin (chapter 05) need a CHED-P' },
  { prefix: '16', types: ['CHED_P'], reason: 'preparations of meat or fish (chapter 16) need a CHED-P' },
  { prefix: '0602', types: ['CHED_PP'], reason: 'live plants (heading 0602) need a CHED-PP' },
];

/** The certificates a commodity code needs: one entry per requirement, empty if none. */
export function requiredCertificates(commodityCode: string): CertificateRequirement[] {
  return REQUIREMENTS.filter((row) => commodityCode.startsWith(row.prefix)).map(({ types, reason }) => ({
    types,
    reason,
  }));
}
