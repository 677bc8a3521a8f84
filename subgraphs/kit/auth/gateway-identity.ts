// The gateway's own identity, for what it sends in its own name (entries for the audit trail)
// rather than on behalf of a caller. No caller may hold it: the gateway refuses the subject.
import { ROLE_SCOPES, type Caller } from './roles';

export const GATEWAY_SUBJECT = 'gateway';

export const GATEWAY_IDENTITY: Caller = { id: GATEWAY_SUBJECT, role: 'service', scopes: ROLE_SCOPES.service };

/**
 * Subjects no token may name: the gateway's own, and those the audit trail gives requests refused
 * before anyone was known; a caller holding one could hide among them.
 */
export const RESERVED_SUBJECTS: ReadonlySet<string> = new Set([GATEWAY_SUBJECT, 'anonymous', 'unverified', 'impostor']);

export function isGatewayIdentity(caller: Caller): boolean {
  return caller.id === GATEWAY_SUBJECT && caller.role === 'service';
}
