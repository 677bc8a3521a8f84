/**
 * Deterministic demo data for the AEO subgraph: economic operators and their AEO authorisations.
 *
 * Everything is drawn from one seeded generator, operator by operator, so a given seed always
 * yields the same data set, and a smaller data set is a prefix of a larger one with the same seed.
 * Proportions: about three quarters of the operators are established in a Member State, some 13%
 * of those hold an AEO authorisation, and most authorisations are AEOF and currently valid.
 */
import { EU_MEMBER_STATES } from '../subgraphs/kit/countries';
import { createRandom, type Random } from '../subgraphs/kit/random';
import type { AeoStatus, AeoType } from '../subgraphs/aeo/models';

// ---------------------------------------------------------------------------
// Public types

export interface DemoAddress {
  street: string;
  postcode: string;
  city: string;
  country: string;
}

export interface DemoOperator {
  eori: string;
  name: string;
  country: string;
  address: DemoAddress;
}

export type { AeoStatus, AeoType };

export interface DemoStatusChange {
  status: AeoStatus;
  /** YYYY-MM-DD */
  date: string;
  reason: string;
}

export interface DemoAuthorisation {
  number: string;
  /** The holder's EORI. */
  holder: string;
  type: AeoType;
  issuingCountry: string;
  /** YYYY-MM-DD */
  validFrom: string;
  /** Starts with VALID on validFrom; the last entry is the current status. */
  history: DemoStatusChange[];
}

export interface AeoDemoData {
  operators: DemoOperator[];
  authorisations: DemoAuthorisation[];
}

export interface AeoDemoOptions {
  seed?: number;
  operators?: number;
}

export type ShowcaseRole = 'validAeof' | 'suspended' | 'noAuthorisation' | 'thirdCountry';

/**
 * Operators that README examples and tests can cite: a German AEOF holder, a Dutch holder whose
 * AEOF is suspended (it replaced an earlier AEOS), a French operator without authorisation and a
 * Chinese operator. They are what `showcaseOperators` picks from the default data set; a unit test
 * keeps the two in step.
 */
export const DEMO_SHOWCASE_EORIS: Readonly<Record<ShowcaseRole, string>> = Object.freeze({
  validAeof: 'DE7737584',
  suspended: 'NL164949388',
  noAuthorisation: 'FR02353098004796',
  thirdCountry: 'CN620595026036',
});

// ---------------------------------------------------------------------------
// Proportions

const DEFAULT_SEED = 20261126;
const DEFAULT_OPERATORS = 3000;

const THIRD_COUNTRY_SHARE = 0.25;
/** Share of EU-established operators that hold an AEO authorisation. */
const HOLDER_SHARE = 0.13;
/** Share of AEOF holders who held an AEOC or AEOS before and gave it up for the AEOF. */
const UPGRADE_SHARE = 0.08;

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

const FIRST_VALID_FROM = toDay('2009-01-01');
const LAST_VALID_FROM = toDay('2025-12-31');
/** The demo's "today": no status change happens after it. */
const HISTORY_END = toDay('2026-11-01');

// ---------------------------------------------------------------------------
// Status reasons

const GRANTED = 'Authorisation granted';
// Each suspension reason with the reason recorded when the suspension is lifted again.
const SUSPENSIONS = [
  ['Self-assessment questionnaire overdue', 'Suspension lifted: outstanding questionnaire received and assessed'],
  ['Non-compliance with security standards (Art. 39(e) UCC)', 'Suspension lifted after remediation'],
  ['Serious infringement of customs legislation (Art. 39(a) UCC)', 'Suspension lifted: corrective measures accepted'],
  ['Deficiencies in the logistical records system (Art. 39(b) UCC)', 'Suspension lifted: corrective measures verified on site'],
  ['Financial solvency in doubt (Art. 39(c) UCC)', 'Suspension lifted: solvency demonstrated'],
  ['Monitoring findings not remedied by the deadline', 'Suspension lifted: findings remedied'],
] as const;
const REVOCATION_REASONS = [
  'Insolvency proceedings',
  'Repeated serious infringements of customs legislation (Art. 39(a) UCC)',
  'Cessation of business activity',
  "Revoked at the holder's request",
  'Holder no longer established in the customs territory of the Union',
] as const;
const REVOCATION_AFTER_SUSPENSION = 'Conditions not restored within the suspension period';
const ANNULMENT_REASON = 'Granted on the basis of incorrect or incomplete information (Art. 27 UCC)';
const UPGRADE_REASON = "Revoked at the holder's request: replaced by an AEOF authorisation";

// ---------------------------------------------------------------------------
// Word lists

type Weighted<T> = readonly (readonly [T, number])[];
type Lang = 'en' | 'asia' | 'de' | 'nl' | 'fr' | 'it' | 'es' | 'pt' | 'pl';

const INDUSTRIES: Readonly<Record<Lang, readonly string[]>> = {
  en: [
    'Logistics',
    'Trading',
    'Electronics',
    'Foods',
    'Textiles',
    'Machinery',
    'Chemicals',
    'Components',
    'Freight',
    'Cold Chain',
    'Auto Parts',
    'Pharma',
    'Steel',
    'Packaging',
    'Distribution',
    'Industries',
    'Technologies',
    'Apparel',
    'Furniture',
    'Marine Supplies',
    'Agri Products',
    'Plastics',
  ],
  asia: [
    'Electronics',
    'Textiles',
    'Garments',
    'Hardware',
    'Machinery',
    'Optoelectronics',
    'Import & Export',
    'Precision Industry',
    'New Materials',
    'Lighting',
    'Furniture',
    'Plastics',
    'Auto Parts',
    'Trading',
    'Technology',
  ],
  de: [
    'Logistik',
    'Spedition',
    'Maschinenbau',
    'Handel',
    'Elektronik',
    'Chemie',
    'Lebensmittel',
    'Textil',
    'Metallwerke',
    'Kunststofftechnik',
    'Autoteile',
    'Außenhandel',
    'Verpackung',
    'Stahlhandel',
    'Pharma',
    'Armaturen',
  ],
  nl: ['Logistiek', 'Transport', 'Handelsmaatschappij', 'Expeditie', 'Bloemen', 'Distributie', 'Opslag', 'Cold Chain', 'Shipping', 'Agro'],
  fr: [
    'Transports',
    'Logistique',
    'Textiles',
    'Négoce',
    'Industries',
    'Agroalimentaire',
    'Chimie',
    'Emballages',
    'Vins et Spiritueux',
    'Cosmétiques',
    'Mécanique',
    'Distribution',
    'Import Export',
  ],
  it: [
    'Logistica',
    'Trasporti',
    'Meccanica',
    'Alimentari',
    'Tessile',
    'Chimica',
    'Ceramiche',
    'Arredamenti',
    'Calzature',
    'Acciai',
    'Imballaggi',
    'Commerciale',
    'Import Export',
  ],
  es: [
    'Logística',
    'Transportes',
    'Alimentación',
    'Textil',
    'Importaciones',
    'Comercial',
    'Química',
    'Cerámica',
    'Maquinaria',
    'Componentes',
    'Distribución',
    'Frutas',
  ],
  pt: ['Logística', 'Transportes', 'Têxteis', 'Comércio', 'Cortiças', 'Calçado', 'Alimentar', 'Importação e Exportação', 'Vinhos'],
  pl: ['Logistyka', 'Transport', 'Handel', 'Spedycja', 'Elektronika', 'Meble', 'Chemia', 'Stal', 'Opakowania', 'Import-Eksport', 'Części Samochodowe'],
};

// Romance-language firms usually put the activity first: "Transports Durand", not "Durand Transports".
const ACTIVITY_FIRST: ReadonlySet<Lang> = new Set(['fr', 'it', 'es', 'pt']);

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
  'Delta',
  'Sigma',
  'Apex',
  'Cobalt',
  'Primus',
  'Optima',
  'Titan',
  'Solaris',
  'Vega',
  'Aquila',
  'Nexus',
  'Omega',
  'Pioneer',
  'Fortis',
  'Astra',
  'Cardinal',
  'Falcon',
  'Horizon',
  'Summit',
  'Trident',
  'Unitas',
] as const;

