// Telling a replay from a new request. A write that timed out may or may not have been applied,
// so its caller sends it again. Where a mutation's natural key cannot tell the two apart (a status
// an authorisation can reach again and again, a goods item drawing on a licence), a key is stored
// with the effect, in the same document and the same update, so that a replay finds it and
// changes nothing. A key that comes back with another request is refused rather than taken for a
// replay: that request would otherwise be answered as done and never applied.
import { badUserInput, conflict } from './errors';

const KEY_FORMAT = /^[\x21-\x7e]{1,100}$/;

/** The caller's own key for one write, if it sent one: 1 to 100 printable ASCII characters, a UUID for instance. */
export function optionalIdempotencyKey(value: unknown, field = 'idempotencyKey'): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string' || !KEY_FORMAT.test(value)) {
    throw badUserInput(field, `must be 1 to 100 printable ASCII characters without spaces, such as a UUID, not ${JSON.stringify(value)}`);
  }
  return value;
}

/**
 * Refuses a request that reuses the key of an earlier write with other values. `stored` holds what
 * the earlier write did, `given` what this request asks for; only the fields the request gave are
 * compared, so a replay that leaves out an optional field (a date that defaults to today) is still
 * a replay.
 */
export function requireSameRequest(key: string, write: string, stored: object, given: Record<string, unknown>): void {
  const before = stored as Record<string, unknown>;
  const differing = Object.keys(given).filter((field) => given[field] !== undefined && given[field] !== null && given[field] !== before[field]);
  if (differing.length === 0) return;
  const details = differing.map((field) => `${field} ${JSON.stringify(before[field])}, not ${JSON.stringify(given[field])}`).join('; ');
  throw conflict(`The key ${key} already names ${write}, with ${details}: a replay must send the same values, and a new write needs a new key`, {
    idempotencyKey: key,
    fields: differing,
  });
}
