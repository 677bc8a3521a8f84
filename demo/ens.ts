/**
 * Deterministic demo data for ICS2: entry summary declarations (ENS filings).
 *
 * - Parties come from the AEO demo data (generateAeoDemoData with its default seed), so the graph
 *   can join them: consignees and notify parties are operators established in the Union, about
 *   half of the consignees AEO holders; consignors are its third-country operators. Swiss and
 *   Norwegian operators are left out as consignors: the EU's security agreements with Switzerland
 *   and Norway waive the ENS for their goods. Carriers are a fixed list of real carriers with
 *   invented EORIs shaped like the issuing country's numbers.
 * - Filing types: maritime F10-F16 (mostly F10, F11, F12) 60%, air F20-F29 22%, express F30-F33
 *   7%, postal F40-F42 4%, road F50 4%, rail F51 3%. The transport mode follows the type
 *   (filingTypeMode); express goes by air.
 * - Routes are plausible: the place of loading is in the consignor's country (seaport, airport,
 *   road or rail terminal), the place of unloading in the Union, and the office of first entry
 *   is the one for the place of unloading (for road and rail: the border office the route enters
 *   by). Office codes are shaped like EU customs office codes (CC + 6 characters) but, apart from
 *   NL000396 (Rotterdam), not taken from the EU customs office list.
 * - MRN: YY (year of filing) + country of the office of first entry + 12 alphanumerics + the
 *   procedure letter I + check character. Expected arrivals lie in 2025 and 2026.
 * - Consignments: 1 to 3 per filing (a straight-bill F10 has one), goods 1 to 4 per consignment
 *   with HS6, description, gross mass, packages and, for dangerous goods, the UN number.
 *   Maritime consignments carry 1 to 3 containers with valid ISO 6346 numbers of the carrier's
 *   (or a lessor's) owner codes, each with 1 or 2 seals. Express and postal goods are small items.
 * - Amendments (ENS_AMENDMENTS): 5% of the filings appear a second time, some 3 to 40 places later,
 *   with the same MRN: the description "General cargo" corrected to an acceptable one, a container
 *   added, a gross mass corrected, a later expected arrival or a notify party added. Ingest keeps
 *   the later one and counts versions.
 * - The first three filings are fixed in kind so every seed has the showcase cases (ensShowcase):
 *   a maritime filing for the German AEOF holder with the Chinese showcase consignor, an air
 *   filing for the Dutch operator whose AEO is suspended, and a maritime filing that is amended
 *   by adding a container.
 *
 * `count` is the number of distinct filings; the returned list is longer by the amendments.
 */
import { DEMO_SHOWCASE_EORIS, generateAeoDemoData, type AeoDemoData, type DemoOperator } from './aeo';
import { EU_MEMBER_STATES } from '../subgraphs/kit/countries';
import { containerCheckDigit, mrnCheckCharacter } from '../subgraphs/kit/identifiers';
import { createRandom, type Random } from '../subgraphs/kit/random';
import type {
  ConsignmentRecord,
  ContainerRecord,
  EnsGoodsRecord,
  EntrySummaryRecord,
  FilingType,
  PartyRecord,
  TransportMode,
} from '../subgraphs/declarations/records';

export interface EnsDemoOptions {
  seed?: number;
  /** Distinct filings (MRNs); default 400. */
  count?: number;
}

export const ENS_DEMO_SEED = 20250301;
const DEFAULT_COUNT = 400;

export type EnsAmendmentKind = 'DESCRIPTION_CORRECTED' | 'CONTAINER_ADDED' | 'GROSS_MASS_CORRECTED' | 'ARRIVAL_UPDATED' | 'NOTIFY_PARTY_ADDED';

/** How often a filing is amended, and how (weights; CONTAINER_ADDED only for maritime filings). */
export const ENS_AMENDMENTS: Readonly<{ share: number; kinds: readonly (readonly [EnsAmendmentKind, number])[] }> = {
  share: 0.05,
  kinds: [
    ['DESCRIPTION_CORRECTED', 35],
    ['CONTAINER_ADDED', 25],
    ['GROSS_MASS_CORRECTED', 15],
    ['ARRIVAL_UPDATED', 15],
    ['NOTIFY_PARTY_ADDED', 10],
  ],
};

/** The unacceptable description an amended filing first carried (ICS2 rejects these). */
export const VAGUE_DESCRIPTION = 'General cargo';

// ---------------------------------------------------------------------------
// Filing types and modes

type Family = 'maritime' | 'air' | 'express' | 'postal' | 'road' | 'rail';

const FILING_TYPES: readonly (readonly [FilingType, number])[] = [
  ['F10', 22],
  ['F11', 16],
  ['F12', 14],
  ['F13', 3],
  ['F14', 2],
  ['F15', 2],
  ['F16', 1],
  ['F20', 4],
  ['F21', 4],
  ['F22', 2],
  ['F23', 4],
  ['F24', 2],
  ['F25', 2],
  ['F26', 1],
  ['F27', 1],
  ['F28', 1],
  ['F29', 1],
  ['F30', 3],
  ['F31', 2],
  ['F32', 1],
  ['F33', 1],
  ['F40', 2],
  ['F41', 1],
  ['F42', 1],
  ['F50', 4],
  ['F51', 3],
];

