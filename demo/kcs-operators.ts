/**
 * The parties of the KCS declarations (kcs.ts) as entries of the EORI registry and AEO
 * authorisations, in the AEO demo data's shapes, so the AEO subgraph can hold them.
 *
 * - Every distinct importer and declarant EORI becomes one operator established in NL. An EORI
 *   that is both (none is, in the KCS files) counts as a declarant. Sellers are third-country
 *   parties and are not registered; parties without an EORI cannot be.
 * - Name and address are drawn from a generator seeded with the seed and the EORI alone, so an
 *   operator looks the same whatever the input order, file or other operators. Names are
 *   therefore not guaranteed unique (for both KCS files, 14,912 operators, about 3% share a name
 *   with another), much as "Jansen Transport B.V." can exist twice in a real register.
 * - Declarants are customs brokers and forwarders ("... Customs Services B.V.", "... Forwarding
 *   B.V."), mostly near the ports and airports; importers are trading and manufacturing firms.
 * - AEO: a stable hash of the EORI, never the labels, decides who holds one: about 6% of
 *   importers and 35% of declarants (brokers are certified far more often than their clients).
 *   Types AEOF 60% / AEOC 30% / AEOS 10%; statuses VALID 88%, SUSPENDED 6%, REVOKED 4%,
 *   ANNULLED 2%, as in the AEO demo data. Authorisations are granted 2009-2019, before the
 *   declarations of 2020-2021.
 * - Numbers: NL + type + a 10-digit national part that starts with 9 (NLAEOF9xxxxxxxxx). The AEO
 *   demo data's national parts start with the year of issue (20xx), so the two never collide.
 *   Among KCS holders, a clash of the hashed digits is resolved in EORI order.
 * Operators and authorisations are returned sorted by EORI.
 */
import type { AeoStatus, AeoType, DemoAuthorisation, DemoOperator, DemoStatusChange } from './aeo';
import { checkEori } from '../subgraphs/kit/identifiers';
import { createRandom, type Random } from '../subgraphs/kit/random';
import type { DeclarationRecord } from '../subgraphs/declarations/records';

export interface KcsOperatorOptions {
  /** Varies names, addresses and the choice of AEO holders; default KCS_OPERATOR_SEED. */
  seed?: number;
}

export interface KcsOperatorData {
  operators: DemoOperator[];
  authorisations: DemoAuthorisation[];
}

export const KCS_OPERATOR_SEED = 20200101;

/** Share of importers and of declarants that hold an AEO authorisation. */
export const KCS_AEO_SHARE = { importer: 0.06, declarant: 0.35 } as const;

export type KcsPartyRole = 'importer' | 'declarant';

const TYPE_WEIGHTS: readonly (readonly [AeoType, number])[] = [
  ['AEOF', 60],
  ['AEOC', 30],
  ['AEOS', 10],
];
const STATUS_WEIGHTS: readonly (readonly [AeoStatus, number])[] = [
  ['VALID', 88],
  ['SUSPENDED', 6],
  ['REVOKED', 4],
  ['ANNULLED', 2],
];

export function kcsOperators(records: readonly DeclarationRecord[], options: KcsOperatorOptions = {}): KcsOperatorData {
  const seed = options.seed ?? KCS_OPERATOR_SEED;
  const roles = new Map<string, KcsPartyRole>();
  for (const record of records) {
    const declarant = record.declarant.eori;
    const importer = record.importer.eori;
    if (declarant && checkEori(declarant).valid) roles.set(declarant, 'declarant');
    if (importer && checkEori(importer).valid && !roles.has(importer)) roles.set(importer, 'importer');
  }

  const eoris = [...roles.keys()].sort();
  const operators: DemoOperator[] = [];
  const authorisations: DemoAuthorisation[] = [];
  const usedNumbers = new Set<string>();
  for (const eori of eoris) {
    const role = roles.get(eori) ?? 'importer';
    operators.push(kcsOperator(eori, role, seed));
    const authorisation = kcsAuthorisation(eori, role, seed, usedNumbers);
    if (authorisation) authorisations.push(authorisation);
  }
  return { operators, authorisations };
}

// ---------------------------------------------------------------------------
// Names and addresses

