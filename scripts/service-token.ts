// The service credential of a command-line tool: a token from the local issuer naming the tool,
// or, with another issuer, the token in SERVICE_TOKEN_FILE.
import { ROLE_SCOPES } from '../subgraphs/kit/auth/roles';
import { trustFromEnv } from '../subgraphs/kit/auth/trust';

export async function serviceToken(subject: string): Promise<string> {
  const trust = await trustFromEnv();
  if (!trust.localIssuer) return trust.serviceToken();
  return trust.localIssuer.issue({ id: subject, role: 'service', scopes: ROLE_SCOPES.service }, '2h');
}