export function filingFamily(type: FilingType): Family {
  if (type === 'F50') return 'road';
  if (type === 'F51') return 'rail';
  return ({ '1': 'maritime', '2': 'air', '3': 'express', '4': 'postal' } as const)[type.charAt(1) as '1' | '2' | '3' | '4'];
}

/** The transport mode a filing type implies; express consignments travel by air. */
export function filingTypeMode(type: FilingType): TransportMode {
  const modes: Record<Family, TransportMode> = {
    maritime: 'SEA',
    air: 'AIR',
    express: 'AIR',
    postal: 'POSTAL',
    road: 'ROAD',
    rail: 'RAIL',
  };
  return modes[filingFamily(type)];
}

// ---------------------------------------------------------------------------
// Carriers (real names, invented EORIs)

interface Carrier {
  party: PartyRecord;
  /** SCAC or IATA prefix for transport documents. */
  documentPrefix: string;
  /** Container owner codes (maritime only). */
  ownerCodes?: readonly string[];
  sealPrefix?: string;
}

function carrier(
  name: string,
  eori: string,
  country: string,
  address: [street: string, postcode: string, city: string],
  documentPrefix: string,
  ownerCodes?: readonly string[],
  sealPrefix?: string,
): Carrier {
  const [street, postcode, city] = address;
  return {
    party: { eori, name, country, address: { street, postcode, city, country } },
    documentPrefix,
    ...(ownerCodes ? { ownerCodes } : {}),
    ...(sealPrefix ? { sealPrefix } : {}),
  };
}

// Non-EU carriers hold an EU EORI from the Member State where they first lodged (NL, BE here).
const CARRIERS: Readonly<Record<Family, readonly Carrier[]>> = {
  maritime: [
    carrier('Maersk A/S', 'DK53139655', 'DK', ['Esplanaden 50', '1263', 'København K'], 'MAEU', ['MSKU', 'MRKU', 'MAEU', 'MRSU'], 'ML'),
    carrier(
      'MSC Mediterranean Shipping Company S.A.',
      'NL815735424',
      'CH',
      ['Chemin Rieu 12-14', '1208', 'Genève'],
      'MEDU',
      ['MSCU', 'MEDU', 'MSDU', 'TGHU'],
      'MS',
    ),
    carrier('CMA CGM S.A.', 'FR56205922800010', 'FR', ["4 quai d'Arenc", '13002', 'Marseille'], 'CMDU', ['CMAU', 'CGMU', 'TCLU'], 'CG'),
    carrier('Hapag-Lloyd AG', 'DE4732811', 'DE', ['Ballindamm 25', '20095', 'Hamburg'], 'HLCU', ['HLXU', 'HLBU', 'UACU'], 'HL'),
    carrier(
      'COSCO Shipping Lines Co., Ltd.',
      'NL823164907',
      'CN',
      ['No. 378 Dongdaming Road', '200080', 'Shanghai'],
      'COSU',
      ['CSNU', 'CCLU', 'CBHU', 'FCIU'],
      'CS',
    ),
    carrier('Ocean Network Express Pte. Ltd.', 'NL857412036', 'SG', ['7 Straits View', '018936', 'Singapore'], 'ONEY', ['ONEU', 'NYKU', 'TCNU'], 'ON'),
    carrier(
      'Evergreen Marine Corp. (Taiwan) Ltd.',
      'NL803295571',
      'TW',
      ['No. 166, Minsheng East Road', '104', 'Taipei'],
      'EGLV',
      ['EGHU', 'EISU', 'EMCU'],
      'EG',
    ),
    carrier('Orient Overseas Container Line Ltd.', 'BE0734116250', 'HK', ['33 Harbour Road', '999077', 'Hong Kong'], 'OOLU', ['OOLU', 'OOCU', 'CSQU'], 'OO'),
  ],
  air: [
    carrier('Lufthansa Cargo AG', 'DE4093225', 'DE', ['Langer Kornweg 34', '65451', 'Kelsterbach'], '020'),
    carrier('Martinair Holland N.V.', 'NL003041593', 'NL', ['Piet Guilonardweg 17', '1117 EE', 'Schiphol'], '074'),
    carrier('Qatar Airways Q.C.S.C.', 'BE0890712334', 'QA', ['Qatar Airways Tower', '22550', 'Doha'], '157'),
    carrier('Emirates', 'NL852097713', 'AE', ['Emirates Group Headquarters', '686', 'Dubai'], '176'),
    carrier('Cathay Pacific Airways Ltd.', 'NL809541162', 'HK', ['8 Scenic Road', '999077', 'Hong Kong'], '160'),
  ],
  express: [
    carrier('DHL Express', 'BE0416473926', 'BE', ['Brucargo 711', '1931', 'Zaventem'], 'DHL'),
    carrier('Federal Express Corporation', 'BE0437542913', 'US', ['942 South Shady Grove Road', '38120', 'Memphis'], 'FDX'),
    carrier('United Parcel Service Deutschland S.à r.l. & Co. OHG', 'DE2205118', 'DE', ['Görlitzer Straße 1', '41460', 'Neuss'], 'UPS'),
  ],
  postal: [
    carrier('PostNL N.V.', 'NL009624917', 'NL', ['Waldorpstraat 3', '2521 CA', 'Den Haag'], 'PNL'),
    carrier('Deutsche Post AG', 'DE6184105', 'DE', ['Charles-de-Gaulle-Straße 20', '53113', 'Bonn'], 'DPAG'),
    carrier('La Poste S.A.', 'FR35600000000048', 'FR', ['9 rue du Colonel Pierre Avia', '75015', 'Paris'], 'LP'),
    carrier('bpost SA/NV', 'BE0214596464', 'BE', ['Boulevard Anspach 1', '1000', 'Bruxelles'], 'BPO'),
  ],
  road: [
    carrier('Girteka Logistics UAB', 'LT110822591', 'LT', ['Liepkalnio g. 180', 'LT-02121', 'Vilnius'], 'CMR'),
    carrier('Raben Logistics Polska sp. z o.o.', 'PL7773156784', 'PL', ['ul. Poznańska 43', '62-023', 'Robakowo'], 'CMR'),
    carrier('Ekol Lojistik A.Ş.', 'BG206435118', 'TR', ['Sultan Selim Mah. Ekol Cad. 11', '34320', 'İstanbul'], 'CMR'),
  ],
  rail: [
    carrier('DB Cargo AG', 'DE8421036', 'DE', ['Rheinstraße 2', '55116', 'Mainz'], 'CIM'),
    carrier('PKP Cargo S.A.', 'PL9542214086', 'PL', ['ul. Grójecka 17', '02-021', 'Warszawa'], 'SMGS'),
  ],
};

