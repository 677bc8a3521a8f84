// What this process is waiting for right now: database commands and graph requests, each with
// when it was sent. A job that stops making progress names the oldest of them (watchdog.ts).
export interface Waiting {
  what: string;
  since: number;
}

const waiting = new Map<symbol, Waiting>();

/** Records a wait until the returned function is called. */
export function beginWait(what: string): () => void {
  const key = Symbol(what);
  waiting.set(key, { what, since: Date.now() });
  return () => waiting.delete(key);
}

/** The longest-running waits, oldest first. */
export function oldestWaits(limit = 3): Waiting[] {
  return [...waiting.values()].sort((a, b) => a.since - b.since).slice(0, limit);
}

export function describeWaits(now = Date.now()): string {
  const waits = oldestWaits();
  if (waits.length === 0) return 'nothing in flight';
  return waits.map(({ what, since }) => `${what} (${Math.round((now - since) / 1000)} s)`).join('; ');
}
