// The MRA subgraph's collections, all small: programmes (seeded), partner traders, consents, lanes.
import { Schema, type Connection, type Model } from 'mongoose';
import type { AeoType, LaneStatus } from './records';

export interface ProgrammeDoc {
  /** The code. */
  _id: string;
  partnerCountry: string;
  name: string;
  agreement: string;
  inForceFrom: string | null;
  inForceUntil: string | null;
  recognisedAeoTypes: AeoType[];
  identifierPattern: string;
  identifierExample: string;
}

export type PartnerStatus = 'CERTIFIED' | 'NO_LONGER_CERTIFIED';

export interface PartnerOperatorDoc {
  /** "<programme>|<identifier>". */
  _id: string;
  programme: string;
  identifier: string;
  name: string;
  address: { street: string | null; postcode: string | null; city: string | null; country: string } | null;
  eori: string | null;
  status: PartnerStatus;
  certifiedFrom: string;
  certifiedUntil: string | null;
  /** The date of the latest list that named the trader. */
  lastListDate: string;
  history: { status: PartnerStatus; date: string }[];
}

export interface ConsentDoc {
  /** The EORI. */
  _id: string;
  granted: boolean;
  date: string;
}

export interface LaneDoc {
  /** The code. */
  _id: string;
  name: string;
  origin: string;
  destination: string;
  transportMode: 'SEA' | 'RAIL' | 'ROAD' | 'AIR';
  operators: string[];
  status: LaneStatus;
}

export interface MraModels {
  programmes: Model<ProgrammeDoc>;
  partners: Model<PartnerOperatorDoc>;
  consents: Model<ConsentDoc>;
  lanes: Model<LaneDoc>;
}

export function createMraModels(connection: Connection): MraModels {
  const loose = (indexes: Record<string, 1>[] = []) => {
    const schema = new Schema({ _id: String }, { versionKey: false, strict: false });
    for (const index of indexes) schema.index(index);
    return schema;
  };
  return {
    programmes: connection.model<ProgrammeDoc>('MraProgramme', loose(), 'programmes'),
    partners: connection.model<PartnerOperatorDoc>('PartnerOperator', loose([{ eori: 1 }, { programme: 1 }]), 'partnerOperators'),
    consents: connection.model<ConsentDoc>('Consent', loose(), 'consents'),
    lanes: connection.model<LaneDoc>('TradeLane', loose(), 'tradeLanes'),
  };
}

export function partnerKey(programme: string, identifier: string): string {
  return `${programme}|${identifier}`;
}

/** What this subgraph knows of an operator: its key, and the authorisations the gateway brings. */
export interface OperatorParent {
  eori: string;
  aeoAuthorisations?: { type: AeoType; status: string }[] | null;
}
