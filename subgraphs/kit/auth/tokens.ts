// Bearer tokens, with jose. Two kinds, never interchangeable:
//
// - identity tokens say who a person or service is. An OpenID Connect issuer signs them (keys
//   from its JWKS URL or a JWKS file), or, by default, the platform's local issuer, whose key
//   `npm start` keeps in the data directory. The gateway verifies them, and a subgraph verifies
//   the `service` ones its bulk and job endpoints take.
// - gateway tokens carry a verified caller from the gateway to a subgraph for one minute. Only
//   the gateway holds their signing key, so a subgraph that answers only them answers only the
//   gateway: not a direct call on its port, not a header a client made up.
import { randomUUID } from 'node:crypto';
import { createLocalJWKSet, createRemoteJWKSet, errors, jwtVerify, SignJWT, type CryptoKey, type JSONWebKeySet, type JWTVerifyGetKey } from 'jose';
import { callerFromClaims, claimsOfCaller, InvalidCallerError, type Caller } from './roles';

/** Asymmetric algorithms only: no `none`, no HMAC, so a public key can never be used as a shared secret. */
export const DEFAULT_IDENTITY_ALGORITHMS = ['EdDSA', 'ES256', 'ES384', 'RS256', 'PS256'] as const;
const GATEWAY_ALGORITHM = 'EdDSA';
const GATEWAY_ISSUER = 'urn:customs-risk-graph:gateway';
const GATEWAY_AUDIENCE = 'urn:customs-risk-graph:subgraphs';
/** What the gateway sends in its own name to the audit trail: a token no subgraph's /graphql takes. */
export const AUDIT_AUDIENCE = 'urn:customs-risk-graph:audit';
const GATEWAY_TOKEN_SECONDS = 60;

/** A token that was missing, malformed, expired, for someone else or signed by the wrong key. */
export class AuthenticationError extends Error {
  readonly code = 'UNAUTHENTICATED';
}

export interface IdentitySettings {
  issuer: string;
  audience: string;
  algorithms: readonly string[];
  /** The issuer's public keys: a JWKS document, or its URL (fetched and cached by jose). */
  jwks: JSONWebKeySet | URL;
}

export interface IdentityVerifier {
  verify(token: string): Promise<Caller>;
}

/** An identity token older than this is refused, whatever its expiry says: there is no revocation list. */
export const MAX_IDENTITY_TOKEN_AGE = '24h';

export function createIdentityVerifier(settings: IdentitySettings): IdentityVerifier {
  const keys: JWTVerifyGetKey = settings.jwks instanceof URL ? createRemoteJWKSet(settings.jwks) : createLocalJWKSet(settings.jwks);
  return {
    async verify(token) {
      return verifyCaller(token, keys, {
        issuer: settings.issuer,
        audience: settings.audience,
        algorithms: [...settings.algorithms],
        maxTokenAge: MAX_IDENTITY_TOKEN_AGE,
      });
    },
  };
}

/** Signs a caller on to the subgraphs; the gateway alone holds the key. */
export async function signGatewayToken(caller: Caller, key: CryptoKey, audience: string = GATEWAY_AUDIENCE): Promise<string> {
  return new SignJWT({ ...claimsOfCaller(caller) })
    .setProtectedHeader({ alg: GATEWAY_ALGORITHM, typ: 'JWT' })
    .setIssuer(GATEWAY_ISSUER)
    .setAudience(audience)
    .setIssuedAt()
    .setJti(randomUUID())
    .setExpirationTime(`${GATEWAY_TOKEN_SECONDS}s`)
    .sign(key);
}

export async function verifyGatewayToken(token: string, key: CryptoKey, audience: string = GATEWAY_AUDIENCE): Promise<Caller> {
  return verifyCaller(token, key, { issuer: GATEWAY_ISSUER, audience, algorithms: [GATEWAY_ALGORITHM] });
}

export interface IssueOptions {
  issuer: string;
  audience: string;
  /** Lifetime, as jose reads it: "8h", "10m". */
  expiresIn?: string;
  keyId?: string;
}

/** An identity token from the local issuer: npm run token, demo identities, services and tests. */
export async function issueIdentityToken(caller: Caller, key: CryptoKey, options: IssueOptions): Promise<string> {
  return new SignJWT({ ...claimsOfCaller(caller) })
    .setProtectedHeader({ alg: 'EdDSA', typ: 'JWT', ...(options.keyId && { kid: options.keyId }) })
    .setIssuer(options.issuer)
    .setAudience(options.audience)
    .setIssuedAt()
    .setJti(randomUUID())
    .setExpirationTime(options.expiresIn ?? '8h')
    .sign(key);
}

/** The token of an `Authorization: Bearer <token>` header; undefined without one. */
export function bearerToken(header: string | string[] | undefined): string | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined || value === '') return undefined;
  const match = /^Bearer\s+([A-Za-z0-9._~+/-]+=*)\s*$/i.exec(value);
  if (!match) throw new AuthenticationError('the Authorization header must be "Bearer <token>"');
  return match[1];
}

async function verifyCaller(
  token: string,
  key: CryptoKey | JWTVerifyGetKey,
  options: { issuer: string; audience: string; algorithms: string[]; maxTokenAge?: string },
): Promise<Caller> {
  try {
    // Half a minute of clock difference between the issuer's machine and this one is forgiven.
    const { payload } = await jwtVerify(token, key as JWTVerifyGetKey, { ...options, clockTolerance: 30, requiredClaims: ['exp', 'iat', 'sub'] });
    return callerFromClaims(payload);
  } catch (error) {
    throw new AuthenticationError(`the bearer token was refused: ${reason(error)}`);
  }
}

/** Why a token was refused, in words that help its holder and say nothing about the keys. */
function reason(error: unknown): string {
  if (error instanceof InvalidCallerError) return error.message;
  if (error instanceof errors.JWTExpired) return 'it has expired';
  if (error instanceof errors.JWTClaimValidationFailed) return `its ${error.claim} claim is not what this platform accepts`;
  if (error instanceof errors.JOSEAlgNotAllowed) return 'it is signed with an algorithm this platform does not accept';
  if (error instanceof errors.JWSSignatureVerificationFailed || error instanceof errors.JWKSNoMatchingKey) return 'its signature does not match a trusted key';
  if (error instanceof errors.JWSInvalid || error instanceof errors.JWTInvalid) return 'it is not a well-formed signed JWT';
  return 'it could not be verified';
}