// ---------------------------------------------------------------------------
// Routes

/** Places of loading by consignor country and family (UN/LOCODE). */
const LOADING: Readonly<Partial<Record<Family, Readonly<Record<string, readonly string[]>>>>> = {
  maritime: {
    CN: ['CNSHA', 'CNNGB', 'CNYTN', 'CNTAO', 'CNXMN'],
    US: ['USNYC', 'USSAV', 'USLAX', 'USHOU'],
    JP: ['JPTYO', 'JPYOK', 'JPUKB'],
    KR: ['KRPUS'],
    VN: ['VNSGN', 'VNHPH'],
    IN: ['INNSA', 'INMUN'],
    TR: ['TRIST', 'TRMER'],
    TW: ['TWKHH'],
    SG: ['SGSIN'],
    BR: ['BRSSZ'],
    MA: ['MAPTM', 'MACAS'],
    CA: ['CAMTR', 'CAHAL'],
    GB: ['GBFXT', 'GBSOU'],
    UA: ['UAODS'],
  },
  air: {
    CN: ['CNPVG', 'CNCAN', 'CNSZX'],
    US: ['USJFK', 'USORD', 'USLAX'],
    JP: ['JPNRT'],
    KR: ['KRICN'],
    VN: ['VNSGN'],
    IN: ['INBOM', 'INDEL'],
    TR: ['TRIST'],
    TW: ['TWTPE'],
    SG: ['SGSIN'],
    BR: ['BRGRU'],
    MA: ['MACMN'],
    CA: ['CAYYZ'],
    GB: ['GBLHR'],
  },
  road: { TR: ['TRIST', 'TRBTZ'], UA: ['UAIEV', 'UALWO'], GB: ['GBDVR'] },
  rail: { CN: ['CNCKG', 'CNWUH', 'CNCTU'] },
};

/** Places of unloading in the Union with their office of first entry. */
const UNLOADING: Readonly<Record<'maritime' | 'air' | 'postal', readonly (readonly [string, string])[]>> = {
  maritime: [
    ['NLRTM', 'NL000396'],
    ['DEHAM', 'DE004851'],
    ['BEANR', 'BE101000'],
    ['FRLEH', 'FR000690'],
    ['ESVLC', 'ES004601'],
    ['ITGOA', 'IT261101'],
    ['PLGDN', 'PL322010'],
    ['GRPIR', 'GR002002'],
  ],
  air: [
    ['NLAMS', 'NL000854'],
    ['DEFRA', 'DE002651'],
    ['BEBRU', 'BE212000'],
    ['FRCDG', 'FR000950'],
    ['DELEJ', 'DE008751'],
    ['BELGG', 'BE401000'],
    ['DECGN', 'DE003201'],
  ],
  postal: [
    ['NLAMS', 'NL000854'],
    ['DEFRA', 'DE002651'],
    ['FRCDG', 'FR000950'],
    ['BEBRU', 'BE212000'],
  ],
};

