import { describe, expect, it } from 'vitest';
import { fromStored, pageOfEntries, toStored, withEntry, withoutEntry, type IndexEntry } from '../../subgraphs/kit/lookup-index';

describe('lookup lists', () => {
  it('keep entries newest first, ties by id, and move an entry whose sort value changed', () => {
    let entries: IndexEntry[] = [];
    for (const entry of [['2025-01-02', 'B'], ['2025-01-03', 'A'], ['2025-01-02', 'A'], ['2025-01-01', 'C']] as IndexEntry[]) entries = withEntry(entries, entry);
    expect(entries).toEqual([
      ['2025-01-02', 'A'],
      ['2025-01-02', 'B'],
      ['2025-01-01', 'C'],
    ]);
    expect(withoutEntry(entries, 'B')).toEqual([['2025-01-02', 'A'], ['2025-01-01', 'C']]);
  });

  it('are stored as flat strings and read back unchanged', () => {
    const entries: IndexEntry[] = [['2025-01-02', 'X|Y'], ['2025-01-01', 'Z']];
    expect(toStored('party:IMPORTER:NL1', entries).entries).toEqual(['2025-01-02|X|Y', '2025-01-01|Z']);
    expect(fromStored(toStored('k', entries))).toEqual(entries);
  });

  it('page with cursors, every entry once', () => {
    const entries: IndexEntry[] = Array.from({ length: 7 }, (_, i) => [`2025-01-0${7 - i}`, `M${i}`]);
    const first = pageOfEntries(entries, { first: 3 });
    expect(first.edges.map((edge) => edge.node[1])).toEqual(['M0', 'M1', 'M2']);
    expect(first.pageInfo.hasNextPage).toBe(true);
    const second = pageOfEntries(entries, { first: 3, after: first.pageInfo.endCursor });
    const third = pageOfEntries(entries, { first: 3, after: second.pageInfo.endCursor });
    expect([...second.edges, ...third.edges].map((edge) => edge.node[1])).toEqual(['M3', 'M4', 'M5', 'M6']);
    expect(third.pageInfo.hasNextPage).toBe(false);
    expect(third.totalCount).toBe(7);
  });
});