const SURNAMES = [
  'De Jong',
  'Jansen',
  'De Vries',
  'Van den Berg',
  'Van Dijk',
  'Bakker',
  'Visser',
  'Smit',
  'Meijer',
  'De Boer',
  'Mulder',
  'De Groot',
  'Bos',
  'Vos',
  'Peters',
  'Hendriks',
  'Van Leeuwen',
  'Dekker',
  'Brouwer',
  'De Wit',
  'Dijkstra',
  'Smits',
  'De Graaf',
  'Van der Meer',
  'Van der Linden',
  'Kok',
  'Jacobs',
  'De Haan',
  'Vermeulen',
  'Van den Heuvel',
  'Van der Veen',
  'Van den Broek',
  'De Bruijn',
  'Schouten',
  'Van Beek',
  'Willems',
  'Hoekstra',
  'Koster',
  'Prins',
  'Verhoeven',
  'Kuipers',
  'Postma',
  'Timmermans',
  'Groen',
  'Kramer',
  'Van Wijk',
];
const PLACES = [
  'Rotterdam',
  'Holland',
  'Maas',
  'Delta',
  'Schiphol',
  'Waal',
  'Noordzee',
  'Brabant',
  'Zeeland',
  'Venlo',
  'Amstel',
  'Europoort',
  'Botlek',
  'Maasvlakte',
  'Randstad',
  'Veluwe',
  'Twente',
  'Limburg',
  'Westland',
  'IJssel',
  'Waddenzee',
  'Oranje',
  'Lowlands',
  'Rijnmond',
  'Drechtsteden',
];
const BRANDS = [
  'Atlas',
  'Vertex',
  'Nova',
  'Orion',
  'Zenith',
  'Polaris',
  'Meridian',
  'Aurora',
  'Helix',
  'Sigma',
  'Apex',
  'Cobalt',
  'Primus',
  'Optima',
  'Titan',
  'Vega',
  'Nexus',
  'Pioneer',
  'Fortis',
  'Astra',
  'Falcon',
  'Horizon',
  'Summit',
  'Trident',
  'Unitas',
  'Kompas',
  'Anker',
  'Vlinder',
  'Noorderlicht',
  'Eiland',
  'Zeester',
  'Windroos',
];
const IMPORTER_ACTIVITIES = [
  'Trading',
  'Import',
  'Handelsmaatschappij',
  'Handel',
  'Distributie',
  'Foods',
  'Electronics',
  'Textiles',
  'Fashion',
  'Machinery',
  'Machinehandel',
  'Chemicals',
  'Components',
  'Auto Parts',
  'Pharma',
  'Steel',
  'Staalhandel',
  'Packaging',
  'Technologies',
  'Industries',
  'Furniture',
  'Meubelen',
  'Agro',
  'Bloemen',
  'Fruit',
  'Tools',
  'Lighting',
  'Sports',
  'Toys',
  'Home & Living',
  'Cosmetics',
  'Wines',
  'Seafood',
  'Hardware',
  'Plastics',
  'Solar',
  'Medical',
  'Outdoor',
  'Bikes',
  'Ceramics',
];
const IMPORTER_FORMS: readonly (readonly [string, number])[] = [
  ['B.V.', 92],
  ['N.V.', 3],
  ['V.O.F.', 5],
];
const BROKER_ACTIVITIES = [
  'Customs Services',
  'Customs Brokers',
  'Douane Expediteurs',
  'Douaneservice',
  'Forwarding',
  'Freight Forwarding',
  'Expeditie',
  'Logistics',
  'Logistiek',
  'Shipping Agency',
  'Cargo Services',
  'Air Cargo',
  'Transport & Douane',
  'Clearance Services',
  'Global Logistics',
];
const BROKER_FORMS: readonly (readonly [string, number])[] = [
  ['B.V.', 95],
  ['N.V.', 5],
];

/** [city, postcode prefix, weight for importers, weight for declarants]. */
const CITIES: readonly (readonly [string, string, number, number])[] = [
  ['Rotterdam', '30', 14, 30],
  ['Amsterdam', '10', 14, 8],
  ['Schiphol', '111', 2, 18],
  ['Venlo', '59', 4, 8],
  ['Moerdijk', '478', 1, 5],
  ['Vlissingen', '438', 1, 3],
  ['Eindhoven', '56', 6, 3],
  ['Tilburg', '50', 5, 4],
  ['Utrecht', '35', 7, 2],
  ['Den Haag', '25', 5, 1],
  ['Breda', '48', 4, 2],
  ['Nijmegen', '65', 3, 1],
  ['Groningen', '97', 3, 2],
  ['Zwolle', '80', 3, 1],
  ['Almere', '13', 3, 1],
  ['Barendrecht', '299', 2, 3],
  ['Ridderkerk', '298', 2, 2],
  ['Naaldwijk', '267', 3, 1],
  ['Enschede', '75', 3, 1],
  ['Arnhem', '68', 3, 1],
  ['Dordrecht', '33', 2, 2],
  ['Maastricht', '62', 2, 1],
  ['Haarlemmermeer', '213', 2, 4],
  ['Waalwijk', '514', 2, 2],
];
const STREET_TEMPLATES = ['{s}straat {n}', '{s}weg {n}', '{s}kade {n}', '{s}laan {n}', '{s}plein {n}'];
const STREET_STEMS = [
  'Haven',
  'Industrie',
  'Kerk',
  'Molen',
  'Dok',
  'Stations',
  'Maas',
  'Rijn',
  'Handels',
  'Vaart',
  'Nijverheids',
  'Ambachts',
  'Transport',
  'Energie',
  'Markt',
  'Linden',
  'Beuken',
  'Eiken',
  'Wilhelmina',
  'Oranje',
  'Kanaal',
  'Spoor',
  'Zuid',
  'Noord',
  'Westhaven',
  'Oosthaven',
  'Vliegveld',
  'Cargo',
];