/** Road and rail: the border office a route enters by, and places of unloading beyond it. */
const LAND_ROUTES: Readonly<Record<'road' | 'rail', Readonly<Record<string, { office: string; unloading: readonly string[] }>>>> = {
  road: {
    TR: { office: 'BG001005', unloading: ['BGSOF', 'ROBUH', 'HUBUD', 'DEMUC'] },
    UA: { office: 'PL305020', unloading: ['PLWAW', 'PLRZE', 'DEBER'] },
    GB: { office: 'FR006200', unloading: ['FRCQF', 'BEZEE', 'FRLIL'] },
  },
  rail: { CN: { office: 'PL301020', unloading: ['PLLOD', 'DEDUI', 'DEHAM'] } },
};

// ---------------------------------------------------------------------------
// Goods

interface Article {
  hs6: string;
  description: string;
  /** Kilograms per package. */
  kg: readonly [number, number];
  /** 'any' ships by any mode, 'surface' not by air, 'small' also by express and post. */
  carriage: 'any' | 'surface' | 'small';
  un?: string;
}

const ARTICLES: readonly Article[] = [
  { hs6: '940360', description: 'Wooden bedroom furniture, flat-packed', kg: [20, 80], carriage: 'surface' },
  { hs6: '940171', description: 'Upholstered seats with metal frames', kg: [15, 40], carriage: 'surface' },
  { hs6: '640299', description: 'Footwear with rubber soles and plastic uppers', kg: [5, 15], carriage: 'any' },
  { hs6: '611030', description: 'Pullovers of man-made fibres, knitted', kg: [8, 20], carriage: 'any' },
  { hs6: '620342', description: "Men's trousers of cotton", kg: [10, 20], carriage: 'any' },
  { hs6: '610910', description: 'T-shirts of cotton, knitted', kg: [0.2, 2], carriage: 'small' },
  { hs6: '630231', description: 'Bed linen of cotton', kg: [10, 25], carriage: 'surface' },
  { hs6: '950300', description: 'Plastic construction toys', kg: [0.3, 3], carriage: 'small' },
  { hs6: '950691', description: 'Fitness equipment (treadmills)', kg: [40, 90], carriage: 'surface' },
  { hs6: '851660', description: 'Electric cookers and hot plates', kg: [10, 30], carriage: 'surface' },
  { hs6: '850440', description: 'Power supplies (static converters)', kg: [5, 20], carriage: 'any' },
  { hs6: '847130', description: 'Laptop computers', kg: [5, 15], carriage: 'any' },
  { hs6: '851713', description: 'Smartphones', kg: [0.3, 1.5], carriage: 'small' },
  { hs6: '851830', description: 'Headphones and earphones', kg: [0.1, 1], carriage: 'small' },
  { hs6: '847170', description: 'Solid-state storage drives', kg: [0.1, 2], carriage: 'small' },
  { hs6: '852872', description: 'Colour television receivers (LCD)', kg: [15, 30], carriage: 'surface' },
  { hs6: '854143', description: 'Photovoltaic modules', kg: [20, 30], carriage: 'surface' },
  { hs6: '850760', description: 'Lithium-ion batteries', kg: [10, 25], carriage: 'any', un: '3480' },
  { hs6: '871200', description: 'Bicycles', kg: [15, 25], carriage: 'surface' },
  { hs6: '871160', description: 'Electric bicycles with lithium-ion batteries', kg: [22, 30], carriage: 'surface', un: '3171' },
  { hs6: '732393', description: 'Stainless steel kitchenware', kg: [8, 20], carriage: 'surface' },
  { hs6: '731815', description: 'Steel screws and bolts', kg: [20, 40], carriage: 'surface' },
  { hs6: '721049', description: 'Galvanised flat-rolled steel coils', kg: [1000, 3000], carriage: 'surface' },
  { hs6: '760612', description: 'Aluminium alloy plates', kg: [500, 1500], carriage: 'surface' },
  { hs6: '392330', description: 'Plastic bottles and preforms', kg: [10, 30], carriage: 'surface' },
  { hs6: '401110', description: 'New pneumatic tyres for cars', kg: [8, 12], carriage: 'surface' },
  { hs6: '870899', description: 'Motor vehicle parts (brake components)', kg: [10, 50], carriage: 'any' },
  { hs6: '848180', description: 'Valves and taps', kg: [10, 40], carriage: 'any' },
  { hs6: '841810', description: 'Combined refrigerator-freezers', kg: [50, 90], carriage: 'surface' },
  { hs6: '690721', description: 'Ceramic floor tiles', kg: [20, 30], carriage: 'surface' },
  { hs6: '320890', description: 'Paint in non-aqueous solvent', kg: [20, 30], carriage: 'surface', un: '1263' },
  { hs6: '330300', description: 'Perfumes and toilet waters', kg: [0.2, 5], carriage: 'small', un: '1266' },
  { hs6: '330499', description: 'Skin-care preparations', kg: [0.2, 3], carriage: 'small' },
  { hs6: '291411', description: 'Acetone in steel drums', kg: [150, 200], carriage: 'surface', un: '1090' },
  { hs6: '360410', description: 'Fireworks', kg: [10, 20], carriage: 'surface', un: '0336' },
  { hs6: '090240', description: 'Black tea', kg: [20, 60], carriage: 'surface' },
  { hs6: '030617', description: 'Frozen shrimps and prawns', kg: [10, 20], carriage: 'surface' },
  { hs6: '160414', description: 'Canned tuna', kg: [10, 20], carriage: 'surface' },
  { hs6: '100630', description: 'Milled rice', kg: [25, 50], carriage: 'surface' },
  { hs6: '300490', description: 'Medicaments in measured doses', kg: [5, 15], carriage: 'any' },
  { hs6: '901890', description: 'Medical instruments', kg: [0.5, 10], carriage: 'small' },
  { hs6: '420222', description: 'Handbags with outer surface of plastic', kg: [0.5, 3], carriage: 'small' },
  { hs6: '711319', description: 'Jewellery of gold', kg: [0.1, 1], carriage: 'small' },
];