// The "Bright" in "Shenzhen Bright Electronics": how Chinese, Taiwanese and Vietnamese firms style English names.
const ASIA_WORDS = [
  'Bright',
  'Golden',
  'Great Wall',
  'Sunrise',
  'Everbright',
  'Prosperity',
  'Harmony',
  'Jade',
  'Dragon',
  'Oriental',
  'Evergreen',
  'Fortune',
  'Rising Star',
  'Grand Ocean',
  'Silver Bay',
  'Unity',
] as const;

/** `{s}` is a stem, `{n}` a house number, `{m}` a small number (Japanese blocks). */
interface StreetSpec {
  templates: readonly string[];
  stems: readonly string[];
}

const STREETS = {
  de: {
    templates: ['{s}straße {n}', '{s}weg {n}', '{s}allee {n}'],
    stems: ['Haupt', 'Industrie', 'Hafen', 'Bahnhof', 'Linden', 'Gewerbe', 'Schiller', 'Mühlen', 'Kanal', 'Lager', 'Post'],
  },
  nl: {
    templates: ['{s}straat {n}', '{s}weg {n}', '{s}kade {n}'],
    stems: ['Haven', 'Industrie', 'Kerk', 'Molen', 'Dok', 'Stations', 'Maas', 'Rijn', 'Handels', 'Vaart'],
  },
  fr: {
    templates: ['{n} rue {s}', '{n} avenue {s}', '{n} boulevard {s}'],
    stems: [
      'de la République',
      'du Port',
      'Victor Hugo',
      "de l'Industrie",
      'Jean Jaurès',
      'Pasteur',
      'des Entrepreneurs',
      'de la Gare',
      'Gambetta',
      'du Général de Gaulle',
    ],
  },
  it: {
    templates: ['Via {s} {n}', 'Viale {s} {n}', 'Corso {s} {n}'],
    stems: ['Roma', 'Garibaldi', "dell'Industria", 'Mazzini', 'del Porto', 'Verdi', 'Cavour', "dell'Artigianato", 'Vittorio Emanuele', 'dei Mille'],
  },
  es: {
    templates: ['Calle {s}, {n}', 'Avenida {s}, {n}'],
    stems: ['Mayor', 'del Puerto', 'de la Industria', 'Real', 'de Colón', 'San Vicente', 'de Andalucía', 'del Comercio'],
  },
  pt: {
    templates: ['Rua {s}, {n}', 'Avenida {s}, {n}'],
    stems: ['do Porto', 'da Indústria', 'Augusta', 'da Liberdade', 'do Comércio', 'da República', 'dos Descobrimentos'],
  },
  pl: { templates: ['ul. {s} {n}'], stems: ['Przemysłowa', 'Portowa', 'Długa', 'Kolejowa', 'Magazynowa', 'Polna', 'Składowa', 'Marszałkowska'] },
  en: {
    templates: ['{n} {s} Road', '{n} {s} Street', '{n} {s} Way', 'Unit {n}, {s} Park'],
    stems: ['Harbour', 'Station', 'Mill', 'Dock', 'King', 'Church', 'Bridge', 'Commerce', 'Riverside', 'Enterprise'],
  },
  us: {
    templates: ['{n} {s} Street', '{n} {s} Avenue', '{n} {s} Boulevard', '{n} {s} Drive'],
    stems: ['Commerce', 'Harbor', 'Industrial', 'Park', 'Lincoln', 'Washington', 'Airport', 'Main', 'Gateway'],
  },
  sv: { templates: ['{s}gatan {n}', '{s}vägen {n}'], stems: ['Hamn', 'Industri', 'Kungs', 'Stor', 'Drottning', 'Fabriks', 'Lager', 'Järnvägs'] },
  da: { templates: ['{s}vej {n}', '{s}gade {n}'], stems: ['Havne', 'Industri', 'Kongens', 'Stations', 'Fabriks', 'Lager'] },
  fi: { templates: ['{s}katu {n}', '{s}tie {n}'], stems: ['Satama', 'Teollisuus', 'Asema', 'Kauppa', 'Tehdas', 'Varasto'] },
  no: { templates: ['{s}veien {n}', '{s}gata {n}'], stems: ['Havne', 'Industri', 'Strand', 'Kongens', 'Stasjons', 'Fabrikk'] },
  cs: { templates: ['{s} {n}'], stems: ['Průmyslová', 'Nádražní', 'Skladová', 'Hlavní', 'Dopravní', 'Obchodní'] },
  sk: { templates: ['{s} {n}'], stems: ['Priemyselná', 'Hlavná', 'Prístavná', 'Skladová', 'Dopravná', 'Železničná'] },
  hu: { templates: ['{s} utca {n}', '{s} út {n}'], stems: ['Fő', 'Ipar', 'Kossuth Lajos', 'Petőfi Sándor', 'Raktár', 'Vasút'] },
  ro: { templates: ['Strada {s} {n}', 'Bulevardul {s} {n}'], stems: ['Industriilor', 'Portului', 'Victoriei', 'Libertății', 'Gării', 'Unirii'] },
  el: { templates: ['{s} {n}'], stems: ['Ermou', 'Akti Miaouli', 'Egnatia', 'Vasilissis Sofias', 'Tsimiski', 'Kifisias', 'Makariou'] },
  hr: { templates: ['{s} {n}'], stems: ['Ulica grada Vukovara', 'Industrijska ulica', 'Savska cesta', 'Lučka ulica', 'Zagrebačka avenija'] },
  sl: { templates: ['{s} {n}'], stems: ['Tržaška cesta', 'Celovška cesta', 'Industrijska ulica', 'Šmartinska cesta', 'Pristaniška ulica'] },
  bg: { templates: ['ul. {s} {n}', 'bul. {s} {n}'], stems: ['Industrialna', 'Tsar Osvoboditel', 'Vitosha', 'Bulgaria', 'Pristanishtna', 'Rakovski'] },
  lt: { templates: ['{s} g. {n}'], stems: ['Gedimino', 'Pramonės', 'Uosto', 'Savanorių', 'Laisvės', 'Sandėlių'] },
  lv: { templates: ['{s} iela {n}'], stems: ['Brīvības', 'Krasta', 'Rūpniecības', 'Ostas', 'Dzirnavu', 'Maskavas'] },
  et: { templates: ['{s} {n}'], stems: ['Sadama', 'Tööstuse', 'Laki', 'Pärnu mnt', 'Peterburi tee', 'Betooni'] },
  mt: { templates: ['{n}, Triq {s}'], stems: ['il-Kbira', 'il-Port', 'l-Industrija', 'San Pawl', 'ir-Repubblika'] },
  cn: {
    templates: ['No. {n} {s} Road', 'No. {n} {s} Avenue'],
    stems: ['Keji South', 'Renmin', 'Zhongshan', 'Jiefang', 'Binhai', 'Gangcheng', 'Huaxia', 'Changjiang'],
  },
  jp: { templates: ['{m}-{m}-{m} {s}'], stems: ['Minato', 'Nishi', 'Naka', 'Higashi', 'Kita', 'Chuo', 'Kaigan'] },
  kr: { templates: ['{n} {s}-ro'], stems: ['Teheran', 'Jungang', 'Haeun', 'Sejong', 'Chungmu', 'Gangnam'] },
  tr: { templates: ['{s} Cad. No:{n}', '{s} Sok. No:{n}'], stems: ['Atatürk', 'Cumhuriyet', 'İstiklal', 'Liman', 'Sanayi', 'Gazi'] },
  in: {
    templates: ['Plot {n}, {s}'],
    stems: ['MIDC Industrial Area', 'Andheri East', 'Guindy Industrial Estate', 'Peenya Industrial Area', 'Okhla Phase II', 'Naroda GIDC'],
  },
  vn: { templates: ['{n} {s} Street'], stems: ['Nguyễn Huệ', 'Lê Lợi', 'Trần Hưng Đạo', 'Điện Biên Phủ', 'Hai Bà Trưng', 'Lý Thường Kiệt'] },
  tw: { templates: ['No. {n}, {s} Rd.'], stems: ['Zhongshan', 'Minsheng', 'Chenggong', 'Zhonghua', 'Jianguo', 'Heping'] },
  sg: { templates: ['{n} {s}'], stems: ['Jurong Port Road', 'Tuas Avenue 3', 'Pioneer Road', 'Changi South Lane', 'Kallang Way', 'Ubi Avenue 1'] },
  br: { templates: ['Rua {s}, {n}', 'Avenida {s}, {n}'], stems: ['das Indústrias', 'do Porto', 'XV de Novembro', 'Sete de Setembro', 'Brasil', 'dos Estados'] },
  ua: { templates: ['vul. {s}, {n}'], stems: ['Khreshchatyk', 'Promyslova', 'Portova', 'Shevchenka', 'Sadova'] },
  ma: { templates: ['{n} {s}'], stems: ['Boulevard Mohammed V', 'Rue Ibn Batouta', 'Avenue Hassan II', 'Boulevard Zerktouni', 'Zone Industrielle'] },
} as const satisfies Record<string, StreetSpec>;

