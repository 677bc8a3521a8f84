/**
 * The KCS synthetic import declarations (data/kcs-synthetic, see its README) as declarations
 * records: one H1 import declaration per row and, with labels, the control result of its
 * inspection.
 *
 * Interpretation. We treat the data set as the import declarations of ONE Member State's customs
 * authority, the Netherlands, so importers and declarants are Dutch operators that the AEO
 * registry can hold (kcs-operators.ts registers them). Every Declaration ID has exactly one row,
 * so a row is a declaration with one goods item. The mapping is deterministic, row by row:
 *
 * - MRN: YY (from Date) + "NL" + Declaration ID left-padded with zeros to 13 + check character.
 *   LRN: "KCS-<Declaration ID>". Declaration type IM; acceptance date = Date.
 * - Office of presentation: "NL" + Office ID left-padded to 6 digits (30 → NL000030).
 * - Mode of Transport: KCS codes are the UN/EU transport-mode codes (Recommendation 19:
 *   1 sea, 2 rail, 3 road, 4 air, 5 post, 9 unknown) times ten; see TRANSPORT_MODES.
 * - Importer "NL" + Importer ID, declarant "NL" + Declarant ID: the KCS IDs are 7 characters
 *   A-Z0-9, so these are valid EORIs (not shaped like a Dutch RSIN-based one, and so never equal
 *   to one of the AEO demo data's NL + 9 digits). An ID that would not make a valid EORI (empty,
 *   lower case, other characters) is not repaired: the party keeps it as identificationNumber,
 *   without EORI, or, when empty, is named "Unknown importer" / "Unknown declarant".
 * - Seller: a third-country party "<CC><Seller ID>" whose country CC is drawn by a stable hash of
 *   the Seller ID from SELLER_COUNTRIES (the main non-EU countries of dispatch in the data,
 *   weighted by their share), so a seller has the same identifier in every file and row. An empty
 *   Seller ID (about 10% of rows) leaves the seller out. EU countries are left out on purpose:
 *   the seller of goods imported into the Union is normally outside it.
 * - Courier ID, when present, goes to the declaration's national data (courierId); there is no
 *   representative.
 * - The item: commodity code HS6 + "00" (CN8 form), a description from the HS chapter title,
 *   origin = Country of Origin, net mass = Net Mass, no gross mass, item amount and invoice total
 *   = Item Price in KRW, statistical value = Item Price / KRW_PER_EUR in euro.
 * - "ZZ" (unknown) as Country of Departure leaves countryOfDispatch out. As Country of Origin it
 *   is kept verbatim (24 rows in both files): origin is mandatory, and inventing one would feed
 *   the risk logic a false fact; validation decides what to do with it.
 * - Amounts are rounded to cents and masses to grams: that only removes the generator's
 *   floating-point noise (55863.00000000001), no value in the files has more digits.
 * - Rows with Net Mass 0 or Item Price 0 are kept as they are; the risk checks flag them.
 * - Labels: the data set holds only inspected declarations, so every row has a control result:
 *   RED lane, physical examination, outcome IRREGULARITY_FOUND with type FRAUD when Fraud is 1,
 *   severity CRITICAL for Critical Fraud 2 and MINOR for 1, on the acceptance date at the office
 *   of presentation. No revenue figure is given, so revenueRaised is null.
 * - Supporting documents (data element 12 03; KCS has none, so they are generated, see
 *   kcsSupportingDocuments): the item quotes the certificates its commodity needs. HS chapter 01
 *   a CHED-A (C640); 02, 04, 05 and 16 a CHED-P (N853); 03 a CHED-P and a catch certificate
 *   (C673); heading 0602 a CHED-PP (N851). CHEDs are "CHEDx.NL.<year of Date>.<7 digits>" (the
 *   border control post is in the Netherlands), catch certificates "<flag state>-CC-<year>-<6
 *   digits>" with the Country of Origin as flag state when it is an ISO 3166 country, else NO.
 *   About 1% of the HS 8471, 8517 and 8542 rows (computers, telephones, integrated circuits)
 *   quote a dual-use licence (X002, "NL-DU-<year>-<6 digits>"). Every choice and every serial is
 *   a stable hash of the Declaration ID, never of the labels: about 4% of the rows that need a
 *   certificate quote nothing (so the checks can show a missing one), and about 1% of the CHED-P
 *   rows quote their CHED-P under the CHED-A code C640 (a wrong document type).
 */
