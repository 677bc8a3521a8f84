// Who sent an HTTP request, for the services that answer it.
import { rememberingVerifier } from './token-cache';
import type { IncomingMessage } from 'node:http';
import { GraphQLError } from 'graphql';
import type { Caller } from './roles';
import { AuthenticationError, bearerToken, verifyGatewayToken } from './tokens';
import type { Trust } from './trust';

/** A subgraph's GraphQL endpoint: the gateway's token, and nothing else. */
export async function callerFromGateway(req: IncomingMessage, trust: Pick<Trust, 'gatewayPublicKey'>, audience?: string): Promise<Caller> {
  const token = bearerToken(req.headers.authorization);
  if (!token) throw new AuthenticationError('this subgraph answers the gateway only: send your request to the gateway, with your bearer token');
  return verifierFor(trust.gatewayPublicKey, audience)(token);
}

/** One remembering verifier per key and audience: a subgraph verifies each gateway token once, not once per fetch. */
const verifiers = new WeakMap<object, Map<string | undefined, (token: string) => Promise<Caller>>>();
function verifierFor(key: Trust['gatewayPublicKey'] & object, audience: string | undefined): (token: string) => Promise<Caller> {
  let byAudience = verifiers.get(key);
  if (!byAudience) verifiers.set(key, (byAudience = new Map()));
  let verifier = byAudience.get(audience);
  if (!verifier) byAudience.set(audience, (verifier = rememberingVerifier((token) => verifyGatewayToken(token, key, audience))));
  return verifier;
}

/** An endpoint callers reach directly (a subgraph's /ingest and /jobs, the gateway): their identity token. */
export async function callerFromIdentity(req: IncomingMessage, trust: Pick<Trust, 'identity'>): Promise<Caller | undefined> {
  const token = bearerToken(req.headers.authorization);
  return token ? identityVerifierFor(trust.identity)(token) : undefined;
}

/** Callers send the same identity token for hours: it is verified once, and remembered until it expires. */
const identityVerifiers = new WeakMap<Trust['identity'], (token: string) => Promise<Caller>>();
function identityVerifierFor(identity: Trust['identity']): (token: string) => Promise<Caller> {
  let verifier = identityVerifiers.get(identity);
  if (!verifier) identityVerifiers.set(identity, (verifier = rememberingVerifier((token) => identity.verify(token))));
  return verifier;
}

/** The error GraphQL answers with, HTTP 401 included, when a request proves no identity. */
export function unauthenticated(error: unknown): GraphQLError {
  const message = error instanceof AuthenticationError ? error.message : 'the request could not be authenticated';
  return new GraphQLError(message, { extensions: { code: 'UNAUTHENTICATED', http: { status: 401, headers: new Map([['www-authenticate', 'Bearer']]) } } });
}