type StreetKey = keyof typeof STREETS;

/** Name language, street style and legal forms: per country, or per city in multilingual BE and CH. */
interface Locale {
  lang: Lang;
  street: StreetKey;
  forms: Weighted<string>;
}

/**
 * [city, postcode]. The postcode is either a prefix that the country pattern completes, or a
 * whole template when it contains placeholders: `#` digit, `@` letter, `?` letter or digit.
 */
type City = readonly [name: string, postcode: string, locale?: Locale];

interface CountryProfile {
  /** Relative share of operators, roughly by trade volume. */
  weight: number;
  locale: Locale;
  postcode: string;
  cities: readonly City[];
  /** Family names, or house names where firms are named that way (CN, TW, VN, KR). */
  names: readonly string[];
  /** Regions, rivers and seas that firms name themselves after. */
  places: readonly string[];
  /** The EORI after the country prefix, shaped like the national identifier it derives from. */
  eori(r: Random, form: string): string;
}

const BE_FR: Locale = {
  lang: 'fr',
  street: 'fr',
  forms: [
    ['SRL', 70],
    ['SA', 30],
  ],
};
const CH_FR: Locale = {
  lang: 'fr',
  street: 'fr',
  forms: [
    ['SA', 65],
    ['Sàrl', 35],
  ],
};
const CH_IT: Locale = {
  lang: 'it',
  street: 'it',
  forms: [
    ['SA', 70],
    ['Sagl', 30],
  ],
};

// Firms in smaller markets mostly trade under English-language names; their streets stay local.
const englishNames = (street: StreetKey, forms: Weighted<string>): Locale => ({ lang: 'en', street, forms });

