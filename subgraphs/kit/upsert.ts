// Idempotent bulk writes by natural key: new documents are inserted in bulk, changed ones
// replaced, identical ones left alone. A retried batch therefore changes nothing, and it
// costs one read per batch instead of one write per document.
import { isDeepStrictEqual } from 'node:util';
import type { Model } from 'mongoose';
import { isDuplicateKeyError } from './persistence';

export interface UpsertCounts {
  inserted: number;
  updated: number;
  unchanged: number;
}

/** Bookkeeping fields that differ between two writes of the same content. */
const IGNORED_FIELDS = new Set(['createdAt', 'updatedAt']);

export async function upsertByKey<TDoc extends { _id: string }>(model: Model<TDoc>, documents: readonly TDoc[]): Promise<UpsertCounts> {
  const counts: UpsertCounts = { inserted: 0, updated: 0, unchanged: 0 };
  if (documents.length === 0) return counts;

  // Cast first, so defaults and types match what a stored document looks like.
  const incoming = new Map(documents.map((doc) => [doc._id, comparable(new model(doc).toObject({ versionKey: false }))]));
  const stored = await model.find({ _id: { $in: [...incoming.keys()] } }).lean<TDoc[]>().exec();
  const storedById = new Map(stored.map((doc) => [doc._id, comparable(doc)]));

  const toInsert: TDoc[] = [];
  const toReplace: TDoc[] = [];
  for (const doc of documents) {
    const before = storedById.get(doc._id);
    if (before === undefined) toInsert.push(doc);
    else if (isDeepStrictEqual(before, incoming.get(doc._id))) counts.unchanged++;
    else toReplace.push(doc);
  }

  if (toInsert.length) {
    try {
      await model.insertMany(toInsert, { ordered: false });
    } catch (error) {
      // Another writer inserted some of these meanwhile; writing them by key settles it either way.
      if (!isDuplicateKeyError(error)) throw error;
      await replaceAll(model, toInsert);
    }
    counts.inserted = toInsert.length;
  }
  if (toReplace.length) {
    await replaceAll(model, toReplace);
    counts.updated = toReplace.length;
  }
  return counts;
}

async function replaceAll<TDoc extends { _id: string }>(model: Model<TDoc>, documents: readonly TDoc[]): Promise<void> {
  const operations = documents.map((doc) => ({ replaceOne: { filter: { _id: doc._id }, replacement: doc, upsert: true } }));
  // Mongoose's typings want the replacement without _id; the server accepts an identical _id.
  await model.bulkWrite(operations as unknown as Parameters<Model<TDoc>['bulkWrite']>[0], { ordered: false });
}

/** A plain-data view of a document without bookkeeping fields, for equality. */
function comparable(document: object): unknown {
  return JSON.parse(JSON.stringify(document, (key, value: unknown) => (IGNORED_FIELDS.has(key) ? undefined : value)));
}
