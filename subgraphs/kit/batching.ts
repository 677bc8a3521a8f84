import type { Model } from 'mongoose';
import { engineOf } from './database';

// Puts the results of one batched query back in the order DataLoader asked for them.

/** One item per key, or null where the key matched nothing. */
export function oneByKey<T>(keys: readonly string[], items: readonly T[], keyOf: (item: T) => string): (T | null)[] {
  const index = new Map(items.map((item) => [keyOf(item), item]));
  return keys.map((key) => index.get(key) ?? null);
}

/** All items per key, in the order the query returned them. */
export function manyByKey<T>(keys: readonly string[], items: readonly T[], keyOf: (item: T) => string): T[][] {
  const groups = new Map<string, T[]>(keys.map((key) => [key, []]));
  for (const item of items) groups.get(keyOf(item))?.push(item);
  return keys.map((key) => groups.get(key) ?? []);
}

export type KeyLookup = 'in' | 'each';
let override: KeyLookup | undefined;

/**
 * How a batch of keys is fetched. MongoDB answers `{ _id: { $in } }` from its index: one
 * command for the batch. FerretDB's SQLite backend answers only `{ _id: value }` from its
 * primary key and scans the collection for `$in` (seconds on the demo data), so there the
 * batch is sent as one equality find per key, all at once. Tests that count commands pin `in`.
 */
export function setKeyLookup(strategy: KeyLookup | undefined): void {
  override = strategy;
}

/** One document by `_id`, the way FerretDB answers from its primary key. */
export async function findById<TDoc>(model: Model<TDoc>, id: string): Promise<TDoc | null> {
  return (await findByIds(model, [id]))[0] ?? null;
}

export async function findByIds<TDoc>(model: Model<TDoc>, ids: readonly string[]): Promise<TDoc[]> {
  if (ids.length === 0) return [];
  const strategy = override ?? (engineOf(model.db) === 'ferretdb' ? 'each' : 'in');
  if (ids.length === 1 || strategy === 'each') {
    // limit(1): without it FerretDB keeps reading after the primary-key hit (a second, not milliseconds).
    const found = await Promise.all(ids.map((id) => model.find({ _id: id }).limit(1).lean<TDoc[]>().exec()));
    return found.flat();
  }
  return model.find({ _id: { $in: ids } }).lean<TDoc[]>().exec();
}