const PROFILES: Readonly<Record<string, CountryProfile>> = {
  // EU Member States
  DE: {
    weight: 20,
    locale: {
      lang: 'de',
      street: 'de',
      forms: [
        ['GmbH', 60],
        ['GmbH & Co. KG', 18],
        ['AG', 8],
        ['KG', 6],
        ['e.K.', 6],
        ['SE', 2],
      ],
    },
    postcode: '#####',
    cities: [
      ['Hamburg', '20'],
      ['Bremen', '28'],
      ['Bremerhaven', '275'],
      ['München', '80'],
      ['Frankfurt am Main', '60'],
      ['Köln', '50'],
      ['Düsseldorf', '40'],
      ['Stuttgart', '70'],
      ['Duisburg', '47'],
      ['Leipzig', '04'],
      ['Nürnberg', '90'],
      ['Hannover', '30'],
      ['Berlin', '1'],
      ['Mannheim', '68'],
      ['Dortmund', '44'],
    ],
    names: [
      'Müller',
      'Schmidt',
      'Schneider',
      'Fischer',
      'Weber',
      'Meyer',
      'Wagner',
      'Becker',
      'Hoffmann',
      'Schulz',
      'Koch',
      'Richter',
      'Brandt',
      'Krüger',
      'Vogel',
    ],
    places: ['Hanseatic', 'Rhein', 'Elbe', 'Nordsee', 'Weser', 'Main', 'Ostsee', 'Schwarzwald', 'Hamburg', 'Ruhr'],
    // German EORIs: DE + up to 15 digits; older ones carry the 7-digit customs number.
    eori: (r) => (r.chance(0.3) ? r.digits(7) : r.digits(r.int(12, 15))),
  },
  NL: {
    weight: 13,
    locale: {
      lang: 'nl',
      street: 'nl',
      forms: [
        ['B.V.', 92],
        ['N.V.', 8],
      ],
    },
    postcode: '#### @@',
    cities: [
      ['Rotterdam', '30'],
      ['Amsterdam', '10'],
      ['Venlo', '59'],
      ['Eindhoven', '56'],
      ['Tilburg', '50'],
      ['Utrecht', '35'],
      ['Schiphol', '111'],
      ['Moerdijk', '478'],
      ['Groningen', '97'],
      ['Zwolle', '80'],
    ],
    names: ['De Jong', 'Jansen', 'De Vries', 'Van den Berg', 'Van Dijk', 'Bakker', 'Visser', 'Smit', 'Meijer', 'De Boer', 'Mulder', 'Vermeulen'],
    places: ['Rotterdam', 'Holland', 'Maas', 'Delta', 'Schiphol', 'Waal', 'Noordzee', 'Brabant', 'Zeeland', 'Venlo'],
    eori: (r) => r.digits(9), // RSIN
  },
  FR: {
    weight: 11,
    locale: {
      lang: 'fr',
      street: 'fr',
      forms: [
        ['SAS', 60],
        ['SARL', 25],
        ['SA', 15],
      ],
    },
    postcode: '#####',
    cities: [
      ['Paris', '75'],
      ['Lyon', '69'],
      ['Marseille', '13'],
      ['Le Havre', '76'],
      ['Lille', '59'],
      ['Toulouse', '31'],
      ['Bordeaux', '33'],
      ['Strasbourg', '67'],
      ['Nantes', '44'],
      ['Roissy-en-France', '95700'],
    ],
    names: ['Martin', 'Bernard', 'Dubois', 'Durand', 'Lefèvre', 'Moreau', 'Laurent', 'Girard', 'Roux', 'Fournier', 'Mercier', 'Blanc'],
    places: ['Lyon', 'Atlantique', 'Provence', 'Normandie', 'Alsace', 'Bretagne', 'Rhône', 'Méditerranée', 'Loire'],
    eori: (r) => r.digits(14), // SIRET: SIREN (9) + establishment (5)
  },
  IT: {
    weight: 10,
    locale: {
      lang: 'it',
      street: 'it',
      forms: [
        ['S.r.l.', 75],
        ['S.p.A.', 25],
      ],
    },
    postcode: '#####',
    cities: [
      ['Milano', '20'],
      ['Torino', '10'],
      ['Genova', '16'],
      ['Bologna', '40'],
      ['Napoli', '80'],
      ['Verona', '37'],
      ['La Spezia', '191'],
      ['Trieste', '341'],
      ['Firenze', '50'],
      ['Roma', '00'],
    ],
    names: ['Rossi', 'Russo', 'Ferrari', 'Esposito', 'Bianchi', 'Romano', 'Colombo', 'Ricci', 'Marino', 'Greco', 'Bruno', 'Galli', 'Conti'],
    places: ['Milano', 'Adriatico', 'Tirreno', 'Brianza', 'Toscana', 'Veneto', 'Emilia', 'Liguria', 'Padana'],
    eori: (r) => r.digits(11), // partita IVA
  },
  BE: {
    weight: 8,
    locale: {
      lang: 'nl',
      street: 'nl',
      forms: [
        ['BV', 75],
        ['NV', 25],
      ],
    },
    postcode: '####',
    cities: [
      ['Antwerpen', '20'],
      ['Gent', '90'],
      ['Brugge', '80'],
      ['Mechelen', '28'],
      ['Hasselt', '35'],
      ['Bruxelles', '10', BE_FR],
      ['Liège', '40', BE_FR],
      ['Charleroi', '60', BE_FR],
      ['Mons', '70', BE_FR],
    ],
    names: ['Peeters', 'Janssens', 'Maes', 'Jacobs', 'Mertens', 'Willems', 'Claes', 'Dubois', 'Lambert', 'Dupont'],
    places: ['Antwerp', 'Vlaanderen', 'Schelde', 'Brabant', 'Kempen', 'Benelux', 'Ardennes', 'Meuse'],
    eori: (r) => `0${r.digits(9)}`, // enterprise number
  },
  ES: {
    weight: 7,
    locale: {
      lang: 'es',
      street: 'es',
      forms: [
        ['S.L.', 80],
        ['S.A.', 20],
      ],
    },
    postcode: '#####',
    cities: [
      ['Madrid', '28'],
      ['Barcelona', '08'],
      ['Valencia', '46'],
      ['Algeciras', '112'],
      ['Bilbao', '48'],
      ['Zaragoza', '50'],
      ['Sevilla', '41'],
      ['Málaga', '29'],
    ],
    names: ['García', 'Fernández', 'González', 'Rodríguez', 'López', 'Martínez', 'Sánchez', 'Pérez', 'Navarro', 'Ruiz'],
    places: ['Ibérica', 'Levante', 'Mediterráneo', 'Cantábrico', 'Atlántico', 'Castilla', 'Galicia', 'Andalucía'],
    // NIF: the letter gives the legal form, A for a sociedad anónima, B for a limitada.
    eori: (r, form) => `${form === 'S.A.' ? 'A' : 'B'}${r.digits(8)}`,
  },
  PL: {
    weight: 6,
    locale: {
      lang: 'pl',
      street: 'pl',
      forms: [
        ['sp. z o.o.', 85],
        ['S.A.', 15],
      ],
    },
    postcode: '##-###',
    cities: [
      ['Warszawa', '0'],
      ['Łódź', '9'],
      ['Poznań', '6'],
      ['Gdańsk', '80'],
      ['Gdynia', '81'],
      ['Kraków', '3'],
      ['Wrocław', '5'],
      ['Katowice', '40'],
      ['Szczecin', '7'],
    ],
    names: ['Nowak', 'Kowalski', 'Wiśniewski', 'Wójcik', 'Kowalczyk', 'Kamiński', 'Lewandowski', 'Zieliński', 'Szymański', 'Woźniak'],
    places: ['Baltic', 'Wisła', 'Mazowsze', 'Pomorze', 'Śląsk', 'Warta', 'Odra', 'Karpaty'],
    eori: (r) => `${r.digits(10)}00000`, // NIP padded with five zeros
  },
  AT: {
    weight: 3,
    locale: {
      lang: 'de',
      street: 'de',
      forms: [
        ['GmbH', 75],
        ['GmbH & Co KG', 15],
        ['AG', 10],
      ],
    },
    postcode: '####',
    cities: [
      ['Wien', '1'],
      ['Linz', '40'],
      ['Graz', '80'],
      ['Salzburg', '50'],
      ['Innsbruck', '60'],
      ['Wels', '46'],
    ],
    names: ['Gruber', 'Huber', 'Bauer', 'Pichler', 'Steiner', 'Moser', 'Mayer', 'Hofer', 'Leitner'],
    places: ['Donau', 'Alpen', 'Tirol', 'Wien', 'Steiermark', 'Salzach', 'Kärnten'],
    eori: (r) => `EOS${r.digits(10)}`,
  },
  SE: {
    weight: 3,
    locale: englishNames('sv', [['AB', 1]]),
    postcode: '### ##',
    cities: [
      ['Stockholm', '1'],
      ['Göteborg', '4'],
      ['Malmö', '2'],
      ['Helsingborg', '25'],
      ['Jönköping', '55'],
      ['Norrköping', '60'],
    ],
    names: ['Andersson', 'Johansson', 'Karlsson', 'Nilsson', 'Eriksson', 'Larsson', 'Olsson', 'Persson', 'Lindqvist'],
    places: ['Nordic', 'Scandia', 'Göta', 'Norrland', 'Skåne', 'Baltic'],
    eori: (r) => `556${r.digits(7)}`, // organisation number of an aktiebolag
  },
  IE: {
    weight: 3,
    locale: englishNames('en', [
      ['Limited', 50],
      ['Ltd', 35],
      ['DAC', 15],
    ]),
    postcode: '@## ????',
    cities: [
      ['Dublin', 'D02 ????'],
      ['Dublin', 'D11 ????'],
      ['Cork', 'T12 ????'],
      ['Limerick', 'V94 ????'],
      ['Galway', 'H91 ????'],
      ['Waterford', 'X91 ????'],
      ['Shannon', 'V14 ????'],
    ],
    names: ['Murphy', 'Kelly', "O'Sullivan", 'Walsh', "O'Brien", 'Byrne', 'Ryan', 'Fitzgerald', 'Doyle'],
    places: ['Atlantic', 'Shannon', 'Celtic', 'Emerald', 'Liffey', 'Munster', 'Leinster'],
    eori: (r) => `${r.digits(7)}${letters(r, r.int(1, 2))}`, // VAT number
  },
  CZ: {
    weight: 2.5,
    locale: englishNames('cs', [
      ['s.r.o.', 80],
      ['a.s.', 20],
    ]),
    postcode: '### ##',
    cities: [
      ['Praha', '1'],
      ['Brno', '6'],
      ['Ostrava', '70'],
      ['Plzeň', '30'],
      ['Pardubice', '53'],
    ],
    names: ['Novák', 'Svoboda', 'Dvořák', 'Černý', 'Procházka', 'Kučera', 'Veselý', 'Horák'],
    places: ['Bohemia', 'Morava', 'Vltava', 'Labe', 'Praha', 'Krkonoše'],
    eori: (r) => r.digits(8), // IČO
  },
  DK: {
    weight: 2,
    locale: englishNames('da', [
      ['A/S', 55],
      ['ApS', 45],
    ]),
    postcode: '####',
    cities: [
      ['København', '1'],
      ['Aarhus', '8'],
      ['Odense', '50'],
      ['Aalborg', '90'],
      ['Esbjerg', '67'],
    ],
    names: ['Jensen', 'Nielsen', 'Hansen', 'Pedersen', 'Andersen', 'Christensen', 'Larsen', 'Sørensen'],
    places: ['Nordic', 'Jylland', 'Øresund', 'Fyn', 'Danica'],
    eori: (r) => r.digits(8), // CVR
  },
  HU: {
    weight: 2,
    locale: englishNames('hu', [
      ['Kft.', 80],
      ['Zrt.', 20],
    ]),
    postcode: '####',
    cities: [
      ['Budapest', '1'],
      ['Debrecen', '40'],
      ['Győr', '90'],
      ['Szeged', '67'],
      ['Miskolc', '35'],
    ],
    names: ['Nagy', 'Kovács', 'Tóth', 'Szabó', 'Horváth', 'Varga', 'Kiss', 'Molnár'],
    places: ['Duna', 'Pannon', 'Tisza', 'Balaton', 'Mátra', 'Alföld'],
    eori: (r) => r.digits(10),
  },
  FI: {
    weight: 1.5,
    locale: englishNames('fi', [
      ['Oy', 90],
      ['Oyj', 10],
    ]),
    postcode: '#####',
    cities: [
      ['Helsinki', '00'],
      ['Vantaa', '01'],
      ['Espoo', '02'],
      ['Tampere', '33'],
      ['Turku', '20'],
      ['Oulu', '90'],
      ['Kotka', '48'],
    ],
    names: ['Korhonen', 'Virtanen', 'Mäkinen', 'Nieminen', 'Mäkelä', 'Hämäläinen', 'Laine', 'Heikkinen'],
    places: ['Nordic', 'Suomi', 'Saimaa', 'Pohjola', 'Arctic', 'Botnia'],
    eori: (r) => r.digits(8), // business ID without the hyphen
  },
  PT: {
    weight: 1.5,
    locale: {
      lang: 'pt',
      street: 'pt',
      forms: [
        ['Lda.', 75],
        ['S.A.', 25],
      ],
    },
    postcode: '####-###',
    cities: [
      ['Lisboa', '1'],
      ['Porto', '4'],
      ['Matosinhos', '445'],
      ['Sines', '752'],
      ['Aveiro', '38'],
      ['Braga', '47'],
    ],
    names: ['Silva', 'Santos', 'Ferreira', 'Pereira', 'Oliveira', 'Costa', 'Rodrigues', 'Martins', 'Sousa'],
    places: ['Atlântico', 'Lusitânia', 'Douro', 'Tejo', 'Minho', 'Algarve'],
    eori: (r) => `5${r.digits(8)}`, // NIPC of a company
  },
  RO: {
    weight: 1.5,
    locale: englishNames('ro', [
      ['S.R.L.', 85],
      ['S.A.', 15],
    ]),
    postcode: '######',
    cities: [
      ['București', '0'],
      ['Constanța', '90'],
      ['Cluj-Napoca', '40'],
      ['Timișoara', '30'],
      ['Brașov', '50'],
      ['Iași', '70'],
    ],
    names: ['Popescu', 'Ionescu', 'Popa', 'Dumitrescu', 'Stan', 'Stoica', 'Constantinescu', 'Marin'],
    places: ['Carpathian', 'Dunărea', 'Transilvania', 'Dobrogea', 'Banat'],
    eori: (r) => r.digits(r.int(6, 8)), // CUI
  },
  GR: {
    weight: 1.5,
    locale: englishNames('el', [
      ['S.A.', 55],
      ['I.K.E.', 30],
      ['E.P.E.', 15],
    ]),
    postcode: '### ##',
    cities: [
      ['Athina', '1'],
      ['Peiraias', '18'],
      ['Thessaloniki', '54'],
      ['Patra', '26'],
      ['Irakleio', '71'],
    ],
    names: ['Papadopoulos', 'Georgiou', 'Nikolaidis', 'Papadakis', 'Vlachos', 'Antoniou', 'Karagiannis', 'Oikonomou'],
    places: ['Hellenic', 'Aegean', 'Attica', 'Ionian', 'Olympus', 'Crete'],
    eori: (r) => r.digits(9), // AFM
  },
  SK: {
    weight: 1,
    locale: englishNames('sk', [
      ['s.r.o.', 85],
      ['a.s.', 15],
    ]),
    postcode: '### ##',
    cities: [
      ['Bratislava', '8'],
      ['Košice', '04'],
      ['Žilina', '01'],
      ['Nitra', '94'],
    ],
    names: ['Kováč', 'Baláž', 'Novák', 'Kollár', 'Hudák', 'Lukáč', 'Varga'],
    places: ['Tatra', 'Danubia', 'Váh', 'Fatra'],
    eori: (r) => r.digits(10),
  },
  SI: {
    weight: 1,
    locale: englishNames('sl', [
      ['d.o.o.', 85],
      ['d.d.', 15],
    ]),
    postcode: '####',
    cities: [
      ['Ljubljana', '1'],
      ['Koper', '6'],
      ['Maribor', '2'],
      ['Celje', '3'],
    ],
    names: ['Novak', 'Horvat', 'Kovačič', 'Krajnc', 'Zupančič', 'Potočnik', 'Mlakar'],
    places: ['Adria', 'Alpe', 'Sava', 'Kras', 'Triglav', 'Drava'],
    eori: (r) => r.digits(8),
  },
  BG: {
    weight: 1,
    locale: englishNames('bg', [
      ['EOOD', 45],
      ['OOD', 40],
      ['AD', 15],
    ]),
    postcode: '####',
    cities: [
      ['Sofia', '1'],
      ['Plovdiv', '40'],
      ['Varna', '90'],
      ['Burgas', '80'],
      ['Ruse', '70'],
    ],
    names: ['Ivanov', 'Georgiev', 'Dimitrov', 'Petrov', 'Nikolov', 'Stoyanov', 'Todorov'],
    places: ['Balkan', 'Trakia', 'Dunav', 'Rodopi', 'Black Sea', 'Pirin'],
    eori: (r) => r.digits(9), // UIC (EIK)
  },
  LT: {
    weight: 0.8,
    locale: englishNames('lt', [
      ['UAB', 90],
      ['AB', 10],
    ]),
    postcode: 'LT-#####',
    cities: [
      ['Vilnius', 'LT-0'],
      ['Kaunas', 'LT-4'],
      ['Klaipėda', 'LT-9'],
    ],
    names: ['Kazlauskas', 'Jankauskas', 'Petrauskas', 'Stankevičius', 'Vasiliauskas', 'Žukauskas', 'Butkus'],
    places: ['Baltic', 'Nemunas', 'Neris', 'Amber', 'Lietuva'],
    eori: (r) => `${r.int(1, 3)}${r.digits(8)}`, // legal entity code
  },
  HR: {
    weight: 0.6,
    locale: englishNames('hr', [
      ['d.o.o.', 85],
      ['d.d.', 15],
    ]),
    postcode: '#####',
    cities: [
      ['Zagreb', '10'],
      ['Split', '21'],
      ['Rijeka', '51'],
      ['Osijek', '31'],
    ],
    names: ['Horvat', 'Kovačević', 'Babić', 'Marić', 'Jurić', 'Knežević', 'Vuković'],
    places: ['Adriatic', 'Jadran', 'Dalmacija', 'Slavonija', 'Istra', 'Sava'],
    eori: (r) => r.digits(11), // OIB
  },
  LU: {
    weight: 0.5,
    locale: {
      lang: 'fr',
      street: 'fr',
      forms: [
        ['S.à r.l.', 70],
        ['S.A.', 30],
      ],
    },
    postcode: 'L-####',
    cities: [
      ['Luxembourg', 'L-1'],
      ['Esch-sur-Alzette', 'L-4'],
      ['Bettembourg', 'L-32'],
      ['Contern', 'L-53'],
    ],
    names: ['Schmit', 'Muller', 'Weber', 'Hoffmann', 'Wagner', 'Thill', 'Kieffer', 'Reuter'],
    places: ['Moselle', 'Benelux', 'Alzette', 'Ardennes'],
    eori: (r) => r.digits(8),
  },
  LV: {
    weight: 0.4,
    locale: englishNames('lv', [
      ['SIA', 90],
      ['AS', 10],
    ]),
    postcode: 'LV-####',
    cities: [
      ['Rīga', 'LV-10'],
      ['Liepāja', 'LV-34'],
      ['Ventspils', 'LV-36'],
      ['Daugavpils', 'LV-54'],
    ],
    names: ['Bērziņš', 'Kalniņš', 'Ozoliņš', 'Jansons', 'Liepiņš', 'Krūmiņš', 'Balodis'],
    places: ['Baltic', 'Daugava', 'Amber', 'Kurzeme', 'Gauja'],
    eori: (r) => `4000${r.digits(7)}`, // registration number of a company
  },
  EE: {
    weight: 0.4,
    locale: englishNames('et', [
      ['OÜ', 80],
      ['AS', 20],
    ]),
    postcode: '#####',
    cities: [
      ['Tallinn', '1'],
      ['Tartu', '50'],
      ['Pärnu', '80'],
      ['Narva', '20'],
    ],
    names: ['Tamm', 'Saar', 'Sepp', 'Mägi', 'Kask', 'Kukk', 'Rebane', 'Ilves'],
    places: ['Baltic', 'Nordic', 'Hansa', 'Peipsi'],
    eori: (r) => `1${r.digits(7)}`, // registry code
  },
  CY: {
    weight: 0.3,
    locale: englishNames('el', [['Ltd', 1]]),
    postcode: '####',
    cities: [
      ['Nicosia', '1'],
      ['Limassol', '30'],
      ['Larnaca', '60'],
      ['Paphos', '80'],
    ],
    names: ['Georgiou', 'Christodoulou', 'Ioannou', 'Constantinou', 'Charalambous', 'Demetriou', 'Kyriacou'],
    places: ['Mediterranean', 'Aphrodite', 'Troodos', 'Levant', 'Kition'],
    eori: (r) => `${r.digits(8)}${letters(r, 1)}`, // VAT number
  },
  MT: {
    weight: 0.3,
    locale: englishNames('mt', [
      ['Ltd', 85],
      ['p.l.c.', 15],
    ]),
    postcode: '@@@ ####',
    cities: [
      ['Valletta', 'VLT '],
      ['Marsa', 'MRS '],
      ['Birżebbuġa', 'BBG '],
      ['Qormi', 'QRM '],
      ['Luqa', 'LQA '],
    ],
    names: ['Borg', 'Camilleri', 'Vella', 'Farrugia', 'Zammit', 'Galea', 'Micallef', 'Grech'],
    places: ['Mediterranean', 'Malta', 'Grand Harbour', 'Melita', 'Gozo'],
    eori: (r) => r.digits(8),
  },

  // Third countries. Their operators hold EORIs for lodging declarations in the EU; the brief
  // keeps them under their own country prefix.
  CN: {
    weight: 30,
    locale: { lang: 'asia', street: 'cn', forms: [['Co., Ltd.', 1]] },
    postcode: '######',
    cities: [
      ['Shenzhen', '518'],
      ['Shanghai', '200'],
      ['Guangzhou', '510'],
      ['Ningbo', '315'],
      ['Xiamen', '361'],
      ['Qingdao', '266'],
      ['Tianjin', '300'],
      ['Suzhou', '215'],
      ['Dongguan', '523'],
      ['Hangzhou', '310'],
      ['Yiwu', '322'],
    ],
    names: ['Huaxin', 'Tianli', 'Hengda', 'Jinhui', 'Xinyuan', 'Haitian', 'Zhongda', 'Kaida', 'Ruifeng', 'Longsheng', 'Hongyu', 'Yongxin'],
    places: ['Pearl River', 'Yangtze', 'Orient'],
    eori: (r) => r.digits(r.int(12, 15)),
  },
  US: {
    weight: 20,
    locale: englishNames('us', [
      ['Inc.', 50],
      ['LLC', 40],
      ['Corp.', 10],
    ]),
    postcode: '#####',
    cities: [
      ['New York', '10'],
      ['Los Angeles', '900'],
      ['Chicago', '606'],
      ['Houston', '770'],
      ['Newark', '071'],
      ['Seattle', '981'],
      ['Savannah', '314'],
      ['Miami', '331'],
      ['Atlanta', '303'],
    ],
    names: ['Miller', 'Johnson', 'Anderson', 'Carter', 'Reynolds', 'Hayes', 'Brooks', 'Sullivan', 'Parker', 'Coleman'],
    places: ['Pacific', 'Atlantic', 'Great Lakes', 'Gulf Coast', 'Midwest', 'Lone Star', 'Bay Area', 'Hudson'],
    eori: (r) => r.digits(12),
  },
  GB: {
    weight: 15,
    locale: englishNames('en', [
      ['Ltd', 85],
      ['PLC', 15],
    ]),
    postcode: '@@# #@@',
    cities: [
      ['London', 'E14 #@@'],
      ['London', 'EC2A #@@'],
      ['Felixstowe', 'IP11 #@@'],
      ['Manchester', 'M17 #@@'],
      ['Birmingham', 'B6 #@@'],
      ['Southampton', 'SO15 #@@'],
      ['Liverpool', 'L20 #@@'],
      ['Leeds', 'LS11 #@@'],
      ['Glasgow', 'G2 #@@'],
    ],
    names: ['Thompson', 'Clarke', 'Whitfield', 'Ashworth', 'Harrison', 'Pemberton', 'Hughes', 'Barker', 'Fletcher'],
    places: ['Thames', 'Pennine', 'Albion', 'Mersey', 'Solent', 'Northern', 'Cotswold'],
    eori: (r) => `${r.digits(9)}000`, // VAT number + 000
  },
  CH: {
    weight: 6,
    locale: {
      lang: 'de',
      street: 'de',
      forms: [
        ['AG', 55],
        ['GmbH', 45],
      ],
    },
    postcode: '####',
    cities: [
      ['Zürich', '80'],
      ['Basel', '40'],
      ['Bern', '30'],
      ['Genève', '12', CH_FR],
      ['Lausanne', '10', CH_FR],
      ['Lugano', '69', CH_IT],
    ],
    names: ['Müller', 'Meier', 'Keller', 'Brunner', 'Baumann', 'Frei', 'Rochat', 'Favre', 'Bernasconi'],
    places: ['Helvetia', 'Alpine', 'Rhein', 'Léman', 'Ticino', 'Zürich'],
    eori: (r) => `E${r.digits(9)}`, // UID: CHE123456789
  },
  JP: {
    weight: 6,
    locale: englishNames('jp', [
      ['Co., Ltd.', 75],
      ['Corporation', 25],
    ]),
    postcode: '###-####',
    cities: [
      ['Tokyo', '1'],
      ['Osaka', '5'],
      ['Yokohama', '22'],
      ['Nagoya', '45'],
      ['Kobe', '65'],
    ],
    names: ['Tanaka', 'Suzuki', 'Yamamoto', 'Nakamura', 'Kobayashi', 'Sato', 'Watanabe', 'Ito', 'Matsuda'],
    places: ['Nippon', 'Kanto', 'Kansai', 'Fuji', 'Setouchi', 'Pacific'],
    eori: (r) => r.digits(13), // corporate number
  },
  KR: {
    weight: 5,
    locale: englishNames('kr', [
      ['Co., Ltd.', 90],
      ['Corp.', 10],
    ]),
    postcode: '#####',
    cities: [
      ['Seoul', '0'],
      ['Busan', '48'],
      ['Incheon', '22'],
      ['Ulsan', '44'],
      ['Changwon', '51'],
    ],
    names: ['Hanil', 'Daesung', 'Samjin', 'Dongbang', 'Sejin', 'Youngjin', 'Shinhwa'],
    places: ['Korea', 'Han River', 'Hanbit', 'Daehan'],
    eori: (r) => r.digits(10), // business registration number
  },
  TR: {
    weight: 5,
    locale: englishNames('tr', [
      ['A.Ş.', 45],
      ['Ltd. Şti.', 55],
    ]),
    postcode: '#####',
    cities: [
      ['İstanbul', '34'],
      ['İzmir', '35'],
      ['Bursa', '16'],
      ['Mersin', '33'],
      ['Ankara', '06'],
      ['Gaziantep', '27'],
    ],
    names: ['Yılmaz', 'Kaya', 'Demir', 'Şahin', 'Çelik', 'Yıldız', 'Öztürk', 'Aydın', 'Arslan'],
    places: ['Anadolu', 'Marmara', 'Ege', 'Bosphorus', 'Akdeniz'],
    eori: (r) => r.digits(10), // tax number
  },
  IN: {
    weight: 5,
    locale: englishNames('in', [
      ['Pvt. Ltd.', 80],
      ['Ltd.', 20],
    ]),
    postcode: '######',
    cities: [
      ['Mumbai', '400'],
      ['Chennai', '600'],
      ['New Delhi', '110'],
      ['Bengaluru', '560'],
      ['Ahmedabad', '380'],
      ['Kolkata', '700'],
    ],
    names: ['Sharma', 'Patel', 'Mehta', 'Reddy', 'Agarwal', 'Iyer', 'Kapoor', 'Shah', 'Gupta', 'Desai'],
    places: ['Bharat', 'Deccan', 'Ganga', 'Indus', 'Coromandel', 'Malabar'],
    eori: (r) => `${letters(r, 5)}${r.digits(4)}${letters(r, 1)}`, // PAN, which is also the importer-exporter code
  },
  NO: {
    weight: 3,
    locale: englishNames('no', [
      ['AS', 90],
      ['ASA', 10],
    ]),
    postcode: '####',
    cities: [
      ['Oslo', '0'],
      ['Bergen', '50'],
      ['Stavanger', '40'],
      ['Trondheim', '70'],
    ],
    names: ['Hansen', 'Johansen', 'Olsen', 'Larsen', 'Berg', 'Haugen', 'Dahl', 'Solberg'],
    places: ['Nordic', 'Fjord', 'Polar', 'Viking', 'Nordkapp'],
    eori: (r) => r.digits(9), // organisation number
  },
  VN: {
    weight: 3,
    locale: {
      lang: 'asia',
      street: 'vn',
      forms: [
        ['Co., Ltd.', 70],
        ['JSC', 30],
      ],
    },
    postcode: '######',
    cities: [
      ['Ho Chi Minh City', '70'],
      ['Hanoi', '10'],
      ['Hai Phong', '18'],
      ['Da Nang', '55'],
    ],
    names: ['Minh Phat', 'Hoang Long', 'Thanh Cong', 'Viet Hung', 'Phu Thai', 'An Phat', 'Tan Thanh', 'Hoa Binh'],
    places: ['Mekong', 'Saigon', 'Red River', 'Indochina'],
    eori: (r) => r.digits(10), // tax code
  },
  TW: {
    weight: 3,
    locale: {
      lang: 'asia',
      street: 'tw',
      forms: [
        ['Co., Ltd.', 70],
        ['Corp.', 30],
      ],
    },
    postcode: '###',
    cities: [
      ['Taipei', '1'],
      ['Kaohsiung', '8'],
      ['Taichung', '4'],
      ['Taoyuan', '33'],
    ],
    names: ['Chang Yuan', 'Da Tong', 'Fu Sheng', 'Hua Tai', 'Kuo Feng', 'Sheng Da', 'Yung Li'],
    places: ['Formosa', 'Pacific', 'Taipei'],
    eori: (r) => r.digits(8), // unified business number
  },
  SG: {
    weight: 2,
    locale: englishNames('sg', [['Pte. Ltd.', 1]]),
    postcode: '######',
    cities: [
      ['Singapore', '6'],
      ['Singapore', '4'],
    ],
    names: ['Tan', 'Lim', 'Lee', 'Ng', 'Wong', 'Goh', 'Chua', 'Koh'],
    places: ['Straits', 'Lion City', 'Marina', 'Temasek'],
    eori: (r) => `20${r.digits(7)}${letters(r, 1)}`, // UEN
  },
  BR: {
    weight: 2,
    locale: {
      lang: 'pt',
      street: 'br',
      forms: [
        ['Ltda.', 75],
        ['S.A.', 25],
      ],
    },
    postcode: '#####-###',
    cities: [
      ['São Paulo', '0'],
      ['Santos', '110'],
      ['Curitiba', '8'],
      ['Rio de Janeiro', '2'],
      ['Manaus', '690'],
    ],
    names: ['Silva', 'Souza', 'Oliveira', 'Almeida', 'Costa', 'Ribeiro', 'Carvalho', 'Barbosa'],
    places: ['Amazonas', 'Paulista', 'Atlântico', 'Brasil', 'Sul'],
    eori: (r) => r.digits(14), // CNPJ
  },
  CA: {
    weight: 2,
    locale: englishNames('us', [
      ['Inc.', 70],
      ['Ltd.', 30],
    ]),
    postcode: '@#@ #@#',
    cities: [
      ['Toronto', 'M5V #@#'],
      ['Vancouver', 'V6B #@#'],
      ['Montréal', 'H3B #@#'],
      ['Mississauga', 'L4W #@#'],
    ],
    names: ['Tremblay', 'Gagnon', 'Roy', 'MacDonald', 'Campbell', 'Wilson', 'Fraser'],
    places: ['Maple', 'Laurentian', 'Pacific', 'Northern', 'Great Lakes'],
    eori: (r) => `${r.digits(9)}RM0001`, // business number + import/export account
  },
  MA: {
    weight: 1,
    locale: {
      lang: 'fr',
      street: 'ma',
      forms: [
        ['SARL', 75],
        ['SA', 25],
      ],
    },
    postcode: '#####',
    cities: [
      ['Casablanca', '20'],
      ['Tanger', '90'],
      ['Agadir', '80'],
    ],
    names: ['Benali', 'Alaoui', 'Bennani', 'El Idrissi', 'Tazi', 'Berrada', 'Chraibi'],
    places: ['Atlas', 'Maghreb', 'Sahara', 'Rif', 'Atlantique'],
    eori: (r) => r.digits(15), // ICE
  },
  UA: {
    weight: 1,
    locale: englishNames('ua', [
      ['LLC', 80],
      ['PJSC', 20],
    ]),
    postcode: '#####',
    cities: [
      ['Kyiv', '0'],
      ['Odesa', '65'],
      ['Lviv', '79'],
      ['Dnipro', '49'],
    ],
    names: ['Shevchenko', 'Bondarenko', 'Kovalenko', 'Tkachenko', 'Kravchenko', 'Melnyk', 'Boyko'],
    places: ['Dnipro', 'Karpaty', 'Black Sea', 'Azov', 'Podillia'],
    eori: (r) => r.digits(8), // EDRPOU
  },
};

