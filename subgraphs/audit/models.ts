// The audit subgraph's one collection: entries, only ever inserted. Nothing in the code base
// updates or deletes one (test/security/audit.test.ts keeps it so).
import { Schema, type Connection, type Model } from 'mongoose';
import type { AuditEntry } from '../kit/audit-entry';

export type { AuditOperationType, AuditOutcome } from '../kit/audit-entry';

/** An entry as stored: the gateway's entry, its id as the document's. */
export type AuditEntryDoc = Omit<AuditEntry, 'id'> & { _id: string };

/**
 * One EORI or MRN an entry names, as a document of its own: the index the trail is searched by
 * trader or declaration. (An index on the entries' key arrays would not do: FerretDB's
 * PostgreSQL backend indexes an array as one value, which a page of 200 filings makes larger
 * than a btree row may be, and which a lookup by one element cannot use.)
 */
export interface AuditKeyDoc {
  /** "<entry id>:<key>": a batch sent twice stores each key once. */
  _id: string;
  entry: string;
  identifier: string;
  at: string;
  subject: string;
}

export interface AuditModels {
  entries: Model<AuditEntryDoc>;
  keys: Model<AuditKeyDoc>;
}

export function createAuditModels(connection: Connection): AuditModels {
  const entries = new Schema({ _id: String }, { versionKey: false, strict: false });
  for (const field of ['at', 'subject']) entries.index({ [field]: 1 });
  const keys = new Schema({ _id: String }, { versionKey: false, strict: false });
  keys.index({ identifier: 1 });
  return {
    entries: connection.model<AuditEntryDoc>('AuditEntry', entries, 'auditEntries'),
    keys: connection.model<AuditKeyDoc>('AuditKey', keys, 'auditKeys'),
  };
}
