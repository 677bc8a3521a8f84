// Every index a model declares is one the engine uses: equality filters and counts on each
// indexed field are answered from an index, as the engine's own query plan shows.
import mongoose, { type Connection, type Model } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aeoSubgraph } from '../../subgraphs/aeo/subgraph';
import { auditSubgraph } from '../../subgraphs/audit/subgraph';
import { declarationsSubgraph } from '../../subgraphs/declarations/subgraph';
import type { SubgraphDefinition } from '../../subgraphs/kit/server';
import { licencesSubgraph } from '../../subgraphs/licences/subgraph';
import { mraSubgraph } from '../../subgraphs/mra/subgraph';
import { createRiskSubgraph } from '../../subgraphs/risk/subgraph';
import { riskSettingsFromEnv } from '../../subgraphs/risk/settings';
import { testTrust } from '../support/auth';
import { testDatabase, uniqueRunId } from '../support/platform';

/** Enough rows that a table scan is never the cheaper plan for one value in a hundred. */
const ROWS = 2_000;
const DISTINCT_VALUES = 100;

const definitions: SubgraphDefinition<object, object>[] = [
  aeoSubgraph,
  auditSubgraph,
  declarationsSubgraph,
  licencesSubgraph,
  mraSubgraph,
  createRiskSubgraph(riskSettingsFromEnv(testTrust.serviceToken)),
] as never;

interface DeclaredIndex {
  subgraph: string;
  model: Model<unknown>;
  field: string;
}

function isModel(value: unknown): value is Model<unknown> {
  return typeof value === 'function' && 'schema' in value && 'collection' in value;
}

/** The models a subgraph's store holds, directly or inside a helper (the change feed). */
function modelsOf(store: object): Model<unknown>[] {
  return Object.values(store).flatMap((value: unknown) => {
    if (isModel(value)) return [value];
    if (value && typeof value === 'object' && 'model' in value && isModel(value.model)) return [value.model];
    return [];
  });
}

/** `_id` and every top-level field of every declared index. */
function indexedFields(model: Model<unknown>): string[] {
  const fields = model.schema.indexes().flatMap(([keys]) => Object.keys(keys));
  return [...new Set(['_id', ...fields])].filter((field) => !field.includes('.'));
}

/** Whether an explain answer (FerretDB's PostgreSQL plan, or MongoDB's) reads from an index. */
function usesIndex(explain: unknown): boolean {
  const plan = JSON.stringify(explain);
  return plan.includes('"Index Name"') || plan.includes('"IXSCAN"');
}

const run = uniqueRunId();
const connections: Connection[] = [];
const declared: DeclaredIndex[] = [];

beforeAll(async () => {
  for (const definition of definitions) {
    const { uri, dbName } = testDatabase(`indexes_${definition.name}`, run);
    const connection = await mongoose.createConnection(uri, { dbName, autoIndex: false }).asPromise();
    connections.push(connection);
    // The subgraph's own start-up code creates its indexes, as in production.
    const store = definition.createModels(connection);
    await definition.prepare?.(store);
    for (const model of modelsOf(store)) {
      const fields = indexedFields(model);
      const rows = Array.from({ length: ROWS }, (_, row) => ({
        ...Object.fromEntries(fields.map((field) => [field, `${field}-${row % DISTINCT_VALUES}`])),
        _id: `row-${row}`,
      }));
      await model.collection.deleteMany({});
      await model.collection.insertMany(rows as never[]);
      for (const field of fields) declared.push({ subgraph: definition.name, model, field });
    }
  }
}, 120_000);

afterAll(async () => {
  for (const connection of connections) {
    await connection.dropDatabase().catch(() => {});
    await connection.close();
  }
});

describe('declared indexes', () => {
  it('covers every subgraph, with more than the primary keys', () => {
    expect(new Set(declared.map((index) => index.subgraph))).toEqual(new Set(definitions.map((definition) => definition.name)));
    expect(declared.filter((index) => index.field !== '_id').length).toBeGreaterThan(10);
  });

  it('answers an equality filter on every indexed field from an index', async () => {
    const scans: string[] = [];
    for (const { subgraph, model, field } of declared) {
      const value = field === '_id' ? 'row-7' : `${field}-7`;
      const explain = await model.db.db!.command({ explain: { find: model.collection.collectionName, filter: { [field]: value } } });
      if (!usesIndex(explain)) scans.push(`${subgraph}.${model.collection.collectionName}.${field}`);
    }
    expect(scans).toEqual([]);
  });

  it('answers a $in of several keys on every indexed field from an index, as a DataLoader batch sends it', async () => {
    const scans: string[] = [];
    for (const { subgraph, model, field } of declared) {
      const values = [7, 8, 9].map((n) => (field === '_id' ? `row-${n}` : `${field}-${n}`));
      const explain = await model.db.db!.command({ explain: { find: model.collection.collectionName, filter: { [field]: { $in: values } } } });
      if (!usesIndex(explain)) scans.push(`${subgraph}.${model.collection.collectionName}.${field}`);
    }
    expect(scans).toEqual([]);
  });

  it('counts by an indexed field from an index, and counts right', async () => {
    const { model, field } = declared.find((index) => index.field === 'partyIndex')!;
    const condition = { [field]: `${field}-7` };
    // FerretDB's explain reads a count's condition from `filter` (its count command, from `query`, sends the same SQL).
    const ferretdb = 'ferretdbVersion' in (await model.db.db!.admin().command({ buildInfo: 1 }));
    const explain = await model.db.db!.command({
      explain: { count: model.collection.collectionName, query: condition, ...(ferretdb ? { filter: condition } : {}) },
    });
    expect(usesIndex(explain)).toBe(true);
    expect(await model.countDocuments({ [field]: `${field}-7` })).toBe(ROWS / DISTINCT_VALUES);
  });
});
