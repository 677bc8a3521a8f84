// Licences and certificates as they arrive: one JSON object per line in an ingest file, and
// the same shape as the GraphQL inputs of the write mutations.

export type LicenceType = 'CHED_A' | 'CHED_P' | 'CHED_PP' | 'CHED_D' | 'DUAL_USE' | 'CATCH_CERTIFICATE' | 'CITES' | 'FLEGT';
export const LICENCE_TYPES: readonly LicenceType[] = ['CHED_A', 'CHED_P', 'CHED_PP', 'CHED_D', 'DUAL_USE', 'CATCH_CERTIFICATE', 'CITES', 'FLEGT'];

/** Stored statuses; EXPIRED is never stored: it follows from validUntil when asked. */
export type StoredLicenceStatus = 'VALID' | 'USED' | 'CANCELLED' | 'SUSPENDED';
export type LicenceStatus = StoredLicenceStatus | 'EXPIRED';

/** For a CHED: the border control post's decision. */
export type ChedDecision = 'ACCEPTABLE_FOR_RELEASE' | 'REFUSED';

export interface CoveredGoodsRecord {
  /** A commodity code or its start: 2 to 10 digits (e.g. 0302 covers all fresh fish). */
  commodityCode: string;
  description?: string | null;
  /** The quantity the licence allows, in `unit`. */
  quantity: number;
  /** KGM (kilograms net) or NAR (number of items), as in TARIC measurement units. */
  unit: 'KGM' | 'NAR';
}

export interface LicenceRecord {
  kind: 'licence';
  reference: string;
  type: LicenceType;
  issuingAuthority: string;
  /** ISO 3166 alpha-2. */
  issuingCountry: string;
  /** EORI of the holder (the importer the licence is for). */
  holder: string;
  /** YYYY-MM-DD. */
  validFrom: string;
  /** YYYY-MM-DD, inclusive. */
  validUntil: string;
  /** Defaults to VALID. */
  status?: Exclude<StoredLicenceStatus, 'USED'> | null;
  /** CHEDs only. */
  decision?: ChedDecision | null;
  goods: CoveredGoodsRecord[];
}

/** A goods item drawing on a licence: idempotent on (reference, mrn, itemNumber). */
export interface LicenceUsageRecord {
  kind: 'licenceUsage';
  reference: string;
  mrn: string;
  itemNumber: number;
  /** In the unit of the covered goods line it draws on. */
  quantity: number;
  /** When the goods were released against the licence (YYYY-MM-DD); today by default. */
  date?: string | null;
}
