// The AEO subgraph's collections. Natural keys are `_id`, the one filter FerretDB pushes down.
import { Schema, type Connection, type Model } from 'mongoose';

export type AeoType = 'AEOC' | 'AEOS' | 'AEOF';
export type AeoStatus = 'VALID' | 'SUSPENDED' | 'REVOKED' | 'ANNULLED';
export const AEO_TYPES: readonly AeoType[] = ['AEOC', 'AEOS', 'AEOF'];
export const AEO_STATUSES: readonly AeoStatus[] = ['VALID', 'SUSPENDED', 'REVOKED', 'ANNULLED'];

export interface AddressDoc {
  street: string;
  postcode?: string | null;
  city: string;
  country: string;
}

export interface OperatorDoc {
  /** The EORI. */
  _id: string;
  name: string;
  country: string;
  address?: AddressDoc | null;
  /**
   * "AEOF", "VALID" and "AEOF:VALID" for each authorisation held: written with every
   * authorisation change so the type and status filters need no join.
   */
  aeoTags: string[];
}

export interface StatusChangeDoc {
  status: AeoStatus;
  date: string;
  reason: string;
  recordedBy?: string | null;
  /** The caller's key for the request that made this change, if it sent one: a replay finds it here. */
  idempotencyKey?: string | null;
}

export interface AuthorisationDoc {
  /** The authorisation number. */
  _id: string;
  holder: string;
  type: AeoType;
  status: AeoStatus;
  issuingCountry: string;
  validFrom: string;
  history: StatusChangeDoc[];
  /**
   * Keyed requests that found the authorisation already in the status they asked for, so changed
   * nothing: kept, so that a replay after a later change is still known as that request, not applied.
   */
  keyedNoChanges?: StatusChangeDoc[];
}

export interface AeoModels {
  operators: Model<OperatorDoc>;
  authorisations: Model<AuthorisationDoc>;
}

const addressSchema = new Schema<AddressDoc>(
  { street: { type: String, required: true }, postcode: String, city: { type: String, required: true }, country: { type: String, required: true } },
  { _id: false },
);

const operatorSchema = new Schema<OperatorDoc>(
  {
    _id: { type: String, required: true },
    name: { type: String, required: true },
    country: { type: String, required: true },
    address: addressSchema,
    aeoTags: { type: [String], default: [] },
  },
  { versionKey: false, timestamps: true },
);
operatorSchema.index({ country: 1 });
operatorSchema.index({ aeoTags: 1 });
operatorSchema.index({ name: 1 });

const statusChangeSchema = new Schema<StatusChangeDoc>(
  {
    status: { type: String, required: true },
    date: { type: String, required: true },
    reason: { type: String, required: true },
    recordedBy: String,
    idempotencyKey: String,
  },
  { _id: false },
);

const authorisationSchema = new Schema<AuthorisationDoc>(
  {
    _id: { type: String, required: true },
    holder: { type: String, required: true },
    type: { type: String, required: true, enum: AEO_TYPES },
    status: { type: String, required: true, enum: AEO_STATUSES },
    issuingCountry: { type: String, required: true },
    validFrom: { type: String, required: true },
    history: { type: [statusChangeSchema], default: [] },
    keyedNoChanges: { type: [statusChangeSchema], default: undefined },
  },
  { versionKey: false, timestamps: true },
);
authorisationSchema.index({ holder: 1 });

export function createAeoModels(connection: Connection): AeoModels {
  return {
    operators: connection.model<OperatorDoc>('EconomicOperator', operatorSchema, 'operators'),
    authorisations: connection.model<AuthorisationDoc>('AeoAuthorisation', authorisationSchema, 'authorisations'),
  };
}

export async function prepareAeoModels(models: AeoModels): Promise<void> {
  await Promise.all([models.operators.createIndexes(), models.authorisations.createIndexes()]);
}

export function aeoTagsOf(authorisations: readonly Pick<AuthorisationDoc, 'type' | 'status'>[]): string[] {
  const tags = new Set<string>();
  for (const { type, status } of authorisations) tags.add(type).add(status).add(`${type}:${status}`);
  return [...tags].sort();
}
