// The embedded engine sorts, limits, counts and answers `$in` in PostgreSQL (db/README.md), and
// answers exactly as MongoDB does: the same documents, in MongoDB's order across types. That a
// `$in` uses the index is checked on every declared index, in declared-indexes.test.ts.
import mongoose, { mongo, type Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabase, uniqueRunId } from '../support/platform';

/** Values of every type a sort meets, in MongoDB's order: null and missing, numbers, strings, booleans, dates. */
const documents = [
  { _id: 'a', tag: 'x', value: 'b' },
  { _id: 'b', tag: 'x', value: 3 },
  { _id: 'c', tag: 'x', value: null },
  { _id: 'd', tag: 'x' },
  { _id: 'e', tag: 'x', value: new Date(5) },
  { _id: 'f', tag: 'x', value: true },
  { _id: 'g', tag: 'y', value: 'a' },
  { _id: 'h', tag: 'x', value: 2.5 },
  { _id: 'i', tag: ['x', 'z'], value: 'c' },
  { _id: 'j', tag: 'x', value: 'B' },
  { _id: 'k', tag: 'w', value: ['a', 'q'] },
  { _id: 'l', tag: 'w', value: new mongo.ObjectId('ffffffffffffffffffffffff') },
];

let connection: Connection;
let ferretdb = false;
const collection = () => connection.db!.collection<{ _id: string }>('pushdown');
const ids = (found: { _id: string }[]) => found.map((doc) => doc._id).join('');

beforeAll(async () => {
  const { uri, dbName } = testDatabase('pushdown', uniqueRunId());
  connection = await mongoose.createConnection(uri, { dbName }).asPromise();
  await collection().insertMany(documents as never[]);
  await collection().createIndex({ tag: 1 });
  ferretdb = 'ferretdbVersion' in (await connection.db!.admin().command({ buildInfo: 1 }));
});

afterAll(async () => {
  await connection.dropDatabase();
  await connection.close();
});

describe('sorting', () => {
  it('orders values of different types as MongoDB does, null and missing first', async () => {
    const found = await collection().find({ tag: 'x' }).sort({ value: 1, _id: 1 }).toArray();
    expect(ids(found)).toBe('cdhbjaife');
  });

  it('orders descending with a limit, ties broken by the next key', async () => {
    const found = await collection().find({ tag: 'x' }).sort({ value: -1, _id: 1 }).limit(3).toArray();
    expect(ids(found)).toBe('efi');
  });

  it('keeps to the type of a range while sorting', async () => {
    const found = await collection()
      .find({ tag: 'x', value: { $gt: 1 } })
      .sort({ value: 1 })
      .limit(2)
      .toArray();
    expect(ids(found)).toBe('hb');
  });

  it('sorts and limits a page of an indexed equality in the engine, as its plan says', async () => {
    if (!ferretdb) return;
    const explain = await connection.db!.command({ explain: { find: 'pushdown', filter: { tag: 'x' }, sort: { value: -1, _id: 1 }, limit: 21 } });
    expect(explain).toMatchObject({ filterPushdown: true, sortPushdown: true, limitPushdown: true });
  });

  it('sorts in the engine but limits in Go when part of the filter is left to Go', async () => {
    if (!ferretdb) return;
    const explain = await connection.db!.command({ explain: { find: 'pushdown', filter: { tag: 'x', value: { $gt: 1 } }, sort: { value: 1 }, limit: 2 } });
    expect(explain).toMatchObject({ sortPushdown: true, limitPushdown: false });
  });
});

describe('ranges of strings', () => {
  it('match strings in the range, bytewise, and arrays that hold one, but not ObjectIDs', async () => {
    expect(
      ids(
        await collection()
          .find({ tag: 'x', value: { $gte: 'B', $lt: 'c' } })
          .sort({ _id: 1 })
          .toArray(),
      ),
    ).toBe('aj');
    expect(
      ids(
        await collection()
          .find({ tag: 'w', value: { $gt: '0' } })
          .sort({ _id: 1 })
          .toArray(),
      ),
    ).toBe('k');
    expect(
      ids(
        await collection()
          .find({ value: { $lte: 'a' } })
          .sort({ _id: 1 })
          .toArray(),
      ),
    ).toBe('gjk');
  });

  it('are pushed down exactly, so a page of them is limited in the engine', async () => {
    if (!ferretdb) return;
    const explain = await connection.db!.command({
      explain: { find: 'pushdown', filter: { tag: 'x', value: { $gte: 'B', $lt: 'c' } }, sort: { value: -1 }, limit: 1 },
    });
    expect(explain).toMatchObject({ filterPushdown: true, sortPushdown: true, limitPushdown: true });
  });
});

describe('$in', () => {
  it('matches a value, or an array holding one, of any listed type', async () => {
    expect(
      ids(
        await collection()
          .find({ tag: { $in: ['z', 'y'] } })
          .sort({ _id: 1 })
          .toArray(),
      ),
    ).toBe('gi');
    expect(
      ids(
        await collection()
          .find({ value: { $in: [3, 'b', new Date(5)] } })
          .sort({ _id: 1 })
          .toArray(),
      ),
    ).toBe('abe');
    expect(
      await collection()
        .find({ _id: { $in: [] } })
        .toArray(),
    ).toEqual([]);
  });
});

describe('counting', () => {
  it('counts an equality, a $in, and a filter the engine leaves to Go, right', async () => {
    const count = (query: object) => connection.db!.command({ count: 'pushdown', query }).then((answer) => answer.n);
    expect(await count({ tag: 'x' })).toBe(9);
    expect(await count({ tag: { $in: ['y', 'z'] } })).toBe(2);
    expect(await count({ value: { $gte: 'B', $lt: 'c' } })).toBe(4);
    expect(await count({ tag: 'x', value: { $type: 'string' } })).toBe(3);
    expect(await connection.db!.command({ count: 'absent', query: { tag: 'x' } })).toMatchObject({ n: 0 });
  });
});
