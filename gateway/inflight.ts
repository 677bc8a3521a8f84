// Work asked for again while the same work is still in flight is done once: the later askers wait
// for the first one's outcome instead of starting their own. The gateway uses it for identical
// subgraph reads (the same caller, query and variables), which concurrent clients of one
// dashboard or tool send all the time.
//
// The work runs on a signal of its own, not on any one asker's: an asker that gives up (its
// client gone, its deadline passed) leaves the others waiting, and the work is aborted only when
// the last asker has left. Once settled, the work is forgotten: a later asker starts it afresh, so
// nothing is ever served from a cache.

interface Running<T> {
  readonly outcome: Promise<T>;
  readonly controller: AbortController;
  askers: number;
  settled: boolean;
}

export class Inflight<T> {
  private readonly running = new Map<string, Running<T>>();
  /** How many askers were served by work another had started: for /metrics. */
  joined = 0;

  /**
   * The outcome of `work` for `key`: started now, or shared with the same key's work in flight.
   * Rejects with `asker`'s reason when `asker` aborts first; the work goes on for the others.
   */
  share(key: string, work: (signal: AbortSignal) => Promise<T>, asker?: AbortSignal): Promise<T> {
    if (asker?.aborted) return Promise.reject(asker.reason);
    let running = this.running.get(key);
    if (running) this.joined++;
    else running = this.start(key, work);
    running.askers++;
    return this.wait(key, running, asker);
  }

  /** Keys whose work is in flight. */
  get size(): number {
    return this.running.size;
  }

  private start(key: string, work: (signal: AbortSignal) => Promise<T>): Running<T> {
    const controller = new AbortController();
    const running: Running<T> = { outcome: work(controller.signal), controller, askers: 0, settled: false };
    const forget = () => {
      running.settled = true;
      if (this.running.get(key) === running) this.running.delete(key);
    };
    running.outcome.then(forget, forget);
    this.running.set(key, running);
    return running;
  }

  private wait(key: string, running: Running<T>, asker: AbortSignal | undefined): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      let left = false;
      const leave = () => {
        if (left) return false;
        left = true;
        asker?.removeEventListener('abort', gaveUp);
        running.askers--;
        return true;
      };
      const gaveUp = () => {
        if (!leave()) return;
        if (running.askers === 0 && !running.settled) {
          // Nobody waits for it any more: stop it, and let the next asker start afresh.
          if (this.running.get(key) === running) this.running.delete(key);
          running.controller.abort(asker?.reason);
        }
        reject(asker?.reason);
      };
      asker?.addEventListener('abort', gaveUp, { once: true });
      running.outcome.then(
        (value) => {
          if (leave()) resolve(value);
        },
        (error: unknown) => {
          if (leave()) reject(error);
        },
      );
    });
  }
}