/** The operator for an EORI: a pure function of EORI, role and seed. */
export function kcsOperator(eori: string, role: KcsPartyRole, seed: number = KCS_OPERATOR_SEED): DemoOperator {
  const r = createRandom(`kcs-operator:${seed}:${eori}`);
  const [city, postcodePrefix] = r.weighted(CITIES.map((entry) => [entry, role === 'importer' ? entry[2] : entry[3]] as const));
  const name = role === 'importer' ? importerName(r, city) : brokerName(r, city);
  const street = r
    .pick(STREET_TEMPLATES)
    .replace('{s}', r.pick(STREET_STEMS))
    .replace('{n}', String(r.int(1, 250)));
  // Dutch postcodes: 4 digits, a space, 2 letters (never SA, SD or SS).
  const digits = postcodePrefix + r.digits(4 - postcodePrefix.length);
  let letters: string;
  do letters = letter(r) + letter(r);
  while (letters === 'SA' || letters === 'SD' || letters === 'SS');
  return { eori, name, country: 'NL', address: { street, postcode: `${digits} ${letters}`, city, country: 'NL' } };
}

// Qualifiers widen the name space; Dutch firms add them freely ("Jansen Trading Europe B.V.").
const QUALIFIERS: readonly (readonly [string, number])[] = [
  ['', 30],
  [' Europe', 6],
  [' International', 6],
  [' Nederland', 6],
  [' Benelux', 5],
  [' Holland', 5],
  [' Group', 5],
  [' & Co', 3],
  [' Import Export', 4],
  [' Supplies', 4],
  [' Direct', 3],
  [' Partners', 3],
  [' Solutions', 4],
  [' Company', 3],
  [' Service', 3],
  [' Worldwide', 3],
  [' Trade', 3],
  [' Center', 2],
];

function importerName(r: Random, city: string): string {
  const activity = r.pick(IMPORTER_ACTIVITIES);
  const form = r.weighted(IMPORTER_FORMS);
  const qualifier = r.weighted(QUALIFIERS);
  const style = r.weighted([
    ['surname', 25],
    ['place', 12],
    ['brand', 15],
    ['acronym', 30],
    ['partners', 10],
    ['city', 8],
  ] as const);
  switch (style) {
    case 'surname':
      return `${surname(r)} ${activity}${qualifier} ${form}`;
    case 'place':
      return `${r.pick(PLACES)} ${activity}${qualifier} ${form}`;
    case 'brand':
      return `${r.pick(BRANDS)} ${activity}${qualifier} ${form}`;
    case 'acronym':
      return `${acronym(r)} ${activity}${qualifier} ${form}`;
    case 'partners': {
      const first = r.pick(SURNAMES);
      let second = r.pick(SURNAMES);
      while (second === first) second = r.pick(SURNAMES);
      return `${first} & ${second} ${activity} ${form}`;
    }
    case 'city':
      return `${r.pick(BRANDS)} ${activity} ${city} ${form}`;
  }
}

function brokerName(r: Random, city: string): string {
  const activity = r.pick(BROKER_ACTIVITIES);
  const form = r.weighted(BROKER_FORMS);
  const style = r.weighted([
    ['surname', 35],
    ['place', 15],
    ['brand', 15],
    ['acronym', 20],
    ['city', 15],
  ] as const);
  switch (style) {
    case 'surname':
      return `${surname(r)} ${activity} ${form}`;
    case 'place':
      return `${r.pick(PLACES)} ${activity} ${form}`;
    case 'brand':
      return `${r.pick(BRANDS)} ${activity} ${form}`;
    case 'acronym':
      return `${acronym(r)} ${activity} ${form}`;
    case 'city':
      return `${r.pick(SURNAMES)} ${activity} ${city} ${form}`;
  }
}

