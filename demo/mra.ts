/**
 * Deterministic demo data for mutual recognition, built on the AEO and ENS demo data so the graph
 * can join them:
 * - Partner traders: about 40% of the AEO demo's third-country operators whose country has a
 *   programme (MRA_PROGRAMMES) are on that programme's list of 2026-10-01, with an identifier
 *   in the programme's format, the operator's name, address and EORI(-like) identifier, and a
 *   certification date after the agreement took effect (for CA-PIP, not yet in force, any date
 *   from 2015: the list is exchanged ahead of the agreement). The ENS showcase consignor
 *   (CN620595026036) is always certified in CN-AEO.
 * - Consents: about 85% of the EU AEO holders consented to the exchange of their data, on a date
 *   after their first authorisation; the others have no consent record. DE7737584 always has one.
 * - Trade lanes: "Smart and Secure Trade Lanes" between Chinese and EU ports, taken from route
 *   and mode combinations of the ENS demo filings, with those filings' consignors and consignees
 *   as operators. The lane of the ENS showcase filing (Yantian to Genoa, sea) is active; the
 *   Yantian to Gdańsk lane is suspended.
 */
import { generateAeoDemoData, DEMO_SHOWCASE_EORIS, type AeoDemoData } from './aeo';
import { generateEnsDemoRecords } from './ens';
import { createRandom, type Random } from '../subgraphs/kit/random';
import { MRA_PROGRAMMES } from '../subgraphs/mra/programmes';
import type { ConsentRecord, LaneStatus, PartnerTraderRecord, ProgrammeRecord, TradeLaneRecord } from '../subgraphs/mra/records';

export interface MraDemoRecords {
  partnerTraders: PartnerTraderRecord[];
  consents: ConsentRecord[];
  lanes: TradeLaneRecord[];
}

const SEED = 'mra-demo';
const LIST_DATE = '2026-10-01';
const CERTIFIED_SHARE = 0.4;
const CONSENT_SHARE = 0.85;
/** Consents are given before the demo's "today" of the AEO data. */
const LAST_CONSENT = '2026-10-31';

/** A new identifier in the programme's format (see programmes.ts). */
const IDENTIFIERS: Readonly<Record<string, (r: Random) => string>> = {
  'NO-AEO': (r) => `NOAEO${r.pick(['S', 'F'])}${r.digits(9)}`,
  'CH-AEO': (r) => `CHAEO${r.pick(['S', 'F'])}${r.digits(9)}`,
  'JP-AEO': (r) => `JPAEO${r.digits(10)}`,
  'US-CTPAT': (r) => r.alphanumerics(8),
  'CN-AEO': (r) => `AEOCN${r.digits(10)}`,
  'GB-AEO': (r) => `GBAEO${r.pick(['S', 'F'])}${r.digits(6)}`,
  'CA-PIP': (r) => `CAPIP${r.digits(9)}`,
};

/** Lanes as [origin, destination, status]; all by sea. The first is the ENS showcase filing's. */
const LANES: readonly (readonly [string, string, LaneStatus])[] = [
  ['CNYTN', 'ITGOA', 'ACTIVE'],
  ['CNSHA', 'NLRTM', 'ACTIVE'],
  ['CNYTN', 'DEHAM', 'ACTIVE'],
  ['CNNGB', 'ITGOA', 'ACTIVE'],
  ['CNYTN', 'PLGDN', 'SUSPENDED'],
];
const PORT_NAMES: Readonly<Record<string, string>> = {
  CNYTN: 'Yantian',
  CNSHA: 'Shanghai',
  CNNGB: 'Ningbo',
  ITGOA: 'Genoa',
  NLRTM: 'Rotterdam',
  DEHAM: 'Hamburg',
  PLGDN: 'Gdańsk',
};

export function generateMraDemoRecords(aeo: AeoDemoData = generateAeoDemoData()): MraDemoRecords {
  const r = createRandom(SEED);
  return { partnerTraders: partnerTraders(r, aeo), consents: consents(r, aeo), lanes: lanes() };
}

function partnerTraders(r: Random, aeo: AeoDemoData): PartnerTraderRecord[] {
  const byCountry = new Map<string, ProgrammeRecord>(MRA_PROGRAMMES.map((programme) => [programme.partnerCountry, programme]));
  const used = new Set<string>();
  const traders: PartnerTraderRecord[] = [];
  for (const operator of aeo.operators) {
    const programme = byCountry.get(operator.country);
    if (!programme) continue;
    const certified = r.chance(CERTIFIED_SHARE);
    if (!certified && operator.eori !== DEMO_SHOWCASE_EORIS.thirdCountry) continue;
    const generate = IDENTIFIERS[programme.code];
    if (!generate) throw new Error(`MRA demo: no identifier format for ${programme.code}`);
    let identifier: string;
    do identifier = generate(r);
    while (used.has(identifier));
    used.add(identifier);
    // After the agreement took effect; for one not yet in force, the partner's own certification date.
    const earliest = programme.inForceFrom && programme.inForceFrom <= LIST_DATE ? programme.inForceFrom : '2015-01-01';
    traders.push({
      kind: 'partnerTrader',
      programme: programme.code,
      identifier,
      name: operator.name,
      address: { ...operator.address },
      eori: operator.eori,
      certifiedFrom: dayBetween(r, addDays(earliest, 1), addDays(LIST_DATE, -1)),
      listDate: LIST_DATE,
    });
  }
  return traders;
}