const EU: ReadonlySet<string> = new Set(EU_MEMBER_STATES);

const EU_WEIGHTS: Weighted<string> = EU_MEMBER_STATES.map((code) => [code, profileOf(code).weight] as const);
const THIRD_COUNTRY_WEIGHTS: Weighted<string> = Object.entries(PROFILES)
  .filter(([code]) => !EU.has(code))
  .map(([code, profile]) => [code, profile.weight] as const);

function profileOf(country: string): CountryProfile {
  const profile = PROFILES[country];
  // Fails at import time if the Member State list grows without a profile to match.
  if (!profile) throw new Error(`No demo-data profile for country ${country}`);
  return profile;
}

// ---------------------------------------------------------------------------
// Generation

/** What the first operators are forced to be, so the showcase roles exist for every seed. */
interface Plan {
  country: string;
  aeo: { type?: AeoType; status?: AeoStatus } | null;
}

const SHOWCASE_PLANS: readonly Plan[] = [
  { country: 'DE', aeo: { type: 'AEOF', status: 'VALID' } },
  { country: 'NL', aeo: { status: 'SUSPENDED' } },
  { country: 'FR', aeo: null },
  { country: 'CN', aeo: null },
];

export function generateAeoDemoData(options: AeoDemoOptions = {}): AeoDemoData {
  const r = createRandom(options.seed ?? DEFAULT_SEED);
  const count = options.operators ?? DEFAULT_OPERATORS;
  const operators: DemoOperator[] = [];
  const authorisations: DemoAuthorisation[] = [];
  const usedEoris = new Set<string>();
  const usedNames = new Set<string>();
  const usedNumbers = new Set<string>();

  for (let i = 0; i < count; i++) {
    const plan = SHOWCASE_PLANS[i];
    const thirdCountry = plan ? !EU.has(plan.country) : r.chance(THIRD_COUNTRY_SHARE);
    const country = plan?.country ?? r.weighted(thirdCountry ? THIRD_COUNTRY_WEIGHTS : EU_WEIGHTS);
    const operator = generateOperator(r, country, usedEoris, usedNames);
    operators.push(operator);

    if (thirdCountry) continue; // only operators established in the Union can be AEOs
    const aeo = plan ? plan.aeo : r.chance(HOLDER_SHARE) ? {} : null;
    if (aeo) authorisations.push(...generateAuthorisations(r, operator, aeo, usedNumbers));
  }
  return { operators, authorisations };
}

