// Keyset pagination against the real engine: every document exactly once, whatever the order.
import mongoose, { Schema } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { paginate, type Connection, type SortKey } from '../../subgraphs/kit/pagination';
import { testDatabase } from '../support/platform';

interface Row {
  _id: string;
  day: string;
  group: string;
}

const { uri, dbName } = testDatabase('pagination');
const connection = mongoose.createConnection(uri, { dbName });
const Rows = connection.model<Row>('Row', new Schema<Row>({ _id: String, day: String, group: String }, { versionKey: false }));

beforeAll(async () => {
  await connection.asPromise();
  // Many rows share a day, so the tie-breaker decides their order.
  const rows = Array.from({ length: 57 }, (_, i) => ({
    _id: `R${String(i).padStart(3, '0')}`,
    day: `2024-01-0${(i % 5) + 1}`,
    group: i % 3 === 0 ? 'A' : 'B',
  }));
  await Rows.insertMany(rows);
});

afterAll(async () => {
  await connection.dropDatabase();
  await connection.close();
});

async function walk(filter: Record<string, unknown>, first: number, sort: SortKey[] = []) {
  const seen: string[] = [];
  let after: string | null = null;
  let pages = 0;
  for (;;) {
    const page: Connection<Row> = await paginate<Row>(Rows, filter, { first, after }, sort);
    seen.push(...page.edges.map((edge) => edge.node._id));
    pages++;
    if (!page.pageInfo.hasNextPage) return { seen, pages, totalCount: page.totalCount };
    after = page.pageInfo.endCursor;
  }
}

describe('keyset pagination', () => {
  it('visits every document once in _id order', async () => {
    const { seen, pages, totalCount } = await walk({}, 10);
    expect(totalCount).toBe(57);
    expect(pages).toBe(6);
    expect(seen).toEqual([...seen].sort());
    expect(new Set(seen).size).toBe(57);
  });

  it('visits every document once under a descending order with ties, within a filter', async () => {
    const { seen, totalCount } = await walk({ group: 'B' }, 7, [{ field: 'day', direction: -1 }]);
    expect(totalCount).toBe(38);
    expect(new Set(seen).size).toBe(38);
    const all = await Rows.find({ group: 'B' }).sort({ day: -1, _id: 1 }).lean();
    expect(seen).toEqual(all.map((row) => row._id));
  });

  it('returns an empty page with the count when first is 0, and says more follow', async () => {
    const page = await paginate<Row>(Rows, {}, { first: 0 });
    expect(page.edges).toEqual([]);
    expect(page.totalCount).toBe(57);
    expect(page.pageInfo.hasNextPage).toBe(true);
  });
});
