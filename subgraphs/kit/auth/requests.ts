// Who sent an HTTP request, for the services that answer it.
import type { IncomingMessage } from 'node:http';
import { GraphQLError } from 'graphql';
import type { Caller } from './roles';
import { AuthenticationError, bearerToken, verifyGatewayToken } from './tokens';
import type { Trust } from './trust';

/** A subgraph's GraphQL endpoint: the gateway's token, and nothing else. */
export async function callerFromGateway(req: IncomingMessage, trust: Pick<Trust, 'gatewayPublicKey'>, audience?: string): Promise<Caller> {
  const token = bearerToken(req.headers.authorization);
  if (!token) throw new AuthenticationError('this subgraph answers the gateway only: send your request to the gateway, with your bearer token');
  return verifyGatewayToken(token, trust.gatewayPublicKey, audience);
}

/** An endpoint callers reach directly (a subgraph's /ingest and /jobs, the gateway): their identity token. */
export async function callerFromIdentity(req: IncomingMessage, trust: Pick<Trust, 'identity'>): Promise<Caller | undefined> {
  const token = bearerToken(req.headers.authorization);
  return token ? trust.identity.verify(token) : undefined;
}

/** The error GraphQL answers with, HTTP 401 included, when a request proves no identity. */
export function unauthenticated(error: unknown): GraphQLError {
  const message = error instanceof AuthenticationError ? error.message : 'the request could not be authenticated';
  return new GraphQLError(message, { extensions: { code: 'UNAUTHENTICATED', http: { status: 401, headers: new Map([['www-authenticate', 'Bearer']]) } } });
}
