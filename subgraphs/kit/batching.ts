import type { Model } from 'mongoose';

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

/** Comparators for sorting what a batch returned: `$in` answers in no particular order. */
export function ascending(a: string | number | null | undefined, b: string | number | null | undefined): number {
  if (a === b) return 0;
  if (a === null || a === undefined) return -1;
  if (b === null || b === undefined) return 1;
  return a < b ? -1 : 1;
}

export function descending(a: string | number | null | undefined, b: string | number | null | undefined): number {
  return ascending(b, a);
}

/** One document by `_id`. */
export async function findById<TDoc>(model: Model<TDoc>, id: string): Promise<TDoc | null> {
  return (await findByIds(model, [id]))[0] ?? null;
}

export function findByIds<TDoc>(model: Model<TDoc>, ids: readonly string[], where: Record<string, unknown> = {}): Promise<TDoc[]> {
  return findByField(model, '_id', ids, where);
}

/**
 * Every document whose `field` equals one of `keys` (or, for an array field, holds one): one
 * `$in` find, answered from the field's index by MongoDB and by the embedded engine alike.
 * `where` narrows it further (to the rows the caller may see, kit/auth/rows.ts).
 */
export async function findByField<TDoc>(model: Model<TDoc>, field: string, keys: readonly string[], where: Record<string, unknown> = {}): Promise<TDoc[]> {
  if (keys.length === 0) return [];
  return model
    .find(field in where ? { $and: [where, { [field]: { $in: keys } }] } : { ...where, [field]: { $in: keys } })
    .lean<TDoc[]>()
    .exec();
}