function generateOperator(r: Random, country: string, usedEoris: Set<string>, usedNames: Set<string>): DemoOperator {
  const profile = profileOf(country);
  const [city, postcodeCode, cityLocale] = r.pick(profile.cities);
  const locale = cityLocale ?? profile.locale;
  const form = r.weighted(locale.forms);

  let eori: string;
  do eori = country + profile.eori(r, form);
  while (usedEoris.has(eori));
  usedEoris.add(eori);

  const name = uniqueName(r, profile, locale, form, city, usedNames);
  const address: DemoAddress = { street: street(r, STREETS[locale.street]), postcode: postcode(r, profile, postcodeCode), city, country };
  return { eori, name, country, address };
}

function uniqueName(r: Random, profile: CountryProfile, locale: Locale, form: string, city: string, used: Set<string>): string {
  // A few fresh draws first; then qualify by city, as registries do for same-named firms.
  let base = companyBase(r, profile, locale.lang, city);
  for (let attempt = 0; attempt < 3 && used.has(`${base} ${form}`); attempt++) {
    base = companyBase(r, profile, locale.lang, city);
  }
  let name = `${base} ${form}`;
  if (used.has(name)) name = `${base} ${city} ${form}`;
  for (let n = 2; used.has(name); n++) name = `${base} ${city} ${n} ${form}`;
  used.add(name);
  return name;
}

