// Mutual-recognition data as it arrives: programmes (seeded), partner trader lists (sent by
// partner administrations, one JSON object per trader), consents and trade lanes.

export type AeoType = 'AEOC' | 'AEOS' | 'AEOF';

export interface ProgrammeRecord {
  /** e.g. CN-AEO, JP-AEO, US-CTPAT, NO-AEO, CH-AEO, GB-AEO. */
  code: string;
  /** ISO 3166 alpha-2. */
  partnerCountry: string;
  /** The partner's programme, e.g. "China Customs Advanced Certified Enterprise (AEO)". */
  name: string;
  /** The legal act or agreement, e.g. "Decision No 1/2014 of the EU-China JCCC". */
  agreement: string;
  /** YYYY-MM-DD: when mutual recognition took effect; null while it is still being negotiated. */
  inForceFrom: string | null;
  inForceUntil?: string | null;
  /** Which EU AEO types the partner recognises (AEOS and AEOF in practice). */
  recognisedAeoTypes: AeoType[];
  /** A regular expression (anchored) for the partner's trader identifier, e.g. ^AEOCN\d{10}$. */
  identifierPattern: string;
  identifierExample: string;
}

/** One line of a partner's list of certified traders. */
export interface PartnerTraderRecord {
  kind: 'partnerTrader';
  programme: string;
  identifier: string;
  name: string;
  address?: { street?: string | null; city?: string | null; postcode?: string | null; country: string } | null;
  /** The EORI (or EORI-like identifier used in ENS filings) the trader maps to, when known. */
  eori?: string | null;
  /** YYYY-MM-DD. */
  certifiedFrom: string;
  /** The date of the list this line comes from: traders missing from a later list are no longer certified from that date. */
  listDate: string;
}

export interface ConsentRecord {
  kind: 'consent';
  eori: string;
  granted: boolean;
  /** YYYY-MM-DD. */
  date: string;
}

export type LaneStatus = 'ACTIVE' | 'SUSPENDED' | 'CLOSED';

export interface TradeLaneRecord {
  kind: 'tradeLane';
  /** e.g. SSTL-CNSHA-NLRTM. */
  code: string;
  name: string;
  /** UN/LOCODE. */
  origin: string;
  destination: string;
  transportMode: 'SEA' | 'RAIL' | 'ROAD' | 'AIR';
  /** EORIs (or partner EORI-like identifiers) of the participating operators. */
  operators: string[];
  status: LaneStatus;
}
