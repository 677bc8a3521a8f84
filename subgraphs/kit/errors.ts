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
} as const;

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