import { readFileSync } from 'node:fs';
import { COUNTRY_CODES } from '../subgraphs/kit/countries';
import { checkChedReference, checkEori, checkMrn, mrnCheckCharacter } from '../subgraphs/kit/identifiers';
import { createRandom } from '../subgraphs/kit/random';
import type {
  ControlResultRecord,
  DeclarationRecord,
  GoodsItemRecord,
  NationalDataRecord,
  PartyRecord,
  SupportingDocumentRecord,
  TransportMode,
} from '../subgraphs/declarations/records';
import type { LicenceType } from '../subgraphs/licences/records';
import { requiredCertificates } from '../subgraphs/licences/references';

// ---------------------------------------------------------------------------
// Rows

export interface KcsRow {
  declarationId: string;
  /** YYYY-MM-DD. */
  date: string;
  officeId: string;
  processType: string;
  importType: string;
  importUse: string;
  paymentType: string;
  /** 10, 20, 30, 40, 50 or 90. */
  modeOfTransport: string;
  declarantId: string;
  importerId: string;
  /** Empty when the source has none. */
  sellerId: string;
  /** Empty when the source has none. */
  courierId: string;
  hs6: string;
  countryOfDeparture: string;
  countryOfOrigin: string;
  /** Verbatim, e.g. "8.0". */
  taxRate: string;
  taxType: string;
  originIndicator: string;
  /** Kilograms. */
  netMass: number;
  /** Korean won. */
  itemPrice: number;
  fraud: 0 | 1;
  criticalFraud: 0 | 1 | 2;
}

/** The header of both KCS files, in order. */
export const KCS_HEADER: readonly string[] = [
  'Declaration ID',
  'Date',
  'Office ID',
  'Process Type',
  'Import Type',
  'Import Use',
  'Payment Type',
  'Mode of Transport',
  'Declarant ID',
  'Importer ID',
  'Seller ID',
  'Courier ID',
  'HS6 Code',
  'Country of Departure',
  'Country of Origin',
  'Tax Rate',
  'Tax Type',
  'Country of Origin Indicator',
  'Net Mass',
  'Item Price',
  'Fraud',
  'Critical Fraud',
];

/**
 * Parses a KCS CSV file. The files have no quoting (checked: no field contains a comma or a
 * quote), so a split on commas suffices; a quote is rejected rather than misread. Throws with the
 * line number on a wrong header, a wrong number of fields or a value that is not what the column
 * holds.
 */
export function parseKcsCsv(text: string): KcsRow[] {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  if (lines.at(-1) === '') lines.pop();
  const header = lines[0];
  if (header === undefined) throw new Error('KCS CSV: the file is empty');
  if (header !== KCS_HEADER.join(',')) {
    throw new Error(`KCS CSV: unexpected header "${header.slice(0, 200)}"; expected "${KCS_HEADER.join(',')}"`);
  }
  const rows: KcsRow[] = [];
  for (let i = 1; i < lines.length; i++) rows.push(parseLine(lines[i] ?? '', i + 1));
  return rows;
}

export function readKcsCsv(path: string): KcsRow[] {
  try {
    return parseKcsCsv(readFileSync(path, 'utf8'));
  } catch (error) {
    if (error instanceof Error && error.message.startsWith('KCS CSV')) {
      throw new Error(`${path}: ${error.message}`, { cause: error });
    }
    throw error;
  }
}

