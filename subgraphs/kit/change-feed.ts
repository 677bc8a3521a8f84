// An append-only log of what a subgraph wrote, read by key: consumers (risk screening and
// learning) follow it from a cursor instead of scanning or sorting whole collections, which
// FerretDB can only do by reading every document.
//
// Each committed write batch is one numbered feed document listing its changes. A writer takes
// the next number with a unique insert (the one write every engine makes atomic), so two
// writers never share one; the feed document then gets its changes in the writer's journalled
// batch. A reader stops at a number that is taken but not yet committed, so it never skips a
// batch still being written; a number left uncommitted longer than ABANDONED_AFTER_MS, while the
// journal holds nothing to replay, belonged to a writer that died before journalling anything,
// and is passed over.
import { Schema, type Connection, type Model } from 'mongoose';
import { badUserInput } from './errors';
import { commandLimits } from './database-deadline';
import { findById } from './batching';
import { hasPendingBatches } from './journal';
import { insertOnce } from './persistence';
import { pageSize } from './pagination';

/** A batch's header: its number, and whether its changes are there to read. */
export interface ChangeFeedDoc {
  /** "seq:" + the sequence number, zero-padded. */
  _id: string;
  sequence: number;
  committed: boolean;
  /** When the number was taken, ISO 8601. */
  at: string;
  /** How many changes the batch made, kept in chunks of CHANGES_PER_CHUNK. */
  count: number;
}

/** Part of a batch's changes. Small documents: the engine reads a large one slowly, and a page needs only its part. */
export interface ChangeChunkDoc {
  /** The header's `_id` + "/" + the chunk's number. */
  _id: string;
  /** "<kind>|<key>" per changed document, in write order. */
  changes: string[];
}

export interface FeedEntry {
  sequence: number;
  /** Position within the batch. */
  index: number;
  kind: string;
  key: string;
  cursor: string;
}

export interface FeedPage {
  entries: FeedEntry[];
  /** Where the next read starts; equal to `after` when nothing new was committed. */
  endCursor: string | null;
  /** False when the page stopped at the end of what is committed so far. */
  hasNextPage: boolean;
}

export const CHANGE_FEED_COLLECTION = 'changeFeed';
export const ABANDONED_AFTER_MS = 10 * 60_000;
/** Feed documents read at once while filling a page. */
const READ_AHEAD = 8;
/** Feed documents one read looks at, at most. */
export const MAX_SCANNED = 64;

export const CHANGES_PER_CHUNK = 200;

const feedKey = (sequence: number) => `seq:${String(sequence).padStart(12, '0')}`;
const chunkKey = (sequence: number, chunk: number) => `${feedKey(sequence)}/${chunk}`;

export class ChangeFeed {
  /** The highest sequence this process knows to be taken: a hint, never trusted alone. */
  private lastTaken = 0;

  constructor(
    readonly model: Model<ChangeFeedDoc>,
    private readonly now: () => Date = () => new Date(),
  ) {}

  static create(connection: Connection): ChangeFeed {
    const schema = new Schema<ChangeFeedDoc>({ _id: String }, { versionKey: false, strict: false, _id: true });
    return new ChangeFeed(connection.model<ChangeFeedDoc>('ChangeFeed', schema, CHANGE_FEED_COLLECTION));
  }

  /** Takes the next free sequence number. */
  async take(): Promise<number> {
    // A hint from a feed that has since been emptied (a dropped database) would leave a gap.
    if (!(await this.taken(this.lastTaken))) this.lastTaken = 0;
    let sequence = (await this.endOfFeed()) + 1;
    for (;;) {
      const doc: ChangeFeedDoc = { _id: feedKey(sequence), sequence, committed: false, at: this.now().toISOString(), count: 0 };
      if (await insertOnce(this.model, doc)) {
        this.lastTaken = sequence;
        return sequence;
      }
      sequence += 1;
    }
  }

  /**
   * The documents that commit a taken number: put them in the same journalled batch as the data.
   * The header comes last, so a reader that sees it committed finds every chunk.
   */
  committed(sequence: number, changes: readonly { kind: string; key: string }[]): [...ChangeChunkDoc[], ChangeFeedDoc] {
    const chunks: ChangeChunkDoc[] = [];
    for (let start = 0; start < changes.length; start += CHANGES_PER_CHUNK) {
      const part = changes.slice(start, start + CHANGES_PER_CHUNK);
      chunks.push({ _id: chunkKey(sequence, start / CHANGES_PER_CHUNK), changes: part.map(({ kind, key }) => `${kind}|${key}`) });
    }
    return [...chunks, { _id: feedKey(sequence), sequence, committed: true, at: this.now().toISOString(), count: changes.length }];
  }

  /**
   * Gives up a taken number whose batch failed before the journal held it (nothing pending to
   * replay), so readers need not wait for it; a number already committed, or possibly in the
   * journal, is left as it is.
   */
  async release(sequence: number): Promise<void> {
    const doc = await this.load(sequence);
    if (!doc || doc.committed || (await hasPendingBatches(this.model.db))) return;
    const [empty] = this.committed(sequence, []);
    await this.model.collection.replaceOne({ _id: empty._id as never }, empty);
  }