// Dangerous goods are rarer than their share of the list.
const ARTICLE_WEIGHTS = ARTICLES.map((article) => [article, article.un ? 1 : 4] as const);

function articlesFor(family: Family): readonly (readonly [Article, number])[] {
  if (family === 'express' || family === 'postal') return ARTICLE_WEIGHTS.filter(([a]) => a.carriage === 'small');
  if (family === 'air') return ARTICLE_WEIGHTS.filter(([a]) => a.carriage !== 'surface');
  return ARTICLE_WEIGHTS;
}

const HOUSE_BILL_PREFIXES = ['KHNN', 'SHKK', 'EXDO', 'DSVF', 'NSKD', 'GEOL'];

// ---------------------------------------------------------------------------
// Parties

interface PartyPools {
  aeo: AeoDemoData;
  /** EU-established operators, and those of them holding an AEO authorisation. */
  eu: readonly DemoOperator[];
  holders: readonly DemoOperator[];
  /** Third-country operators that can be consignors, by family (their country has a route). */
  consignors: Readonly<Record<Family, readonly DemoOperator[]>>;
  byEori: ReadonlyMap<string, DemoOperator>;
}

let pools: PartyPools | undefined;

// The AEO demo data takes a few tens of milliseconds; build it once per process.
function partyPools(): PartyPools {
  if (pools) return pools;
  const aeo = generateAeoDemoData();
  const eu = aeo.operators.filter((operator) => EU.has(operator.country));
  const holding = new Set(aeo.authorisations.map((authorisation) => authorisation.holder));
  const third = aeo.operators.filter((operator) => !EU.has(operator.country) && !NO_ENS.has(operator.country));
  const airCountries = LOADING.air ?? {};
  const from = (countries: Readonly<Record<string, unknown>>): DemoOperator[] => third.filter((operator) => operator.country in countries);
  pools = {
    aeo,
    eu,
    holders: eu.filter((operator) => holding.has(operator.eori)),
    consignors: {
      maritime: from(LOADING.maritime ?? {}),
      air: from(airCountries),
      express: from(airCountries),
      postal: from(airCountries),
      road: from(LAND_ROUTES.road),
      rail: from(LAND_ROUTES.rail),
    },
    byEori: new Map(aeo.operators.map((operator) => [operator.eori, operator])),
  };
  return pools;
}

const EU: ReadonlySet<string> = new Set(EU_MEMBER_STATES);
/** Countries whose goods need no ENS (security agreements with the EU). */
const NO_ENS: ReadonlySet<string> = new Set(['CH', 'NO']);

function partyOf(operator: DemoOperator): PartyRecord {
  return { eori: operator.eori, name: operator.name, address: { ...operator.address }, country: operator.country };
}

function operator(eori: string): DemoOperator {
  const found = partyPools().byEori.get(eori);
  if (!found) throw new Error(`ENS demo: operator ${eori} is not in the AEO demo data`);
  return found;
}

// ---------------------------------------------------------------------------
// Generation

interface Plan {
  filingType: FilingType;
  consignee: string;
  consignor?: string;
  amendment?: EnsAmendmentKind;
}

const SHOWCASE_PLANS: readonly Plan[] = [
  { filingType: 'F10', consignee: DEMO_SHOWCASE_EORIS.validAeof, consignor: DEMO_SHOWCASE_EORIS.thirdCountry },
  { filingType: 'F23', consignee: DEMO_SHOWCASE_EORIS.suspended },
  { filingType: 'F11', consignee: DEMO_SHOWCASE_EORIS.noAuthorisation, amendment: 'CONTAINER_ADDED' },
];

interface Used {
  mrns: Set<string>;
  containers: Set<string>;
}

