/**
 * The EU's AEO mutual recognition agreements (MRAs), seeded as programme records.
 *
 * Sources (public pages found while writing this; dates taken from them):
 * - Japan: JAMA "Japan and the EU begin mutual recognition of the AEO system" (jama-english.jp,
 *   Europe news 2011 no. 3) and a Lexology note: signed June 2010 (JCCC Decision No 1/2010),
 *   implemented 24 May 2011.
 * - United States: CBP press releases "EU, US Fully Implement Mutual Recognition Decision"
 *   (cbp.gov, 8 Feb 2013) and Diaz Trade Law "CBP now has mutual recognition with EU for C-TPAT":
 *   decision signed 4 May 2012 (2012/290/EU), phase I (CBP recognises EU AEOs) from July 2012
 *   (1 July 2012 per the EU press release quoted by Export Compliance Daily), phase II (the EU
 *   recognises C-TPAT members) fully implemented 31 January 2013. We record 2012-07-01.
 * - China: EUR-Lex 2014/772/EU, Decision of the EU-China JCCC of 16 May 2014 (OJ L 315,
 *   1.11.2014), and Lexology "AEO mutual recognition program" (GACC Announcement [2015] No. 52):
 *   effective 1 November 2015; China recognises EU AEOS and AEOF holders.
 * - Canada: Lexology / CBSA news on the EU-Canada agreement on customs cooperation with respect
 *   to supply chain security, signed 4 March 2013, which only commits both sides to *work towards*
 *   mutual recognition of AEO and Partners in Protection (PIP). No MRA was found in force.
 *
 * Assumed (not confirmed by a source in the time available):
 * - Norway and Switzerland: recognition under the 2009 security-measures agreements (EEA
 *   Protocol 10 as amended for Norway; the EU-Swiss agreement of 25 June 2009), recorded from
 *   1 July 2009 (Norway) and 1 January 2011 (Switzerland, the agreement's entry into force).
 * - United Kingdom: the Trade and Cooperation Agreement (customs chapter and Annex 16 on trade
 *   partnership programmes), applied provisionally from 1 January 2021.
 * - CA-PIP is the programme that is NOT in force: a real partner with a real pending negotiation
 *   (see above), so it has no inForceFrom date; the outcome AGREEMENT_NOT_IN_FORCE comes from it.
 * - recognisedAeoTypes is AEOS and AEOF everywhere (the security-relevant EU authorisations; the
 *   China announcement says so explicitly).
 * - Identifier patterns: CN-AEO's "AEOCN" + 10-digit customs code is the form Chinese customs
 *   use for AEO codes. The others are the formats as exchanged in this project (plausible,
 *   documented, not official): JP "JPAEO" + 10 digits; US C-TPAT SVI number of 8 upper-case
 *   letters or digits; NO/CH/GB the EU-style "CCAEO" + S/F + digits; CA "CAPIP" + the 9-digit
 *   business number.
 */
import type { ProgrammeRecord } from './records';

const SECURITY_TYPES = ['AEOS', 'AEOF'] as const;

export const MRA_PROGRAMMES: readonly ProgrammeRecord[] = Object.freeze([
  {
    code: 'NO-AEO',
    partnerCountry: 'NO',
    name: 'Norwegian Customs Authorised Economic Operator programme',
    agreement: 'Agreement between the EC and Norway on the simplification of inspections and formalities and on customs security measures (2009)',
    inForceFrom: '2009-07-01',
    inForceUntil: null,
    recognisedAeoTypes: [...SECURITY_TYPES],
    identifierPattern: '^NOAEO[SF]\\d{9}$',
    identifierExample: 'NOAEOF923456781',
  },
  {
    code: 'CH-AEO',
    partnerCountry: 'CH',
    name: 'Swiss Federal Office for Customs and Border Security Authorised Economic Operator',
    agreement: 'Agreement between the EC and Switzerland on the facilitation of inspections and formalities and on customs security measures (2009)',
    inForceFrom: '2011-01-01',
    inForceUntil: null,
    recognisedAeoTypes: [...SECURITY_TYPES],
    identifierPattern: '^CHAEO[SF]\\d{9}$',
    identifierExample: 'CHAEOS123456789',
  },
  {
    code: 'JP-AEO',
    partnerCountry: 'JP',
    name: 'Japan Customs Authorized Economic Operator programme',
    agreement: 'Decision No 1/2010 of the EU-Japan JCCC',
    inForceFrom: '2011-05-24',
    inForceUntil: null,
    recognisedAeoTypes: [...SECURITY_TYPES],
    identifierPattern: '^JPAEO\\d{10}$',
    identifierExample: 'JPAEO1234567890',
  },
  {
    code: 'US-CTPAT',
    partnerCountry: 'US',
    name: 'Customs-Trade Partnership Against Terrorism (C-TPAT)',
    agreement: 'Decision of the EU-US JCCC of 4 May 2012 (2012/290/EU)',
    inForceFrom: '2012-07-01',
    inForceUntil: null,
    recognisedAeoTypes: [...SECURITY_TYPES],
    identifierPattern: '^[A-Z0-9]{8}$',
    identifierExample: 'AB12CD34',
  },
  {
    code: 'CN-AEO',
    partnerCountry: 'CN',
    name: 'China Customs Advanced Certified Enterprise (AEO)',
    agreement: 'Decision of the EU-China JCCC of 16 May 2014 (2014/772/EU)',
    inForceFrom: '2015-11-01',
    inForceUntil: null,
    recognisedAeoTypes: [...SECURITY_TYPES],
    identifierPattern: '^AEOCN\\d{10}$',
    identifierExample: 'AEOCN1234567890',
  },
  {
    code: 'GB-AEO',
    partnerCountry: 'GB',
    name: 'HMRC Authorised Economic Operator (UK)',
    agreement: 'EU-UK Trade and Cooperation Agreement, Annex on trade partnership programmes',
    inForceFrom: '2021-01-01',
    inForceUntil: null,
    recognisedAeoTypes: [...SECURITY_TYPES],
    identifierPattern: '^GBAEO[SF]\\d{6}$',
    identifierExample: 'GBAEOF123456',
  },
  {
    code: 'CA-PIP',
    partnerCountry: 'CA',
    name: 'CBSA Partners in Protection (PIP)',
    agreement: 'EU-Canada mutual recognition of AEO and PIP (under negotiation)',
    inForceFrom: null,
    inForceUntil: null,
    recognisedAeoTypes: [...SECURITY_TYPES],
    identifierPattern: '^CAPIP\\d{9}$',
    identifierExample: 'CAPIP123456789',
  },
] satisfies ProgrammeRecord[]);

export type PartnerIdentifierCheck = { valid: true; value: string } | { valid: false; reason: string };

/** Checks a partner identifier against the programme's pattern, as given: nothing is trimmed or upper-cased. */
export function checkPartnerIdentifier(programme: ProgrammeRecord, identifier: string): PartnerIdentifierCheck {
  const pattern = new RegExp(programme.identifierPattern);
  const expected = `${programme.code} identifiers look like ${programme.identifierExample}`;
  if (identifier === '') return { valid: false, reason: `empty identifier: ${expected}` };
  if (/\s/.test(identifier)) return { valid: false, reason: `"${identifier}" contains whitespace: ${expected}` };
  if (pattern.test(identifier)) return { valid: true, value: identifier };
  if (identifier !== identifier.toUpperCase() && pattern.test(identifier.toUpperCase())) {
    return { valid: false, reason: `"${identifier}" contains lower-case letters: ${expected}` };
  }
  return { valid: false, reason: `"${identifier}" does not match ${programme.identifierPattern}: ${expected}` };
}
