// Identities for tests: the callers of each role, and the tokens that prove them, signed with
// keys made for the test file alone (kit/auth/trust.ts ephemeralTrust).
import { ROLE_SCOPES, type Caller, type Role } from '../../subgraphs/kit/auth/roles';
import { signGatewayToken } from '../../subgraphs/kit/auth/tokens';
import { ephemeralTrust, type Trust } from '../../subgraphs/kit/auth/trust';

export function caller(role: Role, scope: Partial<Pick<Caller, 'memberState' | 'licenceType' | 'programme'>> = {}, id = `test-${role}`): Caller {
  return { id, role, scopes: ROLE_SCOPES[role], ...scope };
}

/** The platform's own service: what most tests that are not about authorisation act as. */
export const SERVICE = caller('service', {}, 'test-service');

/** Trust for subgraphs a test starts on their own. */
export const testTrust: Required<Trust> = await ephemeralTrust();

/** Headers that make a direct call to a subgraph look as if the gateway sent it on behalf of `who`. */
export async function fromGateway(who: Caller = SERVICE, trust: Required<Trust> = testTrust): Promise<Record<string, string>> {
  return { authorization: `Bearer ${await signGatewayToken(who, trust.gatewaySigningKey)}` };
}

/** Headers with an identity token from the local issuer, as a client of the gateway sends them. */
export async function signedIn(who: Caller = SERVICE, trust: Required<Trust> = testTrust): Promise<Record<string, string>> {
  return { authorization: `Bearer ${await trust.localIssuer.issue(who, '10m')}` };
}