export function generateEnsDemoRecords(options: EnsDemoOptions = {}): EntrySummaryRecord[] {
  const r = createRandom(options.seed ?? ENS_DEMO_SEED);
  const count = options.count ?? DEFAULT_COUNT;
  const used: Used = { mrns: new Set(), containers: new Set() };
  // An amendment gets a key between its original's and a later filing's; a stable sort places it.
  const keyed: { key: number; record: EntrySummaryRecord }[] = [];
  // Exactly share × count filings are amended (the showcase one among them), chosen up front.
  const planned = SHOWCASE_PLANS.slice(0, count).filter((plan) => plan.amendment).length;
  const others = Array.from({ length: Math.max(0, count - SHOWCASE_PLANS.length) }, (_, i) => i + SHOWCASE_PLANS.length);
  const toAmend = new Set(r.shuffle(others).slice(0, Math.max(0, Math.round(count * ENS_AMENDMENTS.share) - planned)));

  for (let i = 0; i < count; i++) {
    const plan = SHOWCASE_PLANS[i];
    const filing = generateFiling(r, plan, used);
    const kind = plan?.amendment ?? (toAmend.has(i) ? amendmentKind(r, filing) : undefined);
    if (!kind) {
      keyed.push({ key: i, record: filing });
      continue;
    }
    const { original, amended } = amend(r, filing, kind, used);
    keyed.push({ key: i, record: original });
    keyed.push({ key: i + r.int(3, 40) + 0.5, record: amended });
  }
  return keyed.sort((a, b) => a.key - b.key).map((entry) => entry.record);
}

function generateFiling(r: Random, plan: Plan | undefined, used: Used): EntrySummaryRecord {
  const { consignors } = partyPools();
  const filingType = plan?.filingType ?? r.weighted(FILING_TYPES);
  const family = filingFamily(filingType);
  const transportCarrier = r.pick(CARRIERS[family]);

  // One route per filing: every consignment shares the means of transport.
  const routeConsignor = plan?.consignor ? operator(plan.consignor) : r.pick(consignors[family]);
  const route = pickRoute(r, family, routeConsignor.country, transportCarrier.party.country ?? '');
  const arrival = r.int(ARRIVAL_FROM, ARRIVAL_TO);
  const leadDays = family === 'maritime' ? r.int(5, 35) : r.int(0, 1);
  const mrn = ensMrn(r, fromDay(arrival - leadDays).slice(2, 4), route.office.slice(0, 2), used);

  const consignmentCount =
    filingType === 'F10'
      ? 1
      : r.weighted([
          [1, 60],
          [2, 28],
          [3, 12],
        ] as const);
  const master = masterDocument(r, family, transportCarrier, filingType);
  const consignments: ConsignmentRecord[] = [];
  for (let c = 0; c < consignmentCount; c++) {
    // The route's consignor sends the first consignment; others are groupage from the same country.
    const consignor = c === 0 ? routeConsignor : r.pick(consignors[family].filter((o) => o.country === routeConsignor.country));
    const consignee = c === 0 && plan ? operator(plan.consignee) : pickConsignee(r);
    consignments.push(generateConsignment(r, family, transportCarrier, master, consignor, consignee, route, used));
  }

  return {
    kind: 'entrySummaryDeclaration',
    mrn,
    filingType,
    officeOfFirstEntry: route.office,
    expectedArrival: dateTime(arrival, r.int(0, 23), r.pick([0, 15, 30, 45])),
    transportMode: filingTypeMode(filingType),
    carrier: structuredClone(transportCarrier.party),
    consignments,
  };
}

interface Route {
  loading: readonly string[];
  unloading: string;
  office: string;
}

function pickRoute(r: Random, family: Family, country: string, carrierCountry: string): Route {
  if (family === 'road' || family === 'rail') {
    const land = LAND_ROUTES[family][country];
    const loading = LOADING[family]?.[country];
    if (!land || !loading) throw new Error(`ENS demo: no ${family} route from ${country}`);
    return { loading, unloading: r.pick(land.unloading), office: land.office };
  }
  // Express and postal consignments leave from the same airports as air cargo.
  const loading = LOADING[family === 'maritime' ? 'maritime' : 'air']?.[country];
  if (!loading) throw new Error(`ENS demo: no ${family} route from ${country}`);
  // A postal operator files for the mail it receives at its own country's exchange office.
  const places =
    family === 'postal' ? UNLOADING.postal.filter(([, office]) => office.startsWith(carrierCountry)) : UNLOADING[family === 'maritime' ? 'maritime' : 'air'];
  const [unloading, office] = r.pick(places);
  return { loading, unloading, office };
}

function pickConsignee(r: Random): DemoOperator {
  const { eu, holders } = partyPools();
  // AEO holders import far more than their share of operators.
  return r.chance(0.45) ? r.pick(holders) : r.pick(eu);
}

