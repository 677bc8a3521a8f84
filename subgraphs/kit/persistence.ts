// Small helpers for idempotent writes on natural keys.
import { mongo } from 'mongoose';
import { checkBeforeWrite } from './database-deadline';
import { notFound } from './errors';

/** Two concurrent upserts of one new key can both try to insert; the loser retries and matches. */
export async function retryOnDuplicateKey<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (isDuplicateKeyError(error)) return write();
    throw error;
  }
}

/**
 * Makes the document under this key exactly `replacement`, whether or not it exists yet.
 * FerretDB runs an upsert as a find and then an insert, so writers that upsert one new key at
 * once collide on the insert (E11000); the losers replace the winner's document instead.
 */
export async function replaceById(
  collection: { replaceOne(filter: never, replacement: never, options: { upsert: boolean }): Promise<unknown> },
  id: string,
  replacement: object,
): Promise<void> {
  checkBeforeWrite();
  await retryOnDuplicateKey(() => collection.replaceOne({ _id: id } as never, replacement as never, { upsert: true }));
}

export function isDuplicateKeyError(error: unknown): boolean {
  return error instanceof mongo.MongoServerError && error.code === 11000;
}

/** The document, or NOT_FOUND: for answers that cannot be null, such as a mutation's result. */
export function found<T>(document: T | null, what: string, key: string): T {
  if (!document) throw notFound(what, key);
  return document;
}

/** Inserts unless the key exists; true when this call inserted it. A unique insert is the one write every engine makes atomic. */
export async function insertOnce<TDoc extends { _id: string }>(
  model: { collection: { insertOne(doc: never): Promise<unknown> } },
  doc: TDoc,
): Promise<boolean> {
  checkBeforeWrite();
  try {
    await model.collection.insertOne(doc as never);
    return true;
  } catch (error) {
    if (isDuplicateKeyError(error)) return false;
    throw error;
  }
}
