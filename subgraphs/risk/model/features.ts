/**
 * What the risk logic knows of one declaration (or ENS) when it learns or scores: the facts the
 * graph returns, flattened. Screening fills these from one gateway operation per batch;
 * learning fills them from declarations with their control results. Nothing here is derived
 * from a label.
 */

export type FilingKind = 'DECLARATION' | 'ENS';

export interface ItemFeatures {
  itemNumber: number;
  /** Digits only: CN8/TARIC10 for declarations, HS6 for ENS goods. */
  commodityCode: string | null;
  /** ISO 3166 alpha-2; null when unknown (ENS goods have none). */
  originCountry: string | null;
  /** Kilograms. */
  netMass: number | null;
  /** Kilograms. */
  grossMass: number | null;
  /** Statistical value in euro. */
  valueEur: number | null;
  /** LicenceOutcome values of the item's licence checks (MATCHED, NOT_FOUND, MISSING, ...). */
  licenceOutcomes: string[];
}

export interface AeoFacts {
  type: 'AEOC' | 'AEOS' | 'AEOF';
  status: 'VALID' | 'SUSPENDED' | 'REVOKED' | 'ANNULLED';
}

export interface FilingFeatures {
  kind: FilingKind;
  mrn: string;
  /** Acceptance date, or the ENS's expected arrival date: YYYY-MM-DD. */
  date: string;
  /** Office of presentation, or the ENS's office of first entry. */
  office: string;
  /** TransportMode enum value, or null. */
  transportMode: string | null;
  /** The importer's EORI (declaration) or the consignee's (ENS); else an identification number. */
  importer: string | null;
  declarant: string | null;
  /** Seller (declaration) or consignor (ENS) identifier. */
  seller: string | null;
  dispatchCountry: string | null;
  /** LOADING-UNLOADING UN/LOCODE pairs (ENS); empty for declarations. */
  routes: string[];
  /** National data elements kept verbatim by the source (KCS: taxRate, importType, ...). */
  nationalData: Record<string, string>;
  items: ItemFeatures[];
  /** The importer's (consignee's) AEO authorisations, any status. */
  importerAeo: AeoFacts[];
  /** Partner programmes under which the EU recognises the seller (consignor) as a certified trader. */
  recognisedBy: string[];
}

/** A filing with what its controls found: the unit learning counts. */
export interface LabelledFiling {
  features: FilingFeatures;
  /** True when any control of the filing or one of its items found an irregularity. */
  irregular: boolean;
}
