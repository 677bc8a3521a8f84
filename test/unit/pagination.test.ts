import { describe, expect, it } from 'vitest';
import { GraphQLError } from 'graphql';
import { afterPosition, decodeCursor, encodeCursor, MAX_PAGE_SIZE, pageSize, withTieBreaker } from '../../subgraphs/kit/pagination';

function codeOf(thrower: () => unknown): unknown {
  try {
    thrower();
  } catch (error) {
    return error instanceof GraphQLError ? error.extensions.code : error;
  }
  return undefined;
}

describe('page size', () => {
  it('defaults to 20 when first is not given', () => {
    expect(pageSize(undefined)).toBe(20);
    expect(pageSize(null)).toBe(20);
  });

  it(`accepts 0 to ${MAX_PAGE_SIZE}`, () => {
    expect(pageSize(0)).toBe(0);
    expect(pageSize(MAX_PAGE_SIZE)).toBe(MAX_PAGE_SIZE);
  });

  it('rejects a page larger than the bound, or negative, with BAD_USER_INPUT', () => {
    expect(codeOf(() => pageSize(MAX_PAGE_SIZE + 1))).toBe('BAD_USER_INPUT');
    expect(codeOf(() => pageSize(-1))).toBe('BAD_USER_INPUT');
  });
});

describe('cursors', () => {
  it('round-trip the sort values they encode', () => {
    const values = ['2024-03-01', 'DE123', 7, null];
    expect(decodeCursor(encodeCursor(values), 4)).toEqual(values);
  });

  it('are opaque URL-safe text', () => {
    expect(encodeCursor(['a/b+c', 'ü'])).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  it('reject a cursor that was not made by a list with BAD_USER_INPUT', () => {
    expect(codeOf(() => decodeCursor('not-a-cursor', 1))).toBe('BAD_USER_INPUT');
    expect(codeOf(() => decodeCursor(encodeCursor(['a']), 2))).toBe('BAD_USER_INPUT');
    expect(codeOf(() => decodeCursor(Buffer.from('{"$gt":""}').toString('base64url'), 1))).toBe('BAD_USER_INPUT');
    expect(codeOf(() => decodeCursor(Buffer.from('[{"$gt":""}]').toString('base64url'), 1))).toBe('BAD_USER_INPUT');
  });
});

describe('the position after a cursor', () => {
  it('orders by _id last, so equal sort values still page deterministically', () => {
    expect(withTieBreaker([{ field: 'date', direction: -1 }])).toEqual([
      { field: 'date', direction: -1 },
      { field: '_id', direction: 1 },
    ]);
    expect(withTieBreaker([{ field: '_id', direction: -1 }])).toEqual([{ field: '_id', direction: -1 }]);
  });

  it('is a plain comparison for a single key', () => {
    expect(afterPosition([{ field: '_id', direction: 1 }], ['DE1'])).toEqual({ _id: { $gt: 'DE1' } });
  });

  it('compares later keys only where earlier keys are equal, respecting each direction', () => {
    const order = withTieBreaker([{ field: 'date', direction: -1 }]);
    expect(afterPosition(order, ['2024-03-01', 'X'])).toEqual({
      $or: [{ date: { $lt: '2024-03-01' } }, { date: '2024-03-01', _id: { $gt: 'X' } }],
    });
  });
});