function companyBase(r: Random, profile: CountryProfile, lang: Lang, city: string): string {
  if (lang === 'asia') {
    const industry = r.pick(INDUSTRIES.asia);
    const style = r.weighted([
      ['city', 55],
      ['word', 25],
      ['house', 20],
    ] as const);
    if (style === 'city') return `${city} ${r.pick(ASIA_WORDS)} ${industry}`;
    if (style === 'word') return `${r.pick(ASIA_WORDS)} ${industry}`;
    return `${r.pick(profile.names)} ${industry}`;
  }

  // Many European firms trade under English names; local ones dominate.
  const industry = r.pick(lang !== 'en' && r.chance(0.25) ? INDUSTRIES.en : INDUSTRIES[lang]);
  const activityFirst = ACTIVITY_FIRST.has(lang) && !INDUSTRIES.en.includes(industry);
  const style = r.weighted([
    ['place', 30],
    ['name', 30],
    ['partners', 12],
    ['brand', 28],
  ] as const);
  switch (style) {
    case 'place':
      return `${r.pick(profile.places)} ${industry}`;
    case 'name': {
      const name = r.pick(profile.names);
      return activityFirst ? `${industry} ${name}` : `${name} ${industry}`;
    }
    case 'partners': {
      const first = r.pick(profile.names);
      const others = profile.names.filter((name) => name !== first);
      return `${first} & ${r.pick(others)}`;
    }
    case 'brand':
      return `${r.pick(BRANDS)} ${industry}`;
  }
}

