import { describe, expect, it } from 'vitest';
import type { Counts } from '../../subgraphs/risk/model/profiles';
import { ABSENT, ProfileIndex, UNSEEN } from '../../subgraphs/risk/model/profile-table';

/** Encodes a key as its controls, so a test can tell which key's slot it got. */
const controls = (counts: Counts) => counts[0];

/** One index over the traits [importer, hs6, netMass], and the slot find gives for values. */
function indexOf(...dimensions: { counts: Record<string, Counts>; positions: number[] }[]) {
  const index = new ProfileIndex(3, dimensions, controls);
  const numbers = new Int32Array(3);
  return {
    index,
    find(table: number, values: (string | null)[]): number {
      index.read(values, numbers);
      return index.tables[table]!.find(numbers, values);
    },
  };
}

describe('profile index', () => {
  it('finds a single trait by its value, and says UNSEEN for a value never counted', () => {
    const { index, find } = indexOf({ counts: { NL1: [5, 1], NL2: [7, 2] }, positions: [0] });
    const table = index.tables[0]!;
    expect(table.encodings[find(0, ['NL2', null, null])]).toBe(7);
    expect(table.keys[find(0, ['NL1', null, null])]).toBe('NL1');
    expect(find(0, ['NL3', null, null])).toBe(UNSEEN);
  });

  it('finds a combination of traits as the joined key was counted', () => {
    const { index, find } = indexOf({ counts: { 'NL1/847130': [3, 0], 'NL2/847130': [4, 1], 'NL1/610910': [9, 3] }, positions: [0, 1] });
    const table = index.tables[0]!;
    expect(table.keys[find(0, ['NL1', '610910', null])]).toBe('NL1/610910');
    expect(table.counts[find(0, ['NL2', '847130', null])]).toEqual([4, 1]);
    // Each value was counted, but not together.
    expect(find(0, ['NL2', '610910', null])).toBe(UNSEEN);
    expect(table.join(['NL2', '610910', null])).toBe('NL2/610910');
  });

  it('says ABSENT when any trait of the dimension is not stated, even after an unseen one', () => {
    const { find } = indexOf({ counts: { 'NL1/847130/12.5': [3, 0] }, positions: [0, 1, 2] });
    expect(find(0, ['NL1', '847130', null])).toBe(ABSENT);
    expect(find(0, ['NL9', '847130', null])).toBe(ABSENT);
    expect(find(0, [null, '847130', '12.5'])).toBe(ABSENT);
  });

  it('finds keys whose values contain the separator, which cannot be split', () => {
    const { index, find } = indexOf({ counts: { 'A/B': [2, 0] }, positions: [0] }, { counts: { 'A/B/847130': [6, 1], 'A/847130': [8, 2] }, positions: [0, 1] });
    expect(index.tables[0]!.keys[find(0, ['A/B', null, null])]).toBe('A/B');
    expect(index.tables[1]!.keys[find(1, ['A/B', '847130', null])]).toBe('A/B/847130');
    expect(index.tables[1]!.keys[find(1, ['A', '847130', null])]).toBe('A/847130');
    expect(find(1, ['A/C', '847130', null])).toBe(UNSEEN);
  });

  it('numbers a value shared by several dimensions once, so each finds its own key', () => {
    const { index, find } = indexOf(
      { counts: { NL1: [10, 1] }, positions: [0] },
      { counts: { '847130/NL1': [4, 1], '847130/NL2': [5, 2] }, positions: [1, 0] },
    );
    expect(index.tables[0]!.keys[find(0, ['NL1', '847130', null])]).toBe('NL1');
    expect(index.tables[1]!.keys[find(1, ['NL1', '847130', null])]).toBe('847130/NL1');
    // NL2 was counted with a commodity only: the single trait has never seen it.
    expect(find(0, ['NL2', '847130', null])).toBe(UNSEEN);
    expect(index.tables[1]!.keys[find(1, ['NL2', '847130', null])]).toBe('847130/NL2');
  });
});