function consents(r: Random, aeo: AeoDemoData): ConsentRecord[] {
  const firstValidFrom = new Map<string, string>();
  for (const authorisation of aeo.authorisations) {
    const known = firstValidFrom.get(authorisation.holder);
    if (known === undefined || authorisation.validFrom < known) firstValidFrom.set(authorisation.holder, authorisation.validFrom);
  }
  const result: ConsentRecord[] = [];
  for (const [eori, validFrom] of firstValidFrom) {
    const granted = r.chance(CONSENT_SHARE);
    if (!granted && eori !== DEMO_SHOWCASE_EORIS.validAeof) continue;
    result.push({ kind: 'consent', eori, granted: true, date: dayBetween(r, addDays(validFrom, 1), LAST_CONSENT) });
  }
  return result;
}

function lanes(): TradeLaneRecord[] {
  const filings = generateEnsDemoRecords();
  return LANES.map(([origin, destination, status]): TradeLaneRecord => {
    const operators = new Set<string>();
    for (const filing of filings) {
      if (filing.transportMode !== 'SEA') continue;
      for (const consignment of filing.consignments) {
        if (consignment.placeOfLoading !== origin || consignment.placeOfUnloading !== destination) continue;
        for (const party of [consignment.consignor, consignment.consignee]) if (party.eori) operators.add(party.eori);
      }
    }
    if (operators.size === 0) throw new Error(`MRA demo: no ENS filing from ${origin} to ${destination} by sea`);
    return {
      kind: 'tradeLane',
      code: `SSTL-${origin}-${destination}`,
      name: `SSTL ${PORT_NAMES[origin] ?? origin}–${PORT_NAMES[destination] ?? destination}`,
      origin,
      destination,
      transportMode: 'SEA',
      operators: [...operators].sort(),
      status,
    };
  });
}

// ---------------------------------------------------------------------------
// Showcase

export type MraShowcaseRole = 'recognised' | 'noConsent' | 'notEligibleType' | 'aeoNotValid' | 'partnerTrader';

/**
 * EORIs for docs and tests, one per recognition outcome (against an in-force programme):
 * RECOGNISED (valid AEOF, consent), NO_CONSENT (valid AEOS or AEOF, no consent), NOT_ELIGIBLE_TYPE
 * (valid AEOC only), AEO_NOT_VALID (suspended) and a partner's certified trader. They are what
 * `mraShowcase` picks from the default data; a unit test keeps the two in step.
 */
export const MRA_SHOWCASE: Readonly<Record<MraShowcaseRole, string>> = Object.freeze({
  recognised: 'DE7737584',
  noConsent: 'ATEOS1180657045',
  notEligibleType: 'ATEOS2049294294',
  aeoNotValid: 'NL164949388',
  partnerTrader: 'CN620595026036',
});

/** Valid AEO types per holder (current status VALID). */
export function validTypesByHolder(aeo: AeoDemoData): Map<string, Set<string>> {
  const result = new Map<string, Set<string>>();
  for (const authorisation of aeo.authorisations) {
    const types = result.get(authorisation.holder) ?? new Set<string>();
    if (authorisation.history.at(-1)?.status === 'VALID') types.add(authorisation.type);
    result.set(authorisation.holder, types);
  }
  return result;
}

export function mraShowcase(aeo: AeoDemoData, records: MraDemoRecords): Record<MraShowcaseRole, string> {
  const valid = validTypesByHolder(aeo);
  const consented = new Set(records.consents.filter((consent) => consent.granted).map((consent) => consent.eori));
  const holders = [...valid.keys()].sort();
  const find = (role: MraShowcaseRole, test: (eori: string, types: Set<string>) => boolean): string => {
    const found = holders.find((eori) => test(eori, valid.get(eori) ?? new Set()));
    if (!found) throw new Error(`MRA demo: no operator for the showcase role "${role}"`);
    return found;
  };
  const recognisable = (types: Set<string>): boolean => types.has('AEOS') || types.has('AEOF');
  return {
    recognised: DEMO_SHOWCASE_EORIS.validAeof,
    noConsent: find('noConsent', (eori, types) => recognisable(types) && !consented.has(eori)),
    notEligibleType: find('notEligibleType', (_eori, types) => types.size > 0 && !recognisable(types)),
    aeoNotValid: DEMO_SHOWCASE_EORIS.suspended,
    partnerTrader: DEMO_SHOWCASE_EORIS.thirdCountry,
  };
}

// ---------------------------------------------------------------------------
// Dates

function addDays(iso: string, days: number): string {
  return new Date(Date.parse(`${iso}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

function dayBetween(r: Random, from: string, to: string): string {
  const start = Date.parse(`${from}T00:00:00Z`) / 86_400_000;
  const end = Date.parse(`${to}T00:00:00Z`) / 86_400_000;
  return addDays(from, end > start ? r.int(0, end - start) : 0);
}