function street(r: Random, spec: StreetSpec): string {
  return r
    .pick(spec.templates)
    .replace('{s}', r.pick(spec.stems))
    .replace('{n}', String(r.int(1, 220)))
    .replace(/\{m\}/g, () => String(r.int(1, 30)));
}

function postcode(r: Random, profile: CountryProfile, code: string): string {
  const template = /[#@?]/.test(code) ? code : code + profile.postcode.slice(code.length);
  let out = '';
  for (const character of template) {
    if (character === '#') out += r.digits(1);
    else if (character === '@') out += letters(r, 1);
    else if (character === '?') out += r.alphanumerics(1);
    else out += character;
  }
  return out;
}

function letters(r: Random, n: number): string {
  let out = '';
  for (let i = 0; i < n; i++) out += String.fromCharCode(65 + r.int(0, 25));
  return out;
}

// ---------------------------------------------------------------------------
// Authorisations

interface Step {
  status: AeoStatus;
  reason: string;
  /** Days since the previous entry. */
  gap: readonly [number, number];
  /** A current suspension should be recent: nobody stays suspended for a decade. */
  recent?: boolean;
}

function generateAuthorisations(
  r: Random,
  holder: DemoOperator,
  wanted: { type?: AeoType; status?: AeoStatus },
  usedNumbers: Set<string>,
): DemoAuthorisation[] {
  const type = wanted.type ?? r.weighted(TYPE_WEIGHTS);
  const status = wanted.status ?? r.weighted(STATUS_WEIGHTS);
  const upgraded = type === 'AEOF' && wanted.type === undefined && r.chance(UPGRADE_SHARE);

  // An upgraded holder needs room for the earlier authorisation, so its AEOF starts later.
  const earliest = upgraded ? FIRST_VALID_FROM + 3 * 365 : FIRST_VALID_FROM;
  const current = scheduleAuthorisation(r, holder, type, planSteps(r, status), earliest, usedNumbers);
  if (!upgraded) return [current];

  const currentStart = toDay(current.validFrom);
  const earlier = scheduleAuthorisation(r, holder, r.chance(0.75) ? 'AEOC' : 'AEOS', [], FIRST_VALID_FROM, usedNumbers, currentStart - 365);
  earlier.history.push({ status: 'REVOKED', date: current.validFrom, reason: UPGRADE_REASON });
  return [earlier, current];
}

function planSteps(r: Random, status: AeoStatus): Step[] {
  const steps: Step[] = [];
  const pastSuspension = { VALID: 0.15, SUSPENDED: 0.1, REVOKED: 0.15, ANNULLED: 0 }[status];
  if (r.chance(pastSuspension)) {
    const [suspension, lifted] = r.pick(SUSPENSIONS);
    steps.push({ status: 'SUSPENDED', reason: suspension, gap: [180, 2000] });
    steps.push({ status: 'VALID', reason: lifted, gap: [21, 240] });
  }
  switch (status) {
    case 'VALID':
      break;
    case 'SUSPENDED':
      steps.push({ status, reason: r.pick(SUSPENSIONS)[0], gap: [1, 30], recent: true });
      break;
    case 'REVOKED':
      if (r.chance(0.5)) {
        steps.push({ status: 'SUSPENDED', reason: r.pick(SUSPENSIONS)[0], gap: [180, 2500] });
        steps.push({ status, reason: REVOCATION_AFTER_SUSPENSION, gap: [30, 180] });
      } else {
        steps.push({ status, reason: r.pick(REVOCATION_REASONS), gap: [365, 3500] });
      }
      break;
    case 'ANNULLED':
      steps.push({ status, reason: ANNULMENT_REASON, gap: [30, 700] });
      break;
  }
  return steps;
}

function scheduleAuthorisation(
  r: Random,
  holder: DemoOperator,
  type: AeoType,
  steps: readonly Step[],
  earliest: number,
  usedNumbers: Set<string>,
  latest = LAST_VALID_FROM,
): DemoAuthorisation {
  // Draw the gaps first, then a start date that leaves room for all of them before HISTORY_END.
  let gaps = steps.map((step) => r.int(step.gap[0], step.gap[1]));
  const total = gaps.reduce((sum, gap) => sum + gap, 0);
  const room = HISTORY_END - earliest;
  if (total > room) gaps = gaps.map((gap) => Math.max(1, Math.floor((gap * room) / total) - 1));
  const spent = gaps.reduce((sum, gap) => sum + gap, 0);
  const start = r.int(earliest, Math.max(earliest, Math.min(latest, HISTORY_END - spent)));

  const validFrom = fromDay(start);
  const history: DemoStatusChange[] = [{ status: 'VALID', date: validFrom, reason: GRANTED }];
  let day = start;
  steps.forEach((step, i) => {
    day += gaps[i] ?? 1;
    if (step.recent) day = Math.max(day, HISTORY_END - r.int(7, 330));
    history.push({ status: step.status, date: fromDay(day), reason: step.reason });
  });

  let number: string;
  // National part: year of issue + serial, 10 digits as in DEAEOF1234567890.
  do number = `${holder.country}${type}${validFrom.slice(0, 4)}${r.digits(6)}`;
  while (usedNumbers.has(number));
  usedNumbers.add(number);

  return { number, holder: holder.eori, type, issuingCountry: holder.country, validFrom, history };
}

// ---------------------------------------------------------------------------
// Showcase

/** The first operator (in generation order) for each showcase role. */
export function showcaseOperators(data: AeoDemoData): Record<ShowcaseRole, DemoOperator> {
  const byHolder = new Map<string, DemoAuthorisation[]>();
  for (const authorisation of data.authorisations) {
    byHolder.set(authorisation.holder, [...(byHolder.get(authorisation.holder) ?? []), authorisation]);
  }
  const current = (authorisation: DemoAuthorisation): AeoStatus | undefined => authorisation.history.at(-1)?.status;
  const find = (role: ShowcaseRole, test: (operator: DemoOperator, held: DemoAuthorisation[]) => boolean): DemoOperator => {
    const found = data.operators.find((operator) => test(operator, byHolder.get(operator.eori) ?? []));
    if (!found) throw new Error(`The demo data has no operator for the showcase role "${role}"`);
    return found;
  };
  return {
    validAeof: find('validAeof', (_, held) => held.some((a) => a.type === 'AEOF' && current(a) === 'VALID')),
    suspended: find('suspended', (_, held) => held.some((a) => current(a) === 'SUSPENDED')),
    noAuthorisation: find('noAuthorisation', (operator, held) => EU.has(operator.country) && held.length === 0),
    thirdCountry: find('thirdCountry', (operator) => !EU.has(operator.country)),
  };
}

// ---------------------------------------------------------------------------
// Dates, as whole days since 1970-01-01 (UTC, so no time-zone drift)

function toDay(iso: string): number {
  return Date.parse(`${iso}T00:00:00Z`) / 86_400_000;
}

function fromDay(day: number): string {
  return new Date(day * 86_400_000).toISOString().slice(0, 10);
}
