// The gateway's executor asks a subgraph for an entity once per place it appears in the answer:
// ten queue entries of one importer send that importer's representation ten times. Each is sent
// once instead, and the subgraph's answer is spread back over every place that asked for it,
// errors included, so nothing downstream can tell.
import type { GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import type { GraphQLFormattedError } from 'graphql';

export interface DedupedEntities {
  /** The variables to send: each distinct representation once. */
  variables: Record<string, unknown>;
  /** The subgraph's answer, spread back over the representations as the executor sent them. */
  expand(response: GatewayGraphQLResponse): GatewayGraphQLResponse;
}

/** Undefined when there is nothing to save: no representations, or none repeated. */
export function dedupeEntities(variables: Record<string, unknown> | undefined): DedupedEntities | undefined {
  const representations = variables?.representations;
  if (!Array.isArray(representations) || representations.length < 2) return undefined;
  const positions = new Map<string, number>();
  const distinct: unknown[] = [];
  // The executor builds every representation of one fetch from the same selection, so equal ones print alike.
  const sentAt = representations.map((representation) => {
    const key = JSON.stringify(representation);
    let position = positions.get(key);
    if (position === undefined) {
      position = distinct.push(representation) - 1;
      positions.set(key, position);
    }
    return position;
  });
  if (distinct.length === representations.length) return undefined;

  return {
    variables: { ...variables, representations: distinct },
    expand(response) {
      const entities = (response.data as { _entities?: unknown[] } | null | undefined)?._entities;
      const data = Array.isArray(entities) ? { ...response.data, _entities: sentAt.map((position) => entities[position] ?? null) } : response.data;
      const errors = response.errors?.flatMap((error) => spreadError(error, sentAt));
      return { ...response, data, ...(errors && { errors }) };
    },
  };
}

/** An error on ['_entities', i, ...] stands for every representation that was sent as i. */
function spreadError(error: GraphQLFormattedError, sentAt: readonly number[]): GraphQLFormattedError[] {
  const [root, position, ...rest] = error.path ?? [];
  if (root !== '_entities' || typeof position !== 'number') return [error];
  return sentAt.flatMap((sent, index) => (sent === position ? [{ ...error, path: ['_entities', index, ...rest] }] : []));
}
