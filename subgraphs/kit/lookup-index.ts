// Lookup lists kept by the writer, one document per key: "the declarations of this importer",
// "the control results of this declaration". MongoDB would answer those from a secondary index;
// FerretDB scans for anything but `_id`, so the lists are written with the data, in the same
// journalled batch, and read by `_id`.
import { Schema, type Connection, type Model } from 'mongoose';
import { decodeCursor, encodeCursor, pageSize, type Connection as Page, type PageArgs } from './pagination';

/** [sort value, id]: entries are kept sorted by sort value descending, then id ascending. */
export type IndexEntry = [string, string];

export interface LookupIndexDoc {
  /** "<list>:<key>", e.g. "party:IMPORTER:NL123". */
  _id: string;
  /** "<sort value>|<id>": the engine stores no nested arrays. */
  entries: string[];
}

export function toStored(key: string, entries: readonly IndexEntry[]): LookupIndexDoc {
  return { _id: key, entries: entries.map(([value, id]) => `${value}|${id}`) };
}

export function fromStored(doc: LookupIndexDoc): IndexEntry[] {
  return doc.entries.map((entry) => {
    const separator = entry.indexOf('|');
    return [entry.slice(0, separator), entry.slice(separator + 1)];
  });
}

export const LOOKUP_INDEX_COLLECTION = 'lookupIndex';

export function createLookupIndexModel(connection: Connection): Model<LookupIndexDoc> {
  return connection.model<LookupIndexDoc>('LookupIndex', new Schema<LookupIndexDoc>({ _id: String, entries: [String] }, { versionKey: false }), LOOKUP_INDEX_COLLECTION);
}

function compare(a: IndexEntry, b: IndexEntry): number {
  if (a[0] !== b[0]) return a[0] < b[0] ? 1 : -1;
  return a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0;
}

/** The entries with this id placed (or moved) at its sort value. */
export function withEntry(entries: readonly IndexEntry[], entry: IndexEntry): IndexEntry[] {
  const result = withoutEntry(entries, entry[1]);
  let low = 0;
  let high = result.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (compare(result[middle]!, entry) < 0) low = middle + 1;
    else high = middle;
  }
  result.splice(low, 0, entry);
  return result;
}

export function withoutEntry(entries: readonly IndexEntry[], id: string): IndexEntry[] {
  return entries.filter(([, entryId]) => entryId !== id);
}

/** A Relay page over a sorted list, with the same cursors the database pages use. */
export function pageOfEntries(entries: readonly IndexEntry[], args: PageArgs): Omit<Page<IndexEntry>, 'edges'> & { edges: { node: IndexEntry; cursor: string }[] } {
  const limit = pageSize(args.first);
  let start = 0;
  if (args.after) {
    const [value, id] = decodeCursor(args.after, 2) as IndexEntry;
    start = entries.findIndex((entry) => compare(entry, [value, id]) > 0);
    if (start < 0) start = entries.length;
  }
  const page = entries.slice(start, start + limit);
  const edges = page.map((entry) => ({ node: entry, cursor: encodeCursor(entry) }));
  return {
    edges,
    totalCount: entries.length,
    pageInfo: {
      hasNextPage: start + limit < entries.length,
      hasPreviousPage: start > 0,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
  };
}
