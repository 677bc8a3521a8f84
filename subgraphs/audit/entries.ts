// What POST /audit takes: entries the gateway made, checked field by field before they are
// stored, so the trail holds only well-formed entries whatever the body says.
import { collectionOf, insertNew } from '../kit/bulk';
import type { AuditEntryDoc, AuditKeyDoc, AuditModels, AuditOperationType, AuditOutcome } from './models';

/** Keys a gateway sends for one entry; a key list is cut at this length, not refused. */
export const MAX_KEYS_PER_ENTRY = 10_000;
export const MAX_ENTRIES_PER_BATCH = 5_000;

const OPERATION_TYPES: readonly AuditOperationType[] = ['QUERY', 'MUTATION', 'SUBSCRIPTION'];
const OUTCOMES: readonly AuditOutcome[] = ['OK', 'ERROR'];
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

export class InvalidEntryError extends Error {}

/** The entries of a body `{ entries: [...] }`, or InvalidEntryError naming the first problem. */
export function parseEntries(body: unknown): AuditEntryDoc[] {
  const entries = (body as { entries?: unknown } | null)?.entries;
  if (!Array.isArray(entries)) throw new InvalidEntryError('the body must be {"entries": [...]}');
  if (entries.length > MAX_ENTRIES_PER_BATCH) throw new InvalidEntryError(`a batch holds ${MAX_ENTRIES_PER_BATCH} entries at most`);
  return entries.map((entry: unknown, index) => parseEntry(entry, `entries[${index}]`));
}

function parseEntry(value: unknown, at: string): AuditEntryDoc {
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new InvalidEntryError(`${at} must be an object`);
  const entry = value as Record<string, unknown>;
  const time = text(entry, 'at', at, 30);
  if (!ISO_UTC.test(time) || Number.isNaN(Date.parse(time)))
    throw new InvalidEntryError(`${at}.at must be an ISO 8601 moment in UTC, such as 2025-03-01T14:00:00.000Z`);
  return {
    _id: text(entry, 'id', at, 100),
    at: time,
    subject: text(entry, 'subject', at, 200),
    role: optionalText(entry, 'role', at, 50),
    memberState: optionalText(entry, 'memberState', at, 2),
    licenceType: optionalText(entry, 'licenceType', at, 50),
    programme: optionalText(entry, 'programme', at, 50),
    operationName: optionalText(entry, 'operationName', at, 200),
    operationType: oneOf(entry, 'operationType', at, OPERATION_TYPES, true),
    documentHash: text(entry, 'documentHash', at, 64),
    eoris: keys(entry, 'eoris', at),
    mrns: keys(entry, 'mrns', at),
    outcome: oneOf(entry, 'outcome', at, OUTCOMES, false)!,
    errorCodes: keys(entry, 'errorCodes', at),
  };
}

function text(entry: Record<string, unknown>, field: string, at: string, max: number): string {
  const value = entry[field];
  if (typeof value !== 'string' || value === '' || value.length > max) throw new InvalidEntryError(`${at}.${field} must be text of 1 to ${max} characters`);
  return value;
}

function optionalText(entry: Record<string, unknown>, field: string, at: string, max: number): string | null {
  return entry[field] === undefined || entry[field] === null ? null : text(entry, field, at, max);
}

function oneOf<T extends string>(entry: Record<string, unknown>, field: string, at: string, allowed: readonly T[], nullable: boolean): T | null {
  const value = entry[field];
  if (nullable && (value === undefined || value === null)) return null;
  if (!allowed.includes(value as T)) throw new InvalidEntryError(`${at}.${field} must be one of ${allowed.join(', ')}`);
  return value as T;
}

function keys(entry: Record<string, unknown>, field: string, at: string): string[] {
  const value = entry[field] ?? [];
  if (!Array.isArray(value) || !value.every((key) => typeof key === 'string' && key !== '' && key.length <= 100))
    throw new InvalidEntryError(`${at}.${field} must be a list of texts of 1 to 100 characters`);
  return [...new Set(value as string[])].slice(0, MAX_KEYS_PER_ENTRY);
}

/**
 * Stores every entry whose id is new, then the keys it names; what was stored before (a retried
 * batch, or one that failed half-way) is left as it is, so sending a batch again completes it.
 */
export async function appendEntries(models: AuditModels, entries: readonly AuditEntryDoc[]): Promise<{ stored: number; duplicates: number }> {
  if (entries.length === 0) return { stored: 0, duplicates: 0 };
  const outcome = await insertNew(collectionOf(models.entries), entries);
  const keys: AuditKeyDoc[] = entries.flatMap((entry) =>
    [...entry.eoris, ...entry.mrns].map((value) => ({
      _id: `${entry._id}:${value}`,
      entry: entry._id,
      identifier: value,
      at: entry.at,
      subject: entry.subject,
    })),
  );
  if (keys.length > 0) await insertNew(collectionOf(models.keys), keys);
  return { stored: outcome.inserted, duplicates: outcome.duplicates.length };
}
