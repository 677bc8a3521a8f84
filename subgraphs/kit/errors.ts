// GraphQL errors with a machine-readable `extensions.code`, so clients branch on codes, not messages.
import { GraphQLError } from 'graphql';

export const ErrorCode = {
  /** The caller sent something invalid; `extensions.field` and `extensions.reason` say what. */
  BadUserInput: 'BAD_USER_INPUT',
  /** Only where a non-null answer is impossible, such as a mutation on an unknown key. */
  NotFound: 'NOT_FOUND',
  /** The request is valid but the entity's current state forbids it. */
  InvalidTransition: 'INVALID_TRANSITION',
  /** The natural key is already taken by a different record. */
  Conflict: 'CONFLICT',
  /** The request is valid but the system is not ready for it yet (no risk model learned). */
  FailedPrecondition: 'FAILED_PRECONDITION',
  /** A subgraph did not answer: down, refusing connections, or skipped while its circuit is open. */
  SubgraphUnavailable: 'SUBGRAPH_UNAVAILABLE',
  /** A subgraph did not answer within its own deadline or the operation's. */
  SubgraphTimeout: 'SUBGRAPH_TIMEOUT',
  /** A subgraph failed in a way of its own (HTTP 5xx, an answer that is no GraphQL response). */
  SubgraphError: 'SUBGRAPH_ERROR',
  /**
   * A subgraph stopped working on a request whose deadline passed or whose client went away;
   * `extensions.reason` says which. Nothing more was started for it (kit/database-deadline.ts).
   */
  DeadlineExceeded: 'DEADLINE_EXCEEDED',
} as const;

/**
 * Codes that describe a part of the platform failing, not the request: the same request may
 * succeed a moment later. Errors with these codes name the part in `extensions.subgraph` and
 * say why in `extensions.reason`.
 */
export const TRANSIENT_ERROR_CODES: ReadonlySet<string> = new Set([ErrorCode.SubgraphUnavailable, ErrorCode.SubgraphTimeout, ErrorCode.SubgraphError]);

export function badUserInput(field: string, reason: string): GraphQLError {
  return new GraphQLError(`Invalid ${field}: ${reason}`, {
    extensions: { code: ErrorCode.BadUserInput, field, reason },
  });
}

export function notFound(what: string, key: string): GraphQLError {
  return new GraphQLError(`No ${what} ${key}`, { extensions: { code: ErrorCode.NotFound, key } });
}

export function invalidTransition(message: string, details: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(message, { extensions: { code: ErrorCode.InvalidTransition, ...details } });
}

export function conflict(message: string, details: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(message, { extensions: { code: ErrorCode.Conflict, ...details } });
}

export function failedPrecondition(message: string, details: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(message, { extensions: { code: ErrorCode.FailedPrecondition, ...details } });
}
