// The control queue: every assessment ranked by score. FerretDB can only sort by reading every
// document, so the ranking is kept in memory from a compact copy of the assessments (one small
// queue entry each, written after its assessment) and rebuilt
// when a writer has changed the token that every assessment write ends with. Any number of
// processes can serve the queue this way; each rebuilds once after each screening batch.
import { detachedFromRequest } from '../kit/request-deadline';
import { randomUUID } from 'node:crypto';
import { memberStateOf } from '../kit/auth/rows';
import { badUserInput } from '../kit/errors';
import { decodeCursor, encodeCursor, pageSize, type PageArgs } from '../kit/pagination';
import type { Lane } from './reasons';
import { readState, writeState, type QueueEntryDoc, type RiskModels } from './models';

export interface QueueEntry {
  mrn: string;
  kind: 'DECLARATION' | 'ENS';
  score: number;
  lane: Lane;
  office: string;
  memberState: string;
}

export interface QueueFilter {
  kind: QueueEntry['kind'];
  lane?: string | null;
  office?: string | null;
}

const TOKEN = 'queue.token';
interface Snapshot {
  token: string | null;
  entries: QueueEntry[];
  /** The same ranking cut by Member State: an official's queue is read without filtering everyone's. */
  byMemberState: Map<string, QueueEntry[]>;
}

const snapshots = new WeakMap<RiskModels, Promise<Snapshot>>();

/** Marks the queue as changed: call after every batch of assessment writes. */
export async function touchQueue(models: RiskModels): Promise<void> {
  await writeState(models, TOKEN, randomUUID());
}

/** Highest score first; equal scores by MRN, so pages are stable. */
export function compareEntries(a: Pick<QueueEntry, 'score' | 'mrn'>, b: Pick<QueueEntry, 'score' | 'mrn'>): number {
  return b.score - a.score || (a.mrn < b.mrn ? -1 : a.mrn > b.mrn ? 1 : 0);
}

/** The ranking of every assessment, or of one Member State's filings only. */
export async function rankedEntries(models: RiskModels, memberState: string | null = null): Promise<QueueEntry[]> {
  const snapshot = await rankedSnapshot(models);
  return memberState === null ? snapshot.entries : (snapshot.byMemberState.get(memberState) ?? []);
}

async function rankedSnapshot(models: RiskModels): Promise<Snapshot> {
  const token = await readState(models, TOKEN);
  const cached = snapshots.get(models);
  if (cached) {
    const snapshot = await cached.catch(() => null);
    if (snapshot && snapshot.token === token) return snapshot;
  }
  // Shared by every request that asks meanwhile: not cut short by the deadline of the one that started it.
  const loading = detachedFromRequest(async () => {
    const docs = await models.queueEntries.find({}).lean<QueueEntryDoc[]>().exec();
    const entries = docs
      .map(({ _id, kind, score, lane, office, memberState }) => ({ mrn: _id, kind, score, lane, office, memberState: memberState ?? memberStateOf(office) }))
      .sort(compareEntries);
    const byMemberState = new Map<string, QueueEntry[]>();
    for (const entry of entries) {
      const list = byMemberState.get(entry.memberState);
      if (list) list.push(entry);
      else byMemberState.set(entry.memberState, [entry]);
    }
    return { token, entries, byMemberState };
  });
  snapshots.set(models, loading);
  return loading;
}

export function pageOfQueue(entries: readonly QueueEntry[], filter: QueueFilter, args: PageArgs) {
  const limit = pageSize(args.first);
  const selected = entries.filter(
    (entry) => entry.kind === filter.kind && (!filter.lane || entry.lane === filter.lane) && (!filter.office || entry.office === filter.office),
  );
  let start = 0;
  if (args.after) {
    const [score, mrn] = decodeCursor(args.after, 2);
    if (typeof score !== 'number' || typeof mrn !== 'string') throw badUserInput('after', 'is not a cursor returned by this queue');
    start = selected.findIndex((entry) => compareEntries(entry, { mrn, score }) > 0);
    if (start < 0) start = selected.length;
  }
  const page = selected.slice(start, start + limit);
  const edges = page.map((entry) => ({ node: entry, cursor: encodeCursor([entry.score, entry.mrn]) }));
  return {
    edges,
    totalCount: selected.length,
    pageInfo: {
      hasNextPage: start + limit < selected.length,
      hasPreviousPage: start > 0,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
  };
}