  /**
   * Up to `first` entries after the cursor, oldest first; only of these kinds when given. A read
   * looks at MAX_SCANNED feed documents at most, so a filter that matches little returns a short
   * (even empty) page with `hasNextPage` rather than reading the whole feed in one request; the
   * end cursor always says how far it got.
   */
  async read(after: string | null | undefined, first: number | null | undefined, kinds?: readonly string[]): Promise<FeedPage> {
    const limit = pageSize(first);
    if (kinds && kinds.length === 0) throw badUserInput('kinds', 'must name at least one kind, or be left out for all');
    let [sequence, index] = after ? decodeFeedCursor(after) : [1, 0];
    const entries: FeedEntry[] = [];
    const loaded = new Map<number, ChangeFeedDoc | null>();
    const chunks = new Map<string, string[]>();
    let scanned = 0;
    let atEnd = false;
    // A batch can hold thousands of changes: read ahead only once the first one is used up.
    let windowSize = 1;
    reading: while (entries.length < limit && scanned < MAX_SCANNED) {
      const window = await Promise.all(Array.from({ length: windowSize }, (_, offset) => this.loadInto(loaded, sequence + offset)));
      windowSize = READ_AHEAD;
      for (const doc of window) {
        if (!(await this.readable(doc))) {
          atEnd = true;
          break reading;
        }
        scanned += 1;
        for (; index < doc!.count && entries.length < limit; index++) {
          const change = await this.changeAt(chunks, sequence, index);
          const separator = change.indexOf('|');
          if (kinds && !kinds.includes(change.slice(0, separator))) continue;
          entries.push({ sequence, index, kind: change.slice(0, separator), key: change.slice(separator + 1), cursor: encodeFeedCursor(sequence, index + 1) });
        }
        if (index < doc!.count) break reading;
        sequence += 1;
        index = 0;
        if (entries.length >= limit || scanned >= MAX_SCANNED) break reading;
      }
    }
    const hasNextPage = !atEnd && (await this.hasMoreAt(loaded, sequence, index));
    return { entries, endCursor: encodeFeedCursor(sequence, index), hasNextPage };
  }

  /** Whether anything readable is left at this position: the rest of its batch, or a next batch. */
  private async hasMoreAt(loaded: Map<number, ChangeFeedDoc | null>, sequence: number, index: number): Promise<boolean> {
    const doc = await this.loadInto(loaded, sequence);
    if (!(await this.readable(doc))) return false;
    if (index < doc!.count) return true;
    return this.readable(await this.loadInto(loaded, sequence + 1));
  }

  /** The change at this position of a committed batch, its chunk read once per page. */
  private async changeAt(chunks: Map<string, string[]>, sequence: number, index: number): Promise<string> {
    const key = chunkKey(sequence, Math.floor(index / CHANGES_PER_CHUNK));
    let changes = chunks.get(key);
    if (!changes) {
      const chunk = await this.model.collection.findOne<ChangeChunkDoc>({ _id: key as never }, commandLimits());
      // Written before its header: a committed header without it is a broken feed, not an empty one.
      if (!chunk) throw new Error(`The change feed's ${key} is missing`);
      changes = chunk.changes;
      chunks.set(key, changes);
    }
    return changes[index % CHANGES_PER_CHUNK]!;
  }

  /** Loads a header once per read. */
  private async loadInto(loaded: Map<number, ChangeFeedDoc | null>, sequence: number): Promise<ChangeFeedDoc | null> {
    if (!loaded.has(sequence)) loaded.set(sequence, await this.load(sequence));
    return loaded.get(sequence)!;
  }

  /**
   * A committed batch; or a number taken long ago by a writer that died before journalling its
   * batch. While the journal holds batches still to be replayed, one of them may be this number's:
   * the reader waits for the replay (the next write, or the subgraph's start) rather than skip it.
   */
  private async readable(doc: ChangeFeedDoc | null): Promise<boolean> {
    if (!doc) return false;
    if (doc.committed) return true;
    return this.now().getTime() - Date.parse(doc.at) > ABANDONED_AFTER_MS && !(await hasPendingBatches(this.model.db));
  }

  private async load(sequence: number): Promise<ChangeFeedDoc | null> {
    return findById(this.model, feedKey(sequence));
  }

  private async taken(sequence: number): Promise<boolean> {
    return sequence <= 0 || (await this.load(sequence)) !== null;
  }

  /** The last taken number: galloping from the hint, then bisecting, in O(log n) key lookups. */
  private async endOfFeed(): Promise<number> {
    let low = this.lastTaken;
    let step = 1;
    while (await this.taken(low + step)) {
      low += step;
      step *= 2;
    }
    let high = low + step; // not taken
    while (high - low > 1) {
      const middle = (low + high) >>> 1;
      if (await this.taken(middle)) low = middle;
      else high = middle;
    }
    return low;
  }
}

function encodeFeedCursor(sequence: number, index: number): string {
  return Buffer.from(`${sequence}:${index}`).toString('base64url');
}

function decodeFeedCursor(cursor: string): [number, number] {
  const match = /^(\d{1,12}):(\d{1,6})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match) throw badUserInput('after', 'is not a cursor returned by this feed');
  return [Number(match[1]), Number(match[2])];
}
