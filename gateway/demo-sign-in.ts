// The explorer's demo identities, with the local issuer only:
//
//   GET  /auth/demo-identities        → { identities: [{ name, description, role, ... }] }
//   POST /auth/demo-token { identity } → { token, expiresIn }   with header x-explorer-login: <key>
//
// The key is the secret of the sign-in link npm start prints (kit/auth/trust.ts). Without it a
// demo identity is no easier to get than any other token.
import { timingSafeEqual } from 'node:crypto';
import { DEMO_IDENTITIES, demoIdentity } from '../subgraphs/kit/auth/demo-identities';
import type { LocalIssuer } from '../subgraphs/kit/auth/trust';
import { readBody, sendJson, type Route } from '../subgraphs/kit/http';

const DEMO_TOKEN_LIFETIME = '8h';

export function demoSignInRoute(issuer: LocalIssuer | undefined): Route {
  return async (req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (path !== '/auth/demo-identities' && path !== '/auth/demo-token') return false;
    if (!issuer) {
      sendJson(res, 404, { code: 'NOT_FOUND', error: 'demo identities exist only with the local issuer; sign in with a token from your identity provider' });
      return true;
    }
    if (path === '/auth/demo-identities') {
      const identities = DEMO_IDENTITIES.map(({ name, description, caller }) => ({
        name,
        description,
        role: caller.role,
        memberState: caller.memberState ?? null,
        licenceType: caller.licenceType ?? null,
        programme: caller.programme ?? null,
      }));
      sendJson(res, 200, { identities });
      return true;
    }
    if (req.method !== 'POST') {
      sendJson(res, 405, { code: 'METHOD_NOT_ALLOWED', error: '/auth/demo-token takes POST' });
      return true;
    }
    if (!sameSecret(req.headers['x-explorer-login'], issuer.explorerLoginKey)) {
      sendJson(res, 401, { code: 'UNAUTHENTICATED', error: 'open the explorer with the sign-in link npm start printed (…/#login=…) to pick a demo identity' });
      return true;
    }
    const body = await readBody(req, 4 * 1024);
    let name: unknown;
    try {
      name = (JSON.parse(body ?? '') as { identity?: unknown }).identity;
    } catch {
      name = undefined;
    }
    const chosen = typeof name === 'string' ? demoIdentity(name) : undefined;
    if (!chosen) {
      sendJson(res, 400, { code: 'BAD_USER_INPUT', error: `identity must be one of ${DEMO_IDENTITIES.map((each) => each.name).join(', ')}` });
      return true;
    }
    sendJson(res, 200, { token: await issuer.issue(chosen.caller, DEMO_TOKEN_LIFETIME), expiresIn: DEMO_TOKEN_LIFETIME });
    return true;
  };
}

function sameSecret(given: string | string[] | undefined, expected: string): boolean {
  if (typeof given !== 'string') return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
