// One entry of the audit trail as the gateway sends it to the audit subgraph's POST /audit: the
// one definition of that wire format, for the writer (gateway/audit-recorder.ts) and the store
// (subgraphs/audit).
export type AuditOperationType = 'QUERY' | 'MUTATION' | 'SUBSCRIPTION';
export type AuditOutcome = 'OK' | 'ERROR';

export interface AuditEntry {
  /** "<gateway instance>-<sequence>": made by the gateway, so a batch sent twice is stored once. */
  id: string;
  /** ISO 8601 in UTC (…Z): sorts and compares as text, and fits in a cursor. */
  at: string;
  subject: string;
  role: string | null;
  memberState: string | null;
  licenceType: string | null;
  programme: string | null;
  operationName: string | null;
  operationType: AuditOperationType | null;
  documentHash: string;
  eoris: string[];
  mrns: string[];
  outcome: AuditOutcome;
  errorCodes: string[];
}
