// What a request's deadline (request-deadline.ts) means for its database commands. A command that
// stops cleanly (a read, or findAndModify, which changes one document or none) carries the time
// the request has left as maxTimeMS, so the engine stops it when the deadline passes, and the
// request's signal, so the driver drops it (and the engine cancels it) when the client goes. Once
// the request is abandoned, no command starts for it: DEADLINE_EXCEEDED instead.
//
// Writes are never cut half-way. A request's first write is refused once the request is
// abandoned: nothing is written, so the caller may retry. From its first write on, the request
// runs to its end without maxTimeMS or signal, reads included: a mutation is several commands
// (journal, data, change feed), and cut between two of them it would stay half-applied until the
// journal is replayed at the next start. maxTimeMS on the writes themselves would not help:
// FerretDB ignores it on insert, update and delete, and MongoDB may stop a multi-document write
// part-way.
import { GraphQLError } from 'graphql';
import { mongo, type Aggregate, type Query, type Schema } from 'mongoose';
import { ErrorCode } from './errors';
import { ClientGoneError, currentDeadline, DeadlineExceededError, type RequestDeadline } from './request-deadline';

export interface CommandLimits {
  /** The request's remaining milliseconds: the engine stops the command after them. */
  maxTimeMS?: number;
  /** The request's signal: the driver drops the command when it aborts. */
  signal?: AbortSignal;
}

/** Requests that have started a write: they finish whatever happens to their client. */
const writing = new WeakSet<RequestDeadline>();

/** Commands that change data; the first of a request makes it run to its end. */
const WRITE_COMMANDS = new Set(['insert', 'update', 'delete', 'findAndModify', 'bulkWrite', 'create', 'createIndexes', 'drop', 'dropDatabase']);

/**
 * Options for a read (or a findAndModify) of the request being served: {} outside a request (start-up,
 * jobs, ingest) and once the request has written. Throws DEADLINE_EXCEEDED when it is abandoned.
 */
export function commandLimits(): CommandLimits {
  const deadline = currentDeadline();
  if (!deadline || writing.has(deadline)) return {};
  refuseIfAbandoned(deadline);
  return { maxTimeMS: deadline.remainingMs(), signal: deadline.signal };
}

/** Before a write: refuses a request's first write once the request is abandoned. */
export function checkBeforeWrite(): void {
  const deadline = currentDeadline();
  if (deadline && !writing.has(deadline)) refuseIfAbandoned(deadline);
}

/** Told of every command as it starts (database.ts): from a request's first write on, it is not cut. */
export function noteCommandStarted(commandName: string): void {
  const deadline = currentDeadline();
  if (deadline && WRITE_COMMANDS.has(commandName)) writing.add(deadline);
}

function refuseIfAbandoned(deadline: RequestDeadline): void {
  if (deadline.signal.aborted) throw requestAbandoned(deadline.signal.reason);
  if (deadline.remainingMs() <= 0) throw requestAbandoned(new DeadlineExceededError('the request has no time left'));
}

/** The error a resolver ends with when its request was abandoned: `reason` says why. */
export function requestAbandoned(cause: unknown): GraphQLError {
  const clientGone = cause instanceof ClientGoneError;
  const detail = cause instanceof Error ? cause.message : String(cause);
  return new GraphQLError(`Stopped working on the request, no further database command was started for it: ${detail}`, {
    extensions: { code: ErrorCode.DeadlineExceeded, reason: clientGone ? 'CLIENT_GONE' : 'DEADLINE_PASSED' },
  });
}

/**
 * The DEADLINE_EXCEEDED error for what a command in flight failed with when its request was
 * abandoned: the request's signal (the driver throws its reason) or the engine's MaxTimeMSExpired.
 */
export function asRequestAbandoned(error: unknown): GraphQLError | undefined {
  if (error instanceof DeadlineExceededError || error instanceof ClientGoneError) return requestAbandoned(error);
  if (error instanceof mongo.MongoServerError && error.code === MAX_TIME_MS_EXPIRED) {
    return requestAbandoned(new DeadlineExceededError(`the engine stopped the command when the request's time was up (${error.message})`));
  }
  return undefined;
}

const MAX_TIME_MS_EXPIRED = 50;

const READS = ['find', 'findOne', 'countDocuments', 'estimatedDocumentCount'] as const;
/** findAndModify: one document changes or none, whether the command ends or is stopped. */
const SINGLE_DOCUMENT_WRITES = ['findOneAndUpdate', 'findOneAndReplace', 'findOneAndDelete'] as const;
const WRITES = ['updateOne', 'updateMany', 'replaceOne', 'deleteOne', 'deleteMany'] as const;

/**
 * Gives every query and aggregation of a model the limits of the request it serves. Registered
 * on each subgraph's connection (database.ts), so every model compiled on it has it.
 */
export function requestDeadlinePlugin(schema: Schema): void {
  schema.pre([...READS, ...SINGLE_DOCUMENT_WRITES], function (this: Query<unknown, unknown>) {
    this.setOptions(commandLimits());
  });
  schema.pre('distinct', function (this: Query<unknown, unknown>) {
    // FerretDB refuses distinct with maxTimeMS ("unknown field"); the signal still applies.
    const { signal } = commandLimits();
    if (signal) this.setOptions({ signal });
  });
  // No aggregation here writes ($out, $merge): each is a read.
  schema.pre('aggregate', function (this: Aggregate<unknown>) {
    this.option(commandLimits());
  });
  schema.pre([...WRITES], checkBeforeWrite);
  schema.pre('save', checkBeforeWrite);
  schema.pre('insertMany', checkBeforeWrite);
  schema.pre('bulkWrite', checkBeforeWrite);
}
