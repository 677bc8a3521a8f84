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

/**
 * Finds documents by `_id`. A single key is asked as an equality, which FerretDB answers from
 * its primary key; `$in` scans there (MongoDB answers both from the index).
 */
export function findByIds<TDoc>(model: { find(filter: object): { lean<T>(): { exec(): Promise<T> } } }, ids: readonly string[]): Promise<TDoc[]> {
  const filter = ids.length === 1 ? { _id: ids[0] } : { _id: { $in: ids } };
  return model.find(filter).lean<TDoc[]>().exec();
}
