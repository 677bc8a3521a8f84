// What a process trusts and how it proves who it is: the identity issuer's keys, the gateway's
// key, and this process's service credential. From the environment (README "Authentication"),
// or made up in memory for a platform inside a test.
//
// The local issuer: unless AUTH_JWKS_URL or AUTH_JWKS_FILE names another issuer, the platform
// is its own, with keys `npm start` creates once in <DATA_DIR>/auth (a directory only its owner
// can read). Holding that directory is holding every role: it is the embedded default's root of
// trust, as the database files beside it are.
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { exportJWK, generateKeyPair, importJWK, type CryptoKey, type JSONWebKeySet, type JWK } from 'jose';
import type { Caller } from './roles';
import { ROLE_SCOPES } from './roles';
import { createIdentityVerifier, DEFAULT_IDENTITY_ALGORITHMS, issueIdentityToken, type IdentityVerifier } from './tokens';

export const LOCAL_ISSUER = 'urn:customs-risk-graph:local-issuer';
export const DEFAULT_AUDIENCE = 'customs-risk-graph';

export interface LocalIssuer {
  issuer: string;
  audience: string;
  /** Signs an identity token for this caller (npm run token, the explorer's demo identities). */
  issue(caller: Caller, expiresIn?: string): Promise<string>;
  /**
   * The secret of the explorer's sign-in link (`npm start` prints it): whoever holds it may pick
   * a demo identity in the explorer, as whoever holds the data directory may run npm run token.
   */
  explorerLoginKey: string;
}

export interface Trust {
  /** Verifies the identity tokens callers send. */
  identity: IdentityVerifier;
  /** Subgraphs verify gateway tokens with it. */
  gatewayPublicKey: CryptoKey;
  /** Only the gateway's process has it. */
  gatewaySigningKey?: CryptoKey;
  /** Present when the platform is its own issuer. */
  localIssuer?: LocalIssuer;
  /** A bearer token that says this process is the platform's `service` (risk engine, ingest). */
  serviceToken(): Promise<string>;
}

const KEY_ALGORITHM = 'EdDSA';
const FILES = {
  issuerPrivate: 'issuer.private.jwk',
  issuerJwks: 'issuer.jwks.json',
  gatewayPrivate: 'gateway.private.jwk',
  gatewayPublic: 'gateway.public.jwk',
  explorerLogin: 'explorer-login.key',
};

/** <DATA_DIR>/auth, or AUTH_DIR. */
export function authDirectory(env: NodeJS.ProcessEnv = process.env): string {
  if (env.AUTH_DIR) return resolve(env.AUTH_DIR);
  const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
  return join(resolve(env.DATA_DIR ?? join(projectRoot, '.data')), 'auth');
}

/** Creates the local issuer's and the gateway's key pairs where they are missing; npm start calls it once. */
export async function ensureLocalKeys(dir: string): Promise<void> {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  if (!existsSync(join(dir, FILES.issuerPrivate))) {
    const { publicJwk, privateJwk } = await newKeyPair('local-issuer');
    writeSecret(join(dir, FILES.issuerJwks), { keys: [publicJwk] });
    writeSecret(join(dir, FILES.issuerPrivate), privateJwk);
  }
  if (!existsSync(join(dir, FILES.explorerLogin))) writeSecret(join(dir, FILES.explorerLogin), randomBytes(24).toString('base64url'));
  if (!existsSync(join(dir, FILES.gatewayPrivate))) {
    const { publicJwk, privateJwk } = await newKeyPair('gateway');
    writeSecret(join(dir, FILES.gatewayPublic), publicJwk);
    writeSecret(join(dir, FILES.gatewayPrivate), privateJwk);
  }
}

export interface TrustFromEnvOptions {
  /** The gateway loads its signing key; nobody else does. */
  gateway?: boolean;
}

/** The trust of a process npm start (or an operator) started, from AUTH_* and the auth directory. */
export async function trustFromEnv(options: { gateway: true }, env?: NodeJS.ProcessEnv): Promise<Trust & Required<Pick<Trust, 'gatewaySigningKey'>>>;
export async function trustFromEnv(options?: TrustFromEnvOptions, env?: NodeJS.ProcessEnv): Promise<Trust>;
export async function trustFromEnv(options: TrustFromEnvOptions = {}, env: NodeJS.ProcessEnv = process.env): Promise<Trust> {
  const dir = authDirectory(env);
  const external = env.AUTH_JWKS_URL || env.AUTH_JWKS_FILE;
  const issuer = env.AUTH_ISSUER ?? (external ? undefined : LOCAL_ISSUER);
  if (!issuer) throw new Error('AUTH_ISSUER must name the issuer whose tokens AUTH_JWKS_URL or AUTH_JWKS_FILE verifies');
  const audience = env.AUTH_AUDIENCE ?? DEFAULT_AUDIENCE;
  const algorithms = env.AUTH_ALGORITHMS ? env.AUTH_ALGORITHMS.split(',').map((alg) => alg.trim()) : [...DEFAULT_IDENTITY_ALGORITHMS];
  if (algorithms.some((alg) => alg === 'none' || alg.startsWith('HS')))
    throw new Error(`AUTH_ALGORITHMS takes asymmetric algorithms only (${DEFAULT_IDENTITY_ALGORITHMS.join(', ')}), not ${algorithms.join(', ')}`);
  const jwks: JSONWebKeySet | URL = env.AUTH_JWKS_URL ? jwksUrl(env.AUTH_JWKS_URL) : readJson<JSONWebKeySet>(env.AUTH_JWKS_FILE ?? join(dir, FILES.issuerJwks));

  const localIssuer = external
    ? undefined
    : localIssuerFrom(await importKey(join(dir, FILES.issuerPrivate)), audience, readJson<string>(join(dir, FILES.explorerLogin)));
  const serviceToken = env.SERVICE_TOKEN_FILE
    ? async () => readFileSync(env.SERVICE_TOKEN_FILE!, 'utf8').trim()
    : localIssuer
      ? serviceTokens(localIssuer)
      : async () => {
          throw new Error('this process has no service credential: set SERVICE_TOKEN_FILE to a file holding a service token from your issuer');
        };
  return {
    identity: createIdentityVerifier({ issuer, audience, algorithms, jwks }),
    gatewayPublicKey: await importKey(env.GATEWAY_PUBLIC_KEY_FILE ?? join(dir, FILES.gatewayPublic)),
    ...(options.gateway && { gatewaySigningKey: await importKey(env.GATEWAY_SIGNING_KEY_FILE ?? join(dir, FILES.gatewayPrivate)) }),
    ...(localIssuer && { localIssuer }),
    serviceToken,
  };
}