function generateConsignment(
  r: Random,
  family: Family,
  transportCarrier: Carrier,
  master: string | null,
  consignor: DemoOperator,
  consignee: DemoOperator,
  route: Route,
  used: Used,
): ConsignmentRecord {
  const goodsCount = r.weighted([
    [1, 50],
    [2, 25],
    [3, 15],
    [4, 10],
  ] as const);
  const goods: EnsGoodsRecord[] = [];
  const articles = articlesFor(family);
  for (let g = 0; g < goodsCount; g++) goods.push(generateGoods(r, family, r.weighted(articles)));

  let notifyParty: PartyRecord | null = null;
  if (r.chance(0.35)) {
    let notify = r.pick(partyPools().eu);
    while (notify.eori === consignee.eori) notify = r.pick(partyPools().eu);
    notifyParty = partyOf(notify);
  }

  const consignment: ConsignmentRecord = {
    transportDocument: houseDocument(r, family, transportCarrier, consignor, master),
    masterTransportDocument: master,
    consignor: partyOf(consignor),
    consignee: partyOf(consignee),
    notifyParty,
    placeOfLoading: r.pick(route.loading),
    placeOfUnloading: route.unloading,
    goods,
    containers: null,
  };
  if (family === 'maritime') {
    const containers: ContainerRecord[] = [];
    const n = r.weighted([
      [1, 60],
      [2, 28],
      [3, 12],
    ] as const);
    for (let k = 0; k < n; k++) containers.push(newContainer(r, transportCarrier, used));
    consignment.containers = containers;
  }
  return consignment;
}

function generateGoods(r: Random, family: Family, article: Article): EnsGoodsRecord {
  const small = family === 'express' || family === 'postal';
  const packages = small ? r.int(1, 3) : article.kg[0] >= 500 ? r.int(2, 20) : r.int(5, 600);
  const perPackage = article.kg[0] + r.next() * (article.kg[1] - article.kg[0]);
  return {
    commodityCode: article.hs6,
    description: article.description,
    grossMass: Math.round(packages * perPackage * 10) / 10,
    packages,
    dangerousGoodsCode: article.un ?? null,
  };
}

function newContainer(r: Random, transportCarrier: Carrier, used: Used): ContainerRecord {
  const owners = transportCarrier.ownerCodes ?? ['TGHU'];
  let number: string;
  do {
    const first10 = r.pick(owners) + r.digits(6);
    number = first10 + containerCheckDigit(first10);
  } while (used.containers.has(number));
  used.containers.add(number);
  const seals = [`${transportCarrier.sealPrefix ?? 'SL'}${r.digits(7)}`];
  if (r.chance(0.4)) seals.push(`SH${r.digits(6)}`);
  return { number, seals };
}

function ensMrn(r: Random, yy: string, country: string, used: Used): string {
  let mrn: string;
  do {
    // Index 16 holds the procedure letter: I for an ENS.
    const first17 = `${yy}${country}${r.alphanumerics(12)}I`;
    mrn = first17 + mrnCheckCharacter(first17);
  } while (used.mrns.has(mrn));
  used.mrns.add(mrn);
  return mrn;
}

// ---------------------------------------------------------------------------
// Transport documents

function masterDocument(r: Random, family: Family, transportCarrier: Carrier, filingType: FilingType): string | null {
  switch (family) {
    case 'maritime':
      // A straight bill (F10) has no house level: the carrier's bill is the only document.
      return filingType === 'F10' ? null : `${transportCarrier.documentPrefix}${r.digits(9)}`;
    case 'air':
      return airWaybill(r, transportCarrier.documentPrefix);
    default:
      return null;
  }
}

function houseDocument(r: Random, family: Family, transportCarrier: Carrier, consignor: DemoOperator, master: string | null): string {
  switch (family) {
    case 'maritime':
      return master === null ? `${transportCarrier.documentPrefix}${r.digits(9)}` : `${r.pick(HOUSE_BILL_PREFIXES)}${r.digits(9)}`;
    case 'air':
      return `${r.pick(HOUSE_BILL_PREFIXES)}${r.digits(8)}`;
    case 'express':
      return expressWaybill(r, transportCarrier.documentPrefix);
    case 'postal':
      return upuItemId(r, consignor.country);
    case 'road':
      return `CMR${r.digits(8)}`;
    case 'rail':
      return `${transportCarrier.documentPrefix}${r.digits(8)}`;
  }
}

/** IATA air waybill: airline prefix, 7-digit serial and its check digit (serial mod 7). */
function airWaybill(r: Random, prefix: string): string {
  const serial = r.digits(7);
  return `${prefix}-${serial}${Number(serial) % 7}`;
}

function expressWaybill(r: Random, company: string): string {
  if (company === 'UPS') return `1Z${r.alphanumerics(6)}${r.digits(10)}`;
  if (company === 'FDX') return r.digits(12);
  return r.digits(10);
}

