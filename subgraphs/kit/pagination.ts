// Relay-style cursor pagination over a MongoDB collection, by keyset rather than by skip,
// so a page costs the same at the end of a list as at its start.
import type { Model } from 'mongoose';
import { countMatching } from './counting';
import { badUserInput } from './errors';

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

export interface PageArgs {
  first?: number | null;
  after?: string | null;
}

export interface PageInfo {
  hasNextPage: boolean;
  hasPreviousPage: boolean;
  startCursor: string | null;
  endCursor: string | null;
}

export interface Connection<TNode> {
  edges: { node: TNode; cursor: string }[];
  pageInfo: PageInfo;
  totalCount: number;
}

/** One key of the order; `_id` is appended as the tie-breaker when absent. */
export interface SortKey {
  field: string;
  direction: 1 | -1;
}

type CursorValue = string | number | boolean | null;
type Filter = Record<string, unknown>;

export function pageSize(first: number | null | undefined): number {
  if (first === null || first === undefined) return DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(first) || first < 0 || first > MAX_PAGE_SIZE) {
    throw badUserInput('first', `must be an integer from 0 to ${MAX_PAGE_SIZE}, not ${first}`);
  }
  return first;
}

export function encodeCursor(values: readonly CursorValue[]): string {
  return Buffer.from(JSON.stringify(values)).toString('base64url');
}

/** Decodes a cursor made for this order, or throws BAD_USER_INPUT: a cursor is opaque but not arbitrary. */
export function decodeCursor(cursor: string, keyCount: number): CursorValue[] {
  let values: unknown;
  try {
    values = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw badUserInput('after', 'is not a cursor returned by this list');
  }
  const isCursorValue = (v: unknown) => v === null || ['string', 'number', 'boolean'].includes(typeof v);
  if (!Array.isArray(values) || values.length !== keyCount || !values.every(isCursorValue)) {
    throw badUserInput('after', 'is not a cursor returned by this list');
  }
  return values as CursorValue[];
}

export function withTieBreaker(sort: readonly SortKey[]): SortKey[] {
  return sort.some((key) => key.field === '_id') ? [...sort] : [...sort, { field: '_id', direction: 1 }];
}

/**
 * The filter for "strictly after this position in the order": for keys (a, b, _id),
 * a > va, or a = va and b > vb, or a = va and b = vb and _id > vid (flipped for descending keys).
 */
export function afterPosition(sort: readonly SortKey[], values: readonly CursorValue[]): Filter {
  const branches = sort.map((key, index) => {
    const branch: Filter = {};
    for (let equal = 0; equal < index; equal++) branch[sort[equal]!.field] = values[equal];
    branch[key.field] = { [key.direction === 1 ? '$gt' : '$lt']: values[index] };
    return branch;
  });
  return branches.length === 1 ? branches[0]! : { $or: branches };
}

/**
 * Every filter at once, with their fields kept at the top level where possible. FerretDB pushes
 * down to an index only a top-level equality (`{ field: value }`); inside `$and` it reads the
 * whole collection. So a page of "this importer's declarations after this cursor" stays an
 * indexed lookup of the importer, with the cursor's range evaluated on what it returns.
 */
export function allOf(...filters: Filter[]): Filter {
  const result: Filter = {};
  const rest: Filter[] = [];
  for (const filter of filters) {
    for (const [field, condition] of Object.entries(filter)) {
      if (field === '$and' && Array.isArray(condition)) rest.push(...(condition as Filter[]));
      else if (field.startsWith('$') || field in result) rest.push({ [field]: condition });
      else result[field] = condition;
    }
  }
  if (rest.length > 0) result.$and = rest;
  return result;
}

function valueAt(document: object, path: string): CursorValue {
  let current: unknown = document;
  for (const part of path.split('.')) current = (current as Record<string, unknown> | undefined)?.[part];
  return current === undefined ? null : (current as CursorValue);
}

/**
 * Fetches one page (one query for the page, asking one document more to learn whether
 * another page follows, and one count, sent together).
 */
export async function paginate<TDoc extends object>(
  model: Model<TDoc>,
  filter: Filter,
  args: PageArgs,
  sort: readonly SortKey[] = [],
): Promise<Connection<TDoc>> {
  const limit = pageSize(args.first);
  const order = withTieBreaker(sort);
  const position = args.after ? afterPosition(order, decodeCursor(args.after, order.length)) : undefined;
  const pageFilter = position ? allOf(filter, position) : filter;
  const sortSpec = Object.fromEntries(order.map((key) => [key.field, key.direction]));

  const [documents, totalCount] = await Promise.all([
    model
      .find(pageFilter)
      .sort(sortSpec)
      .limit(limit + 1)
      .lean<TDoc[]>()
      .exec(),
    countMatching(model, filter),
  ]);

  const page = documents.slice(0, limit);
  const edges = page.map((node) => ({ node, cursor: encodeCursor(order.map((key) => valueAt(node, key.field))) }));
  return {
    edges,
    totalCount,
    pageInfo: {
      hasNextPage: documents.length > limit,
      hasPreviousPage: Boolean(args.after),
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
  };
}