function parseLine(line: string, lineNumber: number): KcsRow {
  const fail = (reason: string): never => {
    throw new Error(`KCS CSV line ${lineNumber}: ${reason}`);
  };
  if (line.includes('"')) fail('quoted fields are not supported');
  const f = line.split(',');
  if (f.length !== KCS_HEADER.length) fail(`expected ${KCS_HEADER.length} fields, found ${f.length}`);
  const field = (index: number): string => f[index] ?? '';
  const number = (index: number): number => {
    const value = Number(field(index));
    if (field(index) === '' || !Number.isFinite(value) || value < 0) {
      fail(`${KCS_HEADER[index]} must be a non-negative number, not "${field(index)}"`);
    }
    return value;
  };
  const matching = (index: number, pattern: RegExp): string => {
    const value = field(index);
    if (!pattern.test(value)) fail(`${KCS_HEADER[index]} "${value}" does not match ${pattern}`);
    return value;
  };

  const fraud = matching(20, /^[01]$/);
  const critical = matching(21, /^[012]$/);
  // Critical Fraud grades a fraud; a graded non-fraud would be a contradiction in the labels.
  if (fraud === '0' && critical !== '0') fail(`Critical Fraud ${critical} on a row without Fraud`);
  return {
    declarationId: matching(0, /^[A-Z0-9]{1,13}$/),
    date: matching(1, /^\d{4}-\d{2}-\d{2}$/),
    officeId: matching(2, /^\d{1,6}$/),
    processType: field(3),
    importType: field(4),
    importUse: field(5),
    paymentType: field(6),
    modeOfTransport: matching(7, /^(10|20|30|40|50|90)$/),
    declarantId: field(8),
    importerId: field(9),
    sellerId: field(10),
    courierId: field(11),
    hs6: matching(12, /^\d{6}$/),
    countryOfDeparture: matching(13, /^[A-Z]{2}$/),
    countryOfOrigin: matching(14, /^[A-Z]{2}$/),
    taxRate: field(15),
    taxType: field(16),
    originIndicator: field(17),
    netMass: number(18),
    itemPrice: number(19),
    fraud: fraud === '1' ? 1 : 0,
    criticalFraud: critical === '2' ? 2 : critical === '1' ? 1 : 0,
  };
}

// ---------------------------------------------------------------------------
// Records

/**
 * Won per euro for the statistical value. The ECB's 2020 annual average reference rate was about
 * 1345.6 KRW/EUR; the data covers 2020 and early 2021, so one fixed rate for both splits.
 */
export const KRW_PER_EUR = 1345;

/** KCS mode-of-transport codes: the UN/EU codes (1 sea ... 9 unknown) times ten. */
export const TRANSPORT_MODES: Readonly<Record<string, TransportMode>> = {
  '10': 'SEA',
  '20': 'RAIL',
  '30': 'ROAD',
  '40': 'AIR',
  '50': 'POSTAL',
  '90': 'UNKNOWN',
};

/**
 * Third countries a seller is placed in, weighted by their rows as Country of Departure in the
 * train split (CN 17,316, JP 4,369, US 3,791, ...), rounded. Changing this list moves sellers.
 */
export const SELLER_COUNTRIES: readonly (readonly [string, number])[] = [
  ['CN', 460],
  ['JP', 117],
  ['US', 101],
  ['VN', 38],
  ['HK', 34],
  ['KR', 22],
  ['SG', 14],
  ['TW', 14],
  ['GB', 12],
  ['TH', 10],
  ['ID', 6],
  ['MY', 6],
  ['IN', 5],
  ['CA', 4],
  ['AU', 4],
  ['PH', 4],
  ['CH', 3],
  ['TR', 3],
  ['AE', 3],
  ['BR', 2],
  ['MX', 1],
  ['NO', 1],
  ['IL', 1],
  ['NZ', 1],
  ['CL', 1],
];

/** The country code KCS uses for an unknown country. */
export const KCS_UNKNOWN_COUNTRY = 'ZZ';

export interface KcsRecordOptions {
  /** Produce the control result from the Fraud labels; default true. */
  withLabels?: boolean;
}

export interface KcsRecords {
  declaration: DeclarationRecord;
  control?: ControlResultRecord;
}