/** UPU S10 item identifier: CP (parcel) or EE (EMS), 8 digits, check digit, country. */
function upuItemId(r: Random, country: string): string {
  const serial = r.digits(8);
  const weights = [8, 6, 4, 2, 3, 5, 9, 7];
  const sum = [...serial].reduce((total, digit, i) => total + Number(digit) * (weights[i] ?? 0), 0);
  const check = 11 - (sum % 11);
  return `${r.chance(0.8) ? 'CP' : 'EE'}${serial}${check === 10 ? 0 : check === 11 ? 5 : check}${country}`;
}

// ---------------------------------------------------------------------------
// Amendments

function amendmentKind(r: Random, filing: EntrySummaryRecord): EnsAmendmentKind {
  const maritime = filing.transportMode === 'SEA';
  return r.weighted(ENS_AMENDMENTS.kinds.filter(([kind]) => maritime || kind !== 'CONTAINER_ADDED'));
}

function amend(r: Random, filing: EntrySummaryRecord, kind: EnsAmendmentKind, used: Used): { original: EntrySummaryRecord; amended: EntrySummaryRecord } {
  const original = structuredClone(filing);
  const amended = structuredClone(filing);
  const first = amended.consignments[0];
  const firstGoods = first?.goods[0];
  if (!first || !firstGoods) throw new Error('ENS demo: a filing without goods');
  switch (kind) {
    case 'DESCRIPTION_CORRECTED': {
      const goods = original.consignments[0]?.goods[0];
      if (goods) goods.description = VAGUE_DESCRIPTION;
      break;
    }
    case 'CONTAINER_ADDED': {
      const carrierEntry = CARRIERS.maritime.find((entry) => entry.party.eori === filing.carrier.eori);
      if (!carrierEntry) throw new Error('ENS demo: a container can only be added to a maritime filing');
      first.containers = [...(first.containers ?? []), newContainer(r, carrierEntry, used)];
      break;
    }
    case 'GROSS_MASS_CORRECTED': {
      // 5% to 25% off either way, and at least 0.1 kg, so the correction is visible.
      const factor = r.chance(0.5) ? 0.75 + r.next() * 0.2 : 1.05 + r.next() * 0.2;
      const corrected = Math.round(firstGoods.grossMass * factor * 10) / 10;
      firstGoods.grossMass = corrected === firstGoods.grossMass ? Math.round(corrected * 10 + 1) / 10 : Math.max(0.1, corrected);
      break;
    }
    case 'ARRIVAL_UPDATED': {
      const delayed = Date.parse(amended.expectedArrival) + r.int(6, 72) * 3_600_000;
      amended.expectedArrival = new Date(delayed).toISOString().replace('.000Z', 'Z');
      break;
    }
    case 'NOTIFY_PARTY_ADDED': {
      const { eu } = partyPools();
      let notify = r.pick(eu);
      while (notify.eori === first.consignee.eori) notify = r.pick(eu);
      first.notifyParty = partyOf(notify);
      const before = original.consignments[0];
      if (before) before.notifyParty = null;
      break;
    }
  }
  return { original, amended };
}

// ---------------------------------------------------------------------------
// Showcase

export interface EnsShowcase {
  /** A maritime filing with containers. */
  withContainers: string;
  /** A filing that appears twice: the later one an amendment. */
  amended: string;
  /** A filing whose (first) consignee holds a valid AEOF. */
  validAeofConsignee: string;
}

/** MRNs for docs and tests: the first filing of the list in each role. */
export function ensShowcase(records: readonly EntrySummaryRecord[]): EnsShowcase {
  const { aeo } = partyPools();
  const validAeof = new Set(
    aeo.authorisations
      .filter((authorisation) => authorisation.type === 'AEOF' && authorisation.history.at(-1)?.status === 'VALID')
      .map((authorisation) => authorisation.holder),
  );
  const seen = new Set<string>();
  let amended: string | undefined;
  for (const record of records) {
    if (seen.has(record.mrn)) {
      amended = record.mrn;
      break;
    }
    seen.add(record.mrn);
  }
  const find = (role: string, test: (record: EntrySummaryRecord) => boolean): string => {
    const found = records.find(test);
    if (!found) throw new Error(`ENS demo: no filing for the showcase role "${role}"`);
    return found.mrn;
  };
  if (amended === undefined) throw new Error('ENS demo: no amended filing');
  return {
    withContainers: find('withContainers', (record) => record.consignments.some((consignment) => (consignment.containers ?? []).length > 0)),
    amended,
    validAeofConsignee: find('validAeofConsignee', (record) => validAeof.has(record.consignments[0]?.consignee.eori ?? '')),
  };
}

// ---------------------------------------------------------------------------
// Dates, as whole days since 1970-01-01 (UTC)

const ARRIVAL_FROM = toDay('2025-01-01');
const ARRIVAL_TO = toDay('2026-10-31');

function toDay(iso: string): number {
  return Date.parse(`${iso}T00:00:00Z`) / 86_400_000;
}

function fromDay(day: number): string {
  return new Date(day * 86_400_000).toISOString().slice(0, 10);
}

function dateTime(day: number, hour: number, minute: number): string {
  return `${fromDay(day)}T${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}:00Z`;
}
