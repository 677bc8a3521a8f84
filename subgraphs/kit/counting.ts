// Counting with the `count` command rather than `countDocuments`, whose aggregation ($match then
// $group) the embedded engine evaluates in Go over every matching document. The engine answers a
// `count` whose filter is indexed string equalities with SQL count(*) (db/README.md); MongoDB
// answers both the same way.
import type { Model, QueryFilter } from 'mongoose';
import { commandLimits } from './database-deadline';

/** How many documents match, with the filter cast by the model's schema as `countDocuments` would. */
export async function countMatching<TDoc>(model: Model<TDoc>, filter: QueryFilter<TDoc>): Promise<number> {
  const query = model.db.db;
  if (!query) throw new Error(`countMatching: the connection of ${model.modelName} is not open`);
  const cast = model.find(filter).cast(model) as object;
  const { signal, ...time } = commandLimits();
  const answer = await query.command({ count: model.collection.collectionName, query: cast, ...time }, { signal });
  return Number(answer.n);
}
