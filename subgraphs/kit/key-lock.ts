// Serialises a subgraph's writes per key inside its one process.
//
// A write that reads a document, changes it and writes it back (a version counter, a list of
// content fingerprints, a status with its history) loses another writer's change if both read
// before either writes. MongoDB makes a conditional update atomic, but FerretDB runs it as a
// find and then an update, so on the embedded engine two such writes of one key must not
// overlap. A subgraph that uses this is the only writer of its database, so a lock in its
// process is enough.
//
// A run claims all its keys at once, in one synchronous step, and waits for every earlier run
// that claimed any of them: runs of one key go first come, first served, and no two runs can
// wait on each other. Runs are not re-entrant: work must not start a run on a key it holds.

export class KeyLock {
  /** Per key, the run that claimed it last: the next run of that key waits for it. */
  private readonly tails = new Map<string, Promise<void>>();

  async run<T>(keys: Iterable<string>, work: () => Promise<T>): Promise<T> {
    const claimed = [...new Set(keys)];
    let release!: () => void;
    const finished = new Promise<void>((done) => (release = done));
    const earlier = claimed.flatMap((key) => this.tails.get(key) ?? []);
    for (const key of claimed) this.tails.set(key, finished);
    try {
      await Promise.all(earlier);
      return await work();
    } finally {
      release();
      for (const key of claimed) if (this.tails.get(key) === finished) this.tails.delete(key);
    }
  }

  /** Keys some run holds or waits for: zero when the subgraph is idle. */
  get size(): number {
    return this.tails.size;
  }
}