export function kcsRowToRecords(row: KcsRow, options: KcsRecordOptions = {}): KcsRecords {
  const mrn = kcsMrn(row);
  const office = `NL${row.officeId.padStart(6, '0')}`;
  const itemAmount = { amount: round(row.itemPrice, 2), currency: 'KRW' };
  const seller = kcsSeller(row.sellerId);
  const documents = kcsSupportingDocuments(row);

  const item: GoodsItemRecord = {
    itemNumber: 1,
    commodityCode: `${row.hs6}00`,
    description: hsDescription(row.hs6),
    originCountry: row.countryOfOrigin,
    netMass: round(row.netMass, 3),
    itemAmount,
    statisticalValue: { amount: round(row.itemPrice / KRW_PER_EUR, 2), currency: 'EUR' },
    ...(documents.length > 0 ? { supportingDocuments: documents } : {}),
    nationalData: [
      { key: 'taxRate', value: row.taxRate },
      { key: 'taxType', value: row.taxType },
      { key: 'originIndicator', value: row.originIndicator },
    ],
  };

  const nationalData: NationalDataRecord[] = [
    { key: 'processType', value: row.processType },
    { key: 'importType', value: row.importType },
    { key: 'importUse', value: row.importUse },
    { key: 'paymentType', value: row.paymentType },
  ];
  if (row.courierId !== '') nationalData.push({ key: 'courierId', value: row.courierId });
  nationalData.push({ key: 'sourceDeclarationId', value: row.declarationId });

  const declaration: DeclarationRecord = {
    kind: 'declaration',
    mrn,
    lrn: `KCS-${row.declarationId}`,
    declarationType: 'IM',
    acceptanceDate: row.date,
    officeOfPresentation: office,
    transportMode: TRANSPORT_MODES[row.modeOfTransport] ?? 'UNKNOWN',
    ...(row.countryOfDeparture === KCS_UNKNOWN_COUNTRY ? {} : { countryOfDispatch: row.countryOfDeparture }),
    declarant: dutchParty(row.declarantId, 'Unknown declarant'),
    importer: dutchParty(row.importerId, 'Unknown importer'),
    ...(seller ? { seller } : {}),
    invoiceTotal: { ...itemAmount },
    items: [item],
    nationalData,
  };
  if (options.withLabels === false) return { declaration };

  const control: ControlResultRecord = {
    kind: 'controlResult',
    mrn,
    itemNumber: 1,
    lane: 'RED',
    controlType: 'PHYSICAL_EXAMINATION',
    outcome: row.fraud === 1 ? 'IRREGULARITY_FOUND' : 'NO_IRREGULARITY',
    irregularityType: row.fraud === 1 ? 'FRAUD' : null,
    severity: row.criticalFraud === 2 ? 'CRITICAL' : row.criticalFraud === 1 ? 'MINOR' : null,
    revenueRaised: null,
    date: row.date,
    office,
  };
  return { declaration, control };
}

/** Rows as ingest records, each declaration followed by its control result when labelled. */
export function kcsRecordList(rows: readonly KcsRow[], options: KcsRecordOptions = {}): (DeclarationRecord | ControlResultRecord)[] {
  return rows.flatMap((row) => {
    const { declaration, control } = kcsRowToRecords(row, options);
    return control ? [declaration, control] : [declaration];
  });
}

export function kcsFileToRecords(path: string, options: KcsRecordOptions = {}): KcsRecords[] {
  return readKcsCsv(path).map((row) => kcsRowToRecords(row, options));
}

/** The MRN of a row; throws if the Declaration ID cannot make a valid one. */
export function kcsMrn(row: Pick<KcsRow, 'date' | 'declarationId'>): string {
  const first17 = `${row.date.slice(2, 4)}NL${row.declarationId.padStart(13, '0')}`;
  const mrn = first17 + mrnCheckCharacter(first17);
  const check = checkMrn(mrn);
  if (!check.valid) throw new Error(`Declaration ${row.declarationId}: MRN ${mrn} ${check.reason}`);
  return mrn;
}

/** The seller as a third-country party, or undefined when the row names none. */
export function kcsSeller(sellerId: string): PartyRecord | undefined {
  if (sellerId === '') return undefined;
  const country = sellerCountry(sellerId);
  const eori = country + sellerId;
  return checkEori(eori).valid ? { eori, country } : { identificationNumber: sellerId, country };
}

/** The seller's country: a pure function of the ID (a hash-seeded draw), so it never varies. */
export function sellerCountry(sellerId: string): string {
  return createRandom(`kcs-seller:${sellerId}`).weighted(SELLER_COUNTRIES);
}

