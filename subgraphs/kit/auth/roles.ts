// Who may do what: the platform's roles, the scopes each one holds, and the caller a verified
// token describes. Scopes name what the schema's @requiresScopes asks for; rows (which Member
// State, licence type or programme) are the subgraphs' business, from the caller's scope fields.
import { EU_MEMBER_STATES } from '../countries';

export const ROLES = [
  'customs-officer',
  'risk-analyst',
  'commission-analyst',
  'aeo-auditor',
  'licensing-authority',
  'mra-partner',
  'service',
  'data-protection-officer',
] as const;
export type Role = (typeof ROLES)[number];

export const SCOPES = [
  'operators:read',
  'recognition:read',
  'declarations:read',
  'licences:read',
  'assessments:read',
  'risk-details:read',
  'rules:read',
  'risk-information:read',
  'indicators:read',
  'audit:read',
  'controls:write',
  'rules:write',
  'risk-information:write',
  'crisis-alerts:write',
  'screen',
  'aeo:write',
  'operators:write',
  'consent:write',
  'licences:write',
  'partners:write',
  'lanes:write',
  'declarations:write',
  'ingest',
  'jobs',
] as const;
export type Scope = (typeof SCOPES)[number];

const OFFICIAL_READS: Scope[] = ['operators:read', 'recognition:read', 'declarations:read', 'licences:read', 'assessments:read'];

/** The one table of what each role holds; README "Who may see what" shows it. */
export const ROLE_SCOPES: Record<Role, readonly Scope[]> = {
  'customs-officer': [...OFFICIAL_READS, 'indicators:read', 'controls:write'],
  'risk-analyst': [
    ...OFFICIAL_READS,
    'risk-details:read',
    'rules:read',
    'risk-information:read',
    'indicators:read',
    'rules:write',
    'risk-information:write',
    'screen',
  ],
  'commission-analyst': [
    ...OFFICIAL_READS,
    'risk-details:read',
    'rules:read',
    'risk-information:read',
    'indicators:read',
    'rules:write',
    'risk-information:write',
    'crisis-alerts:write',
    'screen',
    'lanes:write',
  ],
  'aeo-auditor': ['operators:read', 'recognition:read', 'declarations:read', 'licences:read', 'aeo:write', 'operators:write', 'consent:write'],
  'licensing-authority': ['operators:read', 'licences:read', 'licences:write'],
  'mra-partner': ['recognition:read', 'partners:write'],
  service: [
    ...OFFICIAL_READS,
    'risk-details:read',
    'rules:read',
    'risk-information:read',
    'indicators:read',
    'screen',
    'aeo:write',
    'operators:write',
    'licences:write',
    'partners:write',
    'declarations:write',
    'controls:write',
    'ingest',
    'jobs',
  ],
  'data-protection-officer': ['audit:read'],
};

/** What each role is scoped to; a token for the role must carry it. */
export const ROLE_SCOPE_CLAIM: Partial<Record<Role, 'member_state' | 'licence_type' | 'programme'>> = {
  'customs-officer': 'member_state',
  'risk-analyst': 'member_state',
  'aeo-auditor': 'member_state',
  'licensing-authority': 'licence_type',
  'mra-partner': 'programme',
};

/**
 * What a licensing authority is responsible for: one family of the licences subgraph's types
 * (CHED covers CHED_A, CHED_P, CHED_PP and CHED_D, which one veterinary authority issues).
 */
export const LICENCE_FAMILIES = ['CHED', 'DUAL_USE', 'CATCH_CERTIFICATE', 'CITES', 'FLEGT'] as const;

export function licenceFamily(licenceType: string): string {
  return licenceType.startsWith('CHED') ? 'CHED' : licenceType;
}

export interface Caller {
  /** The token's subject, recorded beside every write and in the audit trail. */
  id: string;
  role?: Role;
  /** Two-letter code, for roles scoped to one Member State (and a licensing authority's). */
  memberState?: string;
  licenceType?: string;
  /** MRA programme code, for a partner administration. */
  programme?: string;
  scopes: readonly Scope[];
}

export const ANONYMOUS: Caller = { id: 'anonymous', scopes: [] };

/** The caller a request context carries (gateway or subgraph); anonymous where it carries none. */
export function callerOf(context: unknown): Caller {
  const caller = typeof context === 'object' && context !== null && 'caller' in context ? (context as { caller: unknown }).caller : undefined;
  return typeof caller === 'object' && caller !== null && Array.isArray((caller as Caller).scopes) ? (caller as Caller) : ANONYMOUS;
}

export function hasScope(caller: Caller, scope: Scope): boolean {
  return caller.scopes.includes(scope);
}

/** The claims of a verified token that say who the caller is. */
export interface CallerClaims {
  sub?: unknown;
  role?: unknown;
  member_state?: unknown;
  licence_type?: unknown;
  programme?: unknown;
}

export class InvalidCallerError extends Error {}

/** The caller a token describes; claims that do not fit a role (a missing Member State, say) are refused. */
export function callerFromClaims(claims: CallerClaims): Caller {
  const { sub, role } = claims;
  if (typeof sub !== 'string' || !sub.trim() || sub.length > 200) throw new InvalidCallerError('the token has no subject (sub)');
  if (typeof role !== 'string' || !(ROLES as readonly string[]).includes(role))
    throw new InvalidCallerError(`the token's role must be one of ${ROLES.join(', ')}; it is ${JSON.stringify(role ?? null)}`);
  const caller: Caller = { id: sub, role: role as Role, scopes: ROLE_SCOPES[role as Role] };
  const scopedBy = ROLE_SCOPE_CLAIM[role as Role];
  const memberState = claims.member_state;
  const takesMemberState = scopedBy === 'member_state' || role === 'licensing-authority';
  // A Member State on an EU-wide role would be ignored by its rows and fail its policies: say so instead.
  if (memberState !== undefined && !takesMemberState)
    throw new InvalidCallerError(`a token for the ${role} role carries no member_state: the role is not scoped to one`);
  if (takesMemberState) {
    if (typeof memberState !== 'string' || !EU_MEMBER_STATES.includes(memberState))
      throw new InvalidCallerError(
        `a token for the ${role} role needs member_state, a two-letter EU Member State code; it is ${JSON.stringify(memberState ?? null)}`,
      );
    caller.memberState = memberState;
  }
  if (scopedBy === 'licence_type') {
    if (typeof claims.licence_type !== 'string' || !(LICENCE_FAMILIES as readonly string[]).includes(claims.licence_type))
      throw new InvalidCallerError(`a token for the licensing-authority role needs licence_type, one of ${LICENCE_FAMILIES.join(', ')}`);
    caller.licenceType = claims.licence_type;
  }
  if (scopedBy === 'programme') {
    if (typeof claims.programme !== 'string' || !/^[A-Z]{2}-[A-Z0-9-]{2,30}$/.test(claims.programme))
      throw new InvalidCallerError('a token for the mra-partner role needs programme, an MRA programme code such as US-CTPAT');
    caller.programme = claims.programme;
  }
  return caller;
}

/** The claims that describe a caller, for signing it on (the gateway to subgraphs, npm run token). */
export function claimsOfCaller(caller: Caller): CallerClaims & { sub: string } {
  return {
    sub: caller.id,
    ...(caller.role && { role: caller.role }),
    ...(caller.memberState && { member_state: caller.memberState }),
    ...(caller.licenceType && { licence_type: caller.licenceType }),
    ...(caller.programme && { programme: caller.programme }),
  };
}
