// The declarations subgraph's collections. Natural keys are `_id`; the arrays of strings beside
// the nested data (parties, commodity codes, containers) exist so filters need no joins.
import { CHANGE_FEED_COLLECTION, ChangeFeed } from '../kit/change-feed';
import { memberStateOf, statesOfParties } from '../kit/auth/rows';
import { backfillMissing } from '../kit/bulk';
import { Schema, type Connection, type Model } from 'mongoose';
import type { ControlOutcome, FilingType, Lane, TransportMode } from './records';

export type PartyRole = 'IMPORTER' | 'DECLARANT' | 'REPRESENTATIVE' | 'SELLER' | 'BUYER';
export type EnsPartyRole = 'CARRIER' | 'CONSIGNOR' | 'CONSIGNEE' | 'NOTIFY_PARTY';

export interface MoneyDoc {
  amount: number;
  currency: string;
}

export interface PartyDoc {
  eori: string | null;
  identificationNumber: string | null;
  name: string | null;
  address: { street: string | null; postcode: string | null; city: string | null; country: string } | null;
  country: string | null;
}

export interface KeyValueDoc {
  key: string;
  value: string;
}

export interface GoodsItemDoc {
  itemNumber: number;
  commodityCode: string;
  description: string;
  originCountry: string;
  netMass: number;
  grossMass: number | null;
  supplementaryUnits: number | null;
  itemAmount: MoneyDoc;
  statisticalValue: MoneyDoc | null;
  supportingDocuments: { type: string; reference: string }[];
  containers: string[];
  nationalData: KeyValueDoc[];
}

/**
 * Derived on every write (and backfilled at start) so that scoping a list to a caller is one
 * indexed equality (kit/auth/rows.ts): the Member State of the office, and of the operators an
 * AEO auditor answers for (importer and declarant; consignee and consignor of an ENS).
 */
export interface ScopeFields {
  memberState: string;
  operatorStates: string[];
}

/**
 * Whose operators' Member States an AEO auditor follows, per kind of filing. This subgraph does not
 * know who issued an operator's AEO authorisation, but an authorisation is issued by the Member
 * State where the operator is established, whose code prefixes its EORI: so the auditor of X sees
 * the declarations whose importer or declarant EORI starts with X (an ENS: consignee or consignor).
 */
export const AUDITED_DECLARATION_ROLES: readonly PartyRole[] = ['IMPORTER', 'DECLARANT'];
export const AUDITED_ENS_ROLES: readonly EnsPartyRole[] = ['CONSIGNEE', 'CONSIGNOR'];

export function declarationScope(doc: Pick<DeclarationDoc, 'officeOfPresentation' | 'partyIndex'>): ScopeFields {
  return { memberState: memberStateOf(doc.officeOfPresentation), operatorStates: statesOfParties(doc.partyIndex, AUDITED_DECLARATION_ROLES) };
}

export function entrySummaryScope(doc: Pick<EntrySummaryDoc, 'officeOfFirstEntry' | 'partyIndex'>): ScopeFields {
  return { memberState: memberStateOf(doc.officeOfFirstEntry), operatorStates: statesOfParties(doc.partyIndex, AUDITED_ENS_ROLES) };
}

/** A control counts where it was made, and for the operators of the declaration it controlled. */
export function controlResultScope(doc: Pick<ControlResultDoc, 'office' | 'partyIndex'>): ScopeFields {
  return { memberState: memberStateOf(doc.office), operatorStates: statesOfParties(doc.partyIndex, AUDITED_DECLARATION_ROLES) };
}

export interface DeclarationDoc extends ScopeFields {
  /** The MRN. */
  _id: string;
  lrn: string;
  declarationType: string;
  acceptanceDate: string;
  officeOfPresentation: string;
  transportMode: TransportMode | null;
  countryOfDispatch: string | null;
  parties: Record<Lowercase<PartyRole>, PartyDoc | null>;
  deliveryTerms: { incoterm: string; place: string | null } | null;
  invoiceTotal: MoneyDoc | null;
  items: GoodsItemDoc[];
  nationalData: KeyValueDoc[];
  /** "IMPORTER:NL123" for every party with an EORI. */
  partyIndex: string[];
  commodityCodes: string[];
  originCountries: string[];
  /** Fingerprints of every version written, the current one last: a replayed older version is recognised and ignored. */
  contentHashes: string[];
}

export interface ControlResultDoc extends ScopeFields {
  /** MRN/item number or -/control type. */
  _id: string;
  mrn: string;
  itemNumber: number | null;
  lane: Lane;
  controlType: string;
  outcome: ControlOutcome;
  irregularityType: string | null;
  severity: 'MINOR' | 'CRITICAL' | null;
  revenueRaised: MoneyDoc | null;
  date: string;
  office: string;
  /** The declaration's party index when the result was recorded: whose statistics it counts in. */
  partyIndex: string[];
  contentHashes: string[];
}