// ---------------------------------------------------------------------------
// Supporting documents

/** Share of the rows needing a certificate that quote none. */
export const KCS_MISSING_DOCUMENT_RATE = 0.04;
/** Share of the CHED-P rows that quote the CHED-P under the CHED-A code. */
export const KCS_WRONG_DOCUMENT_CODE_RATE = 0.01;
/** Share of the HS 8471, 8517 and 8542 rows that quote a dual-use licence. */
export const KCS_DUAL_USE_RATE = 0.01;

/** The document code an item quotes for each kind of certificate a commodity can need. */
const DOCUMENT_CODES: Partial<Record<LicenceType, 'C640' | 'N853' | 'N851' | 'C673'>> = {
  CHED_A: 'C640',
  CHED_P: 'N853',
  CHED_PP: 'N851',
  CATCH_CERTIFICATE: 'C673',
};

/** The certificates a commodity needs, as document codes: the licences subgraph's table, read, not copied. */
function requiredDocumentCodes(hs6: string): ('C640' | 'N853' | 'N851' | 'C673')[] {
  return requiredCertificates(hs6).flatMap(({ types }) => {
    const code = DOCUMENT_CODES[types[0]!];
    return code ? [code] : [];
  });
}

const CHED_PREFIXES = { C640: 'CHEDA', N853: 'CHEDP', N851: 'CHEDPP' } as const;

/**
 * The supporting documents the item of a row quotes (see the header comment): a pure function of
 * the Declaration ID, the Date, the HS6 code and the Country of Origin. Empty for most rows.
 */
export function kcsSupportingDocuments(row: Pick<KcsRow, 'declarationId' | 'date' | 'hs6' | 'countryOfOrigin'>): SupportingDocumentRecord[] {
  const id = row.declarationId;
  const year = row.date.slice(0, 4);
  const chance = (purpose: string, rate: number) => createRandom(`kcs-documents:${purpose}:${id}`).next() < rate;
  const serial = (purpose: string, digits: number) => createRandom(`kcs-documents:${purpose}:${id}`).digits(digits);

  const heading = row.hs6.slice(0, 4);
  if (heading === '8471' || heading === '8517' || heading === '8542') {
    return chance('dual-use', KCS_DUAL_USE_RATE) ? [{ type: 'X002', reference: `NL-DU-${year}-${serial('dual-use-serial', 6)}` }] : [];
  }
  const codes = requiredDocumentCodes(row.hs6);
  if (codes.length === 0 || chance('missing', KCS_MISSING_DOCUMENT_RATE)) return [];
  return codes.map((code): SupportingDocumentRecord => {
    if (code === 'C673') {
      const flag = COUNTRY_CODES.has(row.countryOfOrigin) ? row.countryOfOrigin : 'NO';
      return { type: code, reference: `${flag}-CC-${year}-${serial('catch-serial', 6)}` };
    }
    const reference = `${CHED_PREFIXES[code]}.NL.${year}.${serial('ched-serial', 7)}`;
    const check = checkChedReference(reference);
    if (!check.valid) throw new Error(`Declaration ${id}: CHED ${reference} ${check.reason}`);
    const type = code === 'N853' && chance('wrong-code', KCS_WRONG_DOCUMENT_CODE_RATE) ? 'C640' : code;
    return { type, reference };
  });
}

function dutchParty(id: string, unknownName: string): PartyRecord {
  if (id === '') return { name: unknownName, country: 'NL' };
  const eori = `NL${id}`;
  return checkEori(eori).valid ? { eori } : { identificationNumber: id, country: 'NL' };
}

function round(value: number, decimals: number): number {
  const factor = 10 ** decimals;
  return Math.round(value * factor) / factor;
}

// ---------------------------------------------------------------------------
// Descriptions

