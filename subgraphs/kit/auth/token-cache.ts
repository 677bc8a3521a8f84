// Signing and verifying an Ed25519 token costs the gateway and each subgraph about a millisecond
// of CPU, and an operation makes one token that its subgraphs verify once per fetch. Both are
// kept for a while instead: a token the gateway signed, for half its life, for the next request
// of the same caller; a token verified (a subgraph's gateway token, the gateway's identity token),
// until it expires or for a minute at most. A cached verification is
// keyed by the token's exact text, signature included, so it vouches for nothing else.
import { decodeJwt } from 'jose';
import { claimsOfCaller, type Caller } from './roles';

const MAX_ENTRIES = 10_000;

/** Signs at most once per caller per `reuseMs`: the same claims get the same token meanwhile. */
export function reusingSigner(sign: (caller: Caller) => Promise<string>, reuseMs: number, now: () => number = Date.now): (caller: Caller) => Promise<string> {
  const signed = new Map<string, { token: Promise<string>; until: number }>();
  return (caller) => {
    const key = JSON.stringify(claimsOfCaller(caller));
    const kept = signed.get(key);
    if (kept && kept.until > now()) return kept.token;
    const token = sign(caller);
    remember(signed, key, { token, until: now() + reuseMs });
    token.catch(() => signed.delete(key));
    return token;
  };
}

/**
 * Verifies each token text once; later requests with the same text get the same caller until the
 * token expires, or for `maxAgeMs` at most: so a key withdrawn or a policy changed takes effect
 * within that time even for tokens that live for hours.
 */
export function rememberingVerifier(
  verify: (token: string) => Promise<Caller>,
  maxAgeMs = 60_000,
  now: () => number = Date.now,
): (token: string) => Promise<Caller> {
  const verified = new Map<string, { caller: Caller; expiresAt: number }>();
  return async (token) => {
    const kept = verified.get(token);
    if (kept && kept.expiresAt > now()) return kept.caller;
    verified.delete(token);
    const caller = await verify(token);
    const { exp } = decodeJwt(token);
    if (typeof exp === 'number') remember(verified, token, { caller, expiresAt: Math.min(exp * 1000, now() + maxAgeMs) });
    return caller;
  };
}

/** Insertion order is age: past the limit, the oldest entry goes. */
function remember<K, V>(map: Map<K, V>, key: K, value: V): void {
  map.delete(key);
  map.set(key, value);
  if (map.size > MAX_ENTRIES) map.delete(map.keys().next().value!);
}
