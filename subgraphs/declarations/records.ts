// The shape of declarations data as it arrives: one JSON object per line in an ingest file,
// and the same shape as the GraphQL inputs of the write mutations. Validation (validate.ts)
// turns a record into stored documents or rejects it whole with the field and the reason.

export interface MoneyRecord {
  amount: number;
  /** ISO 4217. */
  currency: string;
}

/** A party as named on a declaration: an EORI where known, otherwise at least a name or an identification number. */
export interface PartyRecord {
  eori?: string | null;
  /** Any other identification (a third-country trader number), when there is no EORI. */
  identificationNumber?: string | null;
  name?: string | null;
  address?: { street?: string | null; postcode?: string | null; city?: string | null; country: string } | null;
  /** ISO 3166 alpha-2. */
  country?: string | null;
}

export interface SupportingDocumentRecord {
  /** Document type code (data element 12 03), e.g. N853 for a CHED-P, C673 for a catch certificate. */
  type: string;
  reference: string;
}

/** Key-value data elements of the source system that have no EU data element, kept verbatim. */
export interface NationalDataRecord {
  key: string;
  value: string;
}

export type TransportMode = 'SEA' | 'RAIL' | 'ROAD' | 'AIR' | 'POSTAL' | 'FIXED_INSTALLATION' | 'INLAND_WATERWAY' | 'OWN_PROPULSION' | 'UNKNOWN';

export interface GoodsItemRecord {
  /** 1 to 999, unique within the declaration. */
  itemNumber: number;
  /** CN8 or TARIC10. */
  commodityCode: string;
  description: string;
  /** ISO 3166 alpha-2. */
  originCountry: string;
  /** Kilograms, > 0 except where the source says 0 (kept, and flagged by the risk checks). */
  netMass: number;
  grossMass?: number | null;
  supplementaryUnits?: number | null;
  /** Data element 14 08, in the invoice currency. */
  itemAmount: MoneyRecord;
  /** Data element 99 06, in euro. */
  statisticalValue?: MoneyRecord | null;
  supportingDocuments?: SupportingDocumentRecord[] | null;
  /** ISO 6346 container numbers. */
  containers?: string[] | null;
  nationalData?: NationalDataRecord[] | null;
}

export interface DeclarationRecord {
  kind: 'declaration';
  mrn: string;
  lrn: string;
  /** Data element 11 01, e.g. IM. */
  declarationType: string;
  /** YYYY-MM-DD. */
  acceptanceDate: string;
  /** Customs office code: country + 6 characters, e.g. NL000396. */
  officeOfPresentation: string;
  transportMode?: TransportMode | null;
  /** ISO 3166 alpha-2 (data element 16 06). */
  countryOfDispatch?: string | null;
  declarant: PartyRecord;
  importer: PartyRecord;
  representative?: PartyRecord | null;
  seller?: PartyRecord | null;
  buyer?: PartyRecord | null;
  /** Incoterms 2020 code, e.g. FOB, and the named place. */
  deliveryTerms?: { incoterm: string; place?: string | null } | null;
  invoiceTotal?: MoneyRecord | null;
  items: GoodsItemRecord[];
  nationalData?: NationalDataRecord[] | null;
}

export type FilingType =
  | 'F10'
  | 'F11'
  | 'F12'
  | 'F13'
  | 'F14'
  | 'F15'
  | 'F16'
  | 'F20'
  | 'F21'
  | 'F22'
  | 'F23'
  | 'F24'
  | 'F25'
  | 'F26'
  | 'F27'
  | 'F28'
  | 'F29'
  | 'F30'
  | 'F31'
  | 'F32'
  | 'F33'
  | 'F40'
  | 'F41'
  | 'F42'
  | 'F50'
  | 'F51';

export interface EnsGoodsRecord {
  /** HS6. */
  commodityCode: string;
  description: string;
  grossMass: number;
  packages: number;
  /** UN number, 4 digits, for dangerous goods. */
  dangerousGoodsCode?: string | null;
}

export interface ContainerRecord {
  /** ISO 6346. */
  number: string;
  seals?: string[] | null;
}

export interface ConsignmentRecord {
  /** House-level transport document reference. */
  transportDocument: string;
  masterTransportDocument?: string | null;
  consignor: PartyRecord;
  consignee: PartyRecord;
  notifyParty?: PartyRecord | null;
  /** UN/LOCODE. */
  placeOfLoading: string;
  placeOfUnloading: string;
  goods: EnsGoodsRecord[];
  containers?: ContainerRecord[] | null;
}

export interface EntrySummaryRecord {
  kind: 'entrySummaryDeclaration';
  mrn: string;
  filingType: FilingType;
  /** Customs office code. */
  officeOfFirstEntry: string;
  /** ISO 8601 date-time with offset, e.g. 2025-03-01T14:00:00Z. */
  expectedArrival: string;
  transportMode?: TransportMode | null;
  carrier: PartyRecord;
  consignments: ConsignmentRecord[];
}

export type Lane = 'GREEN' | 'YELLOW' | 'RED' | 'BLUE';
export type ControlOutcome = 'NO_IRREGULARITY' | 'IRREGULARITY_FOUND';

export interface ControlResultRecord {
  kind: 'controlResult';
  mrn: string;
  /** Absent for a control of the whole declaration. */
  itemNumber?: number | null;
  lane: Lane;
  /** e.g. DOCUMENTARY_CHECK, PHYSICAL_EXAMINATION, SCANNING, POST_CLEARANCE_AUDIT. */
  controlType: string;
  outcome: ControlOutcome;
  /** What was wrong, when something was: e.g. UNDERVALUATION, MISCLASSIFICATION, ORIGIN, PROHIBITED_GOODS, OTHER. */
  irregularityType?: string | null;
  /** MINOR or CRITICAL, when something was wrong. */
  severity?: 'MINOR' | 'CRITICAL' | null;
  revenueRaised?: MoneyRecord | null;
  /** YYYY-MM-DD. */
  date: string;
  /** Customs office code. */
  office: string;
}

export type DeclarationsRecord = DeclarationRecord | EntrySummaryRecord | ControlResultRecord;