/** Fresh keys in memory: a whole platform in one test process trusts only itself. A test that forges tokens brings the issuer's keys. */
export async function ephemeralTrust(options: { issuerKeys?: KeyPair } = {}): Promise<Required<Trust>> {
  const issuerKeys = options.issuerKeys ?? (await newKeyPair('local-issuer'));
  const gatewayKeys = await newKeyPair('gateway');
  const localIssuer = localIssuerFrom(await importJWK(issuerKeys.privateJwk, KEY_ALGORITHM), DEFAULT_AUDIENCE, randomBytes(24).toString('base64url'));
  return {
    identity: createIdentityVerifier({
      issuer: LOCAL_ISSUER,
      audience: DEFAULT_AUDIENCE,
      algorithms: [...DEFAULT_IDENTITY_ALGORITHMS],
      jwks: { keys: [issuerKeys.publicJwk] },
    }),
    gatewayPublicKey: (await importJWK(gatewayKeys.publicJwk, KEY_ALGORITHM)) as CryptoKey,
    gatewaySigningKey: (await importJWK(gatewayKeys.privateJwk, KEY_ALGORITHM)) as CryptoKey,
    localIssuer,
    serviceToken: serviceTokens(localIssuer),
  };
}

/** Keys fetched over plain HTTP could be anyone's: https, unless the issuer runs on this machine. */
function jwksUrl(raw: string): URL {
  const url = new URL(raw);
  const local = ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && local))
    throw new Error(`AUTH_JWKS_URL must be an https URL (or http on this machine), not ${raw}`);
  return url;
}

function localIssuerFrom(key: CryptoKey | Uint8Array, audience: string, explorerLoginKey: string): LocalIssuer {
  return {
    issuer: LOCAL_ISSUER,
    audience,
    explorerLoginKey,
    issue: (caller, expiresIn) => issueIdentityToken(caller, key as CryptoKey, { issuer: LOCAL_ISSUER, audience, expiresIn, keyId: 'local-issuer' }),
  };
}

/** A service token from the local issuer, renewed well before it expires. */
function serviceTokens(issuer: LocalIssuer): () => Promise<string> {
  const service: Caller = { id: 'platform-service', role: 'service', scopes: ROLE_SCOPES.service };
  let current: { token: Promise<string>; renewAt: number } | undefined;
  return () => {
    if (!current || Date.now() >= current.renewAt) current = { token: issuer.issue(service, '15m'), renewAt: Date.now() + 10 * 60_000 };
    return current.token;
  };
}

export interface KeyPair {
  publicJwk: JWK;
  privateJwk: JWK;
}

export async function newKeyPair(keyId: string): Promise<KeyPair> {
  const { publicKey, privateKey } = await generateKeyPair(KEY_ALGORITHM, { extractable: true });
  const base = { kid: keyId, alg: KEY_ALGORITHM, use: 'sig' };
  return { publicJwk: { ...(await exportJWK(publicKey)), ...base }, privateJwk: { ...(await exportJWK(privateKey)), ...base } };
}

async function importKey(path: string): Promise<CryptoKey> {
  const jwk = readJson<JWK>(path);
  return (await importJWK(jwk, KEY_ALGORITHM)) as CryptoKey;
}

function readJson<T>(path: string): T {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new Error(`${path} is missing: npm start creates the local keys on its first run (or set AUTH_DIR, AUTH_JWKS_URL or AUTH_JWKS_FILE)`);
  }
  return JSON.parse(text) as T;
}

/** Written whole (a reader never sees half a key), readable by the owner only. */
function writeSecret(path: string, value: unknown): void {
  const partial = `${path}.${process.pid}.partial`;
  writeFileSync(partial, JSON.stringify(value, null, 2), { mode: 0o600 });
  renameSync(partial, path);
}

/** The explorer's address with its sign-in secret in the fragment, which browsers never send to a server or log. */
export function explorerSignInUrl(explorerUrl: string, issuer: LocalIssuer | undefined): string {
  return issuer ? `${explorerUrl}#login=${issuer.explorerLoginKey}` : explorerUrl;
}
