// The per-request context every resolver receives.
import type { IncomingHttpHeaders } from 'node:http';

/**
 * Who is calling, as the gateway forwards it. Authorisation decisions come later;
 * resolvers that need them read this, so the seam is already in place.
 */
export interface Caller {
  id: string;
  roles: readonly string[];
}

export const ANONYMOUS: Caller = { id: 'anonymous', roles: [] };

/** Headers that carry the caller's identity, from the client through the gateway to subgraphs. */
export const IDENTITY_HEADERS = ['x-caller-id', 'x-caller-roles', 'authorization'] as const;

export function callerFromHeaders(headers: IncomingHttpHeaders): Caller {
  const id = single(headers['x-caller-id'])?.trim();
  const roles = single(headers['x-caller-roles'])
    ?.split(',')
    .map((role) => role.trim())
    .filter(Boolean);
  return { id: id || ANONYMOUS.id, roles: roles ?? [] };
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** Models are bound to the subgraph's own connection; loaders are fresh for every request. */
export interface SubgraphContext<TModels, TLoaders> {
  caller: Caller;
  models: TModels;
  loaders: TLoaders;
}