export interface ConsignmentDoc {
  transportDocument: string;
  masterTransportDocument: string | null;
  consignor: PartyDoc;
  consignee: PartyDoc;
  notifyParty: PartyDoc | null;
  placeOfLoading: string;
  placeOfUnloading: string;
  goods: { commodityCode: string; description: string; grossMass: number; packages: number; dangerousGoodsCode: string | null }[];
  containers: { number: string; seals: string[] }[];
}

export interface EntrySummaryDoc extends ScopeFields {
  /** The MRN. */
  _id: string;
  version: number;
  filingType: FilingType;
  officeOfFirstEntry: string;
  expectedArrival: string;
  transportMode: TransportMode | null;
  carrier: PartyDoc;
  consignments: ConsignmentDoc[];
  lodgedAt: string;
  amendedAt: string | null;
  /** "CONSIGNEE:NL123" for every party with an EORI. */
  partyIndex: string[];
  containerNumbers: string[];
  contentHashes: string[];
}

/** What a change feed entry of this subgraph announces; the key is an MRN, or a control result's id. */
export type ChangeKind = 'DECLARATION' | 'ENTRY_SUMMARY_DECLARATION' | 'CONTROL_RESULT';

/** A change feed entry as Change resolvers receive it. */
export interface ChangeParent {
  sequence: number;
  kind: ChangeKind;
  mrn: string;
  controlResultId: string | null;
}

export interface DeclarationsModels {
  declarations: Model<DeclarationDoc>;
  controlResults: Model<ControlResultDoc>;
  entrySummaries: Model<EntrySummaryDoc>;
  /** Every committed write, in order: what risk screening and learning follow. */
  changeFeed: ChangeFeed;
}

// Documents are validated by validate.ts before they get here; the schemas give shape and indexes.
const loose = { versionKey: false, strict: false, _id: false } as const;

const declarationSchema = new Schema<DeclarationDoc>({ _id: String }, { ...loose, _id: true });
declarationSchema.index({ partyIndex: 1, acceptanceDate: -1 });
declarationSchema.index({ acceptanceDate: -1 });
declarationSchema.index({ commodityCodes: 1 });
declarationSchema.index({ memberState: 1, acceptanceDate: -1 });
declarationSchema.index({ operatorStates: 1, acceptanceDate: -1 });

const controlResultSchema = new Schema<ControlResultDoc>({ _id: String, mrn: String }, { ...loose, _id: true });
controlResultSchema.index({ mrn: 1 });
controlResultSchema.index({ partyIndex: 1, outcome: 1 });
controlResultSchema.index({ date: -1 });
controlResultSchema.index({ memberState: 1, date: -1 });
controlResultSchema.index({ operatorStates: 1, date: -1 });

const entrySummarySchema = new Schema<EntrySummaryDoc>({ _id: String }, { ...loose, _id: true });
entrySummarySchema.index({ containerNumbers: 1 });
entrySummarySchema.index({ partyIndex: 1 });
entrySummarySchema.index({ expectedArrival: 1 });
entrySummarySchema.index({ memberState: 1, expectedArrival: 1 });
entrySummarySchema.index({ operatorStates: 1, expectedArrival: 1 });

export const COLLECTIONS = {
  declarations: 'declarations',
  controlResults: 'controlResults',
  entrySummaries: 'entrySummaryDeclarations',
  changeFeed: CHANGE_FEED_COLLECTION,
} as const;

export function createDeclarationsModels(connection: Connection): DeclarationsModels {
  return {
    declarations: connection.model<DeclarationDoc>('Declaration', declarationSchema, COLLECTIONS.declarations),
    controlResults: connection.model<ControlResultDoc>('ControlResult', controlResultSchema, COLLECTIONS.controlResults),
    entrySummaries: connection.model<EntrySummaryDoc>('EntrySummaryDeclaration', entrySummarySchema, COLLECTIONS.entrySummaries),
    changeFeed: ChangeFeed.create(connection),
  };
}

export async function prepareDeclarationsModels(models: DeclarationsModels): Promise<void> {
  const { declarations, controlResults, entrySummaries } = models;
  await Promise.all([declarations.createIndexes(), controlResults.createIndexes(), entrySummaries.createIndexes()]);
  await Promise.all([
    // Documents written before the scope fields existed get them once.
    backfillMissing(declarations, 'memberState', { officeOfPresentation: 1, partyIndex: 1 }, declarationScope),
    backfillMissing(entrySummaries, 'memberState', { officeOfFirstEntry: 1, partyIndex: 1 }, entrySummaryScope),
    backfillMissing(controlResults, 'memberState', { office: 1, partyIndex: 1 }, controlResultScope),
  ]);
}

/** What this subgraph knows of an operator: its key. The AEO subgraph owns the rest. */
export interface OperatorRef {
  eori: string;
}

export type DeclarationPartiesDoc = DeclarationDoc['parties'];

/** A goods item with the MRN of its declaration, as GoodsItem resolvers receive it. */
export type GoodsItemParent = GoodsItemDoc & { mrn: string; importerEori: string | null; acceptanceDate: string };

export interface ContainerSightingParent {
  entrySummary: EntrySummaryDoc;
  consignment: ConsignmentDoc;
}
