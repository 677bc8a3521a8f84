// The gateway's buffer in front of the audit subgraph. Requests never wait for the trail to be
// written: an entry goes into memory and is sent with others, every FLUSH_INTERVAL_MS or
// BATCH_SIZE entries, in one POST /audit. A batch that fails stays at the head of the queue and
// is sent again, with backoff, until the audit subgraph stores it; entries carry ids the
// gateway made, so a batch sent twice is stored once. Above MAX_PENDING entries waiting, new
// requests wait for room (backpressure) instead of entries being dropped.
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { AuditEntry } from '../subgraphs/kit/audit-entry';

export interface AuditRecorder {
  /** Queues an entry; resolves at once, or once there is room again when MAX_PENDING entries wait. */
  record(entry: Omit<AuditEntry, 'id'>): Promise<void>;
  /** Resolves when every entry recorded so far is stored; rejects after `timeoutMs` without the audit subgraph. */
  flush(timeoutMs?: number): Promise<void>;
  /** Stops the timer and flushes; what still cannot be stored is written to the log, never dropped silently. */
  stop(): Promise<void>;
  /** Entries not stored yet. */
  readonly pending: number;
}

/** Stores one batch: 'retry' keeps it at the head of the queue, to be sent again with backoff. */
export type AuditBatchStore = (batch: AuditEntry[]) => Promise<'stored' | 'retry'>;

/** Where batches go: the audit subgraph's POST /audit, or a store of the caller's own (a benchmark's gateway that holds the audit models). */
export type AuditRecorderOptions = AuditRecorderSettings &
  (
    | {
        /** The audit subgraph's POST /audit. */
        url: string;
        /** A bearer token that says this is the gateway itself. */
        token: () => Promise<string>;
      }
    | { store: AuditBatchStore }
  );

interface AuditRecorderSettings {
  flushIntervalMs?: number;
  batchSize?: number;
  maxPending?: number;
  /** Distinguishes this gateway's entry ids from every other gateway's, and from its own earlier runs. */
  instanceId?: string;
  log?: (message: string) => void;
}

export const FLUSH_INTERVAL_MS = 250;
export const BATCH_SIZE = 500;
export const MAX_PENDING = 100_000;
const MAX_BACKOFF_MS = 10_000;
const REQUEST_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 10_000;

export function createAuditRecorder(options: AuditRecorderOptions): AuditRecorder {
  const batchSize = options.batchSize ?? BATCH_SIZE;
  const maxPending = options.maxPending ?? MAX_PENDING;
  const instance = options.instanceId ?? `${Date.now().toString(36)}${randomBytes(4).toString('hex')}`;
  const log = options.log ?? ((message: string) => console.error(message));
  const queue: AuditEntry[] = [];
  const waiting: (() => void)[] = [];
  let sequence = 0;
  let failures = 0;
  let retryAt = 0;
  let sending: Promise<void> | undefined;

  /** Sends batches until the queue is empty or one fails. */
  async function drain(): Promise<void> {
    while (queue.length > 0) {
      const batch = queue.slice(0, batchSize);
      const result = await store(batch);
      if (result === 'retry') {
        failures += 1;
        retryAt = Date.now() + Math.min(MAX_BACKOFF_MS, FLUSH_INTERVAL_MS * 2 ** failures);
        return;
      }
      failures = 0;
      // Entries are only ever added at the tail, so the head is still this batch.
      queue.splice(0, batch.length);
      while (waiting.length > 0 && queue.length < maxPending) waiting.shift()!();
    }
  }

  const store: AuditBatchStore = 'store' in options ? options.store : (batch) => send(options.url, options.token, batch);

  async function send(url: string, token: () => Promise<string>, batch: AuditEntry[]): Promise<'stored' | 'retry'> {
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${await token()}` },
        body: JSON.stringify({ entries: batch }),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      if (response.ok) return 'stored';
      const answer = await response.text().catch(() => '');
      // A batch the audit subgraph can never take (a bug, not an outage): kept in the log rather than retried for ever.
      if (response.status === 400 || response.status === 413) {
        log(
          `audit: the audit subgraph refused a batch (HTTP ${response.status}: ${answer}); its entries follow\n${batch.map((entry) => JSON.stringify(entry)).join('\n')}`,
        );
        return 'stored';
      }
      if (failures === 0) log(`audit: the audit subgraph answered HTTP ${response.status} (${answer}); retrying with backoff`);
    } catch (error) {
      if (failures === 0) log(`audit: the audit subgraph could not be reached (${(error as Error).message}); retrying with backoff`);
    }
    return 'retry';
  }

  function kick(): Promise<void> {
    if (!sending && queue.length > 0 && Date.now() >= retryAt)
      sending = drain().finally(() => {
        sending = undefined;
      });
    return sending ?? Promise.resolve();
  }

  const timer = setInterval(() => void kick(), options.flushIntervalMs ?? FLUSH_INTERVAL_MS);
  timer.unref();

  async function flush(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (queue.length > 0 || sending) {
      if (Date.now() > deadline) throw new Error(`audit: ${queue.length} entries are not stored yet: the audit subgraph is not taking them`);
      await (sending ?? (retryAt > Date.now() ? sleep(Math.min(retryAt, deadline) - Date.now() + 1) : kick()));
    }
  }

  return {
    get pending() {
      return queue.length;
    },
    record(entry) {
      sequence += 1;
      queue.push({ id: `${instance}-${sequence.toString(36).padStart(8, '0')}`, ...entry });
      if (queue.length >= batchSize) void kick();
      return queue.length > maxPending ? new Promise<void>((resolve) => waiting.push(resolve)) : Promise.resolve();
    },
    flush,
    async stop() {
      clearInterval(timer);
      try {
        await flush(STOP_TIMEOUT_MS);
      } catch {
        log(
          `audit: stopping with ${queue.length} entries the audit subgraph did not take; they follow\n${queue.map((entry) => JSON.stringify(entry)).join('\n')}`,
        );
        queue.length = 0;
      }
      while (waiting.length > 0) waiting.shift()!();
    },
  };
}