/** Short titles of the 97 HS chapters (2022 edition; chapter 77 is reserved). */
export const HS_CHAPTERS: readonly string[] = [
  'Live animals', // 01
  'Meat and edible meat offal',
  'Fish, crustaceans and molluscs',
  "Dairy produce, birds' eggs, honey",
  'Products of animal origin n.e.s.',
  'Live plants and cut flowers',
  'Edible vegetables',
  'Edible fruit and nuts',
  'Coffee, tea, maté and spices',
  'Cereals', // 10
  'Milling products, malt and starches',
  'Oil seeds, grains, industrial plants and fodder',
  'Lac, gums, resins and vegetable extracts',
  'Vegetable plaiting materials',
  'Animal and vegetable fats and oils',
  'Preparations of meat or fish',
  'Sugars and sugar confectionery',
  'Cocoa and cocoa preparations',
  'Preparations of cereals, flour or milk; bakery products',
  'Preparations of vegetables, fruit or nuts', // 20
  'Miscellaneous edible preparations',
  'Beverages, spirits and vinegar',
  'Food industry residues and animal fodder',
  'Tobacco and manufactured tobacco substitutes',
  'Salt, sulphur, earths and stone, lime and cement',
  'Ores, slag and ash',
  'Mineral fuels, mineral oils and waxes',
  'Inorganic chemicals',
  'Organic chemicals',
  'Pharmaceutical products', // 30
  'Fertilisers',
  'Tanning and dyeing extracts, paints and inks',
  'Essential oils, perfumery and cosmetics',
  'Soap, washing and lubricating preparations, candles',
  'Albuminoidal substances, glues and enzymes',
  'Explosives, pyrotechnics and matches',
  'Photographic or cinematographic goods',
  'Miscellaneous chemical products',
  'Plastics and articles thereof',
  'Rubber and articles thereof', // 40
  'Raw hides, skins and leather',
  'Articles of leather, travel goods and handbags',
  'Furskins and artificial fur',
  'Wood and articles of wood',
  'Cork and articles of cork',
  'Basketware and wickerwork',
  'Pulp of wood and recovered paper',
  'Paper and paperboard',
  'Printed books, newspapers and pictures',
  'Silk', // 50
  'Wool and animal hair',
  'Cotton',
  'Other vegetable textile fibres',
  'Man-made filaments',
  'Man-made staple fibres',
  'Wadding, felt, nonwovens, twine and ropes',
  'Carpets and textile floor coverings',
  'Special woven fabrics, lace and embroidery',
  'Coated and laminated textile fabrics',
  'Knitted or crocheted fabrics', // 60
  'Apparel and clothing accessories, knitted or crocheted',
  'Apparel and clothing accessories, not knitted',
  'Other made-up textile articles and worn clothing',
  'Footwear',
  'Headgear',
  'Umbrellas and walking sticks',
  'Feathers, artificial flowers and articles of human hair',
  'Articles of stone, plaster, cement or mica',
  'Ceramic products',
  'Glass and glassware', // 70
  'Pearls, precious stones and metals, jewellery',
  'Iron and steel',
  'Articles of iron or steel',
  'Copper and articles thereof',
  'Nickel and articles thereof',
  'Aluminium and articles thereof',
  'Reserved chapter',
  'Lead and articles thereof',
  'Zinc and articles thereof',
  'Tin and articles thereof', // 80
  'Other base metals and cermets',
  'Tools, cutlery and implements of base metal',
  'Miscellaneous articles of base metal',
  'Machinery and mechanical appliances',
  'Electrical machinery and equipment',
  'Railway locomotives and rolling stock',
  'Vehicles and parts thereof',
  'Aircraft, spacecraft and parts thereof',
  'Ships, boats and floating structures',
  'Optical, measuring, medical and precision instruments', // 90
  'Clocks and watches',
  'Musical instruments',
  'Arms and ammunition',
  'Furniture, bedding, lamps and prefabricated buildings',
  'Toys, games and sports requisites',
  'Miscellaneous manufactured articles',
  "Works of art, collectors' pieces and antiques", // 97
];

/** "<chapter title> (HS <hs6>)", e.g. "Wood and articles of wood (HS 440890)". */
export function hsDescription(hs6: string): string {
  const title = HS_CHAPTERS[Number(hs6.slice(0, 2)) - 1] ?? 'Goods';
  return `${title} (HS ${hs6})`;
}
