// One demo identity per role, for the local issuer only: `npm run token -- --as auditor-nl` and
// the explorer's identity picker use them, and the README lists them.
import { ROLE_SCOPES, type Caller, type Role } from './roles';

export interface DemoIdentity {
  name: string;
  description: string;
  caller: Caller;
}

function identity(name: string, role: Role, scope: Partial<Pick<Caller, 'memberState' | 'licenceType' | 'programme'>>, description: string): DemoIdentity {
  return { name, description, caller: { id: `demo-${name}`, role, scopes: ROLE_SCOPES[role], ...scope } };
}

/** The demo data is Dutch (every KCS declaration is lodged at an NL office), so most identities are too. */
export const DEMO_IDENTITIES: readonly DemoIdentity[] = [
  identity('officer-nl', 'customs-officer', { memberState: 'NL' }, 'Dutch customs officer: NL declarations, the NL control queue, lanes and scores'),
  identity('analyst-nl', 'risk-analyst', { memberState: 'NL' }, 'Dutch risk analyst: as the officer, plus reasons, profiles, models and NL rules'),
  identity('officer-de', 'customs-officer', { memberState: 'DE' }, 'German customs officer: sees none of the Dutch declarations'),
  identity('commission', 'commission-analyst', {}, 'Commission analyst: every Member State, EU-wide rules'),
  identity('auditor-nl', 'aeo-auditor', { memberState: 'NL' }, 'Dutch AEO auditor: operators EU-wide; filings of operators NL authorised'),
  identity('ched-nl', 'licensing-authority', { memberState: 'NL', licenceType: 'CHED' }, 'Dutch veterinary authority: NL CHEDs and their usage'),
  identity('partner-us', 'mra-partner', { programme: 'US-CTPAT' }, 'US CBP (C-TPAT): recognition status of consenting EU operators only'),
  identity('dpo', 'data-protection-officer', {}, 'Data protection officer: the audit trail, nothing else'),
];

export function demoIdentity(name: string): DemoIdentity | undefined {
  return DEMO_IDENTITIES.find((candidate) => candidate.name === name);
}