/** A family name, half the time with the founder's initial ("J. de Vries"). */
function surname(r: Random): string {
  const name = r.pick(SURNAMES);
  if (r.chance(0.5)) return name;
  // Tussenvoegsels are lower case after an initial: "J. van Dijk", not "J. Van Dijk".
  const lowered = name.replace(/^(De|Van der|Van den|Van) /, (prefix) => prefix.toLowerCase());
  return `${r.pick(INITIALS)}. ${lowered}`;
}

const INITIALS = [...'ABCDEFGHJKLMNPRSTW'];

/** Initials as firms use them ("HBK Trading B.V."): two to four letters. */
function acronym(r: Random): string {
  let out = '';
  const length = r.weighted([
    [2, 20],
    [3, 65],
    [4, 15],
  ] as const);
  for (let i = 0; i < length; i++) out += letter(r);
  return out;
}

function letter(r: Random): string {
  return String.fromCharCode(65 + r.int(0, 25));
}

// ---------------------------------------------------------------------------
// Authorisations

const FIRST_VALID_FROM = toDay('2009-01-01');
const LAST_VALID_FROM = toDay('2019-12-31');
/** The demo's "today", as in the AEO demo data: no status change happens after it. */
const HISTORY_END = toDay('2026-11-01');

const GRANTED = 'Authorisation granted';
const SUSPENSION_REASONS = [
  'Self-assessment questionnaire overdue',
  'Non-compliance with security standards (Art. 39(e) UCC)',
  'Serious infringement of customs legislation (Art. 39(a) UCC)',
  'Deficiencies in the logistical records system (Art. 39(b) UCC)',
  'Monitoring findings not remedied by the deadline',
] as const;
const REVOCATION_REASONS = [
  'Repeated serious infringements of customs legislation (Art. 39(a) UCC)',
  'Cessation of business activity',
  "Revoked at the holder's request",
  'Insolvency proceedings',
] as const;
const ANNULMENT_REASON = 'Granted on the basis of incorrect or incomplete information (Art. 27 UCC)';

/** True when the stable hash of the EORI puts it among the AEO holders of its role. */
export function kcsHoldsAeo(eori: string, role: KcsPartyRole, seed: number = KCS_OPERATOR_SEED): boolean {
  return createRandom(`kcs-aeo:${seed}:${eori}`).next() < KCS_AEO_SHARE[role];
}

function kcsAuthorisation(eori: string, role: KcsPartyRole, seed: number, usedNumbers: Set<string>): DemoAuthorisation | undefined {
  if (!kcsHoldsAeo(eori, role, seed)) return undefined;
  // A second, independent stream for the details, so the holder choice above stays a plain hash.
  const r = createRandom(`kcs-aeo-details:${seed}:${eori}`);
  const type = r.weighted(TYPE_WEIGHTS);
  const status = r.weighted(STATUS_WEIGHTS);
  const start = r.int(FIRST_VALID_FROM, LAST_VALID_FROM);
  const validFrom = fromDay(start);
  const history: DemoStatusChange[] = [{ status: 'VALID', date: validFrom, reason: GRANTED }];
  switch (status) {
    case 'VALID':
      break;
    case 'SUSPENDED':
      // A current suspension is recent: nobody stays suspended for years.
      history.push({ status, date: fromDay(HISTORY_END - r.int(7, 330)), reason: r.pick(SUSPENSION_REASONS) });
      break;
    case 'REVOKED':
      history.push({ status, date: fromDay(r.int(start + 365, HISTORY_END - 30)), reason: r.pick(REVOCATION_REASONS) });
      break;
    case 'ANNULLED':
      history.push({ status, date: fromDay(start + r.int(30, 700)), reason: ANNULMENT_REASON });
      break;
  }

  let serial = Number(r.digits(9));
  let number = aeoNumber(type, serial);
  while (usedNumbers.has(number)) {
    serial = (serial + 1) % 1_000_000_000;
    number = aeoNumber(type, serial);
  }
  usedNumbers.add(number);
  return { number, holder: eori, type, issuingCountry: 'NL', validFrom, history };
}

function aeoNumber(type: AeoType, serial: number): string {
  return `NL${type}9${String(serial).padStart(9, '0')}`;
}

function toDay(iso: string): number {
  return Date.parse(`${iso}T00:00:00Z`) / 86_400_000;
}

function fromDay(day: number): string {
  return new Date(day * 86_400_000).toISOString().slice(0, 10);
}
