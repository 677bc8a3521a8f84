// The one way declarations data is written, for a mutation (a batch of one) and for ingest
// (batches of hundreds). Every record is validated, compared with what is stored, and only
// what changed is written, in one journalled batch together with the operators' counters.
import type { Connection } from 'mongoose';
import { GraphQLError } from 'graphql';
import { contentHash } from '../kit/content-hash';
import { commitBatch, type Increment, type KeyedDocument } from '../kit/journal';
import { COLLECTIONS, type ControlResultDoc, type DeclarationDoc, type DeclarationsModels, type EntrySummaryDoc } from './models';
import type { DeclarationsRecord } from './records';
import {
  rolesOf,
  validateControlResult,
  validateDeclaration,
  validateEntrySummary,
  type ControlResultContent,
  type DeclarationContent,
  type EntrySummaryContent,
} from './validate';

export type WriteStatus = 'stored' | 'updated' | 'unchanged' | 'rejected';

export interface WriteResult {
  status: WriteStatus;
  /** The stored document after this record, unless rejected. */
  document?: DeclarationDoc | EntrySummaryDoc | ControlResultDoc;
  field?: string;
  reason?: string;
}

type Stored = DeclarationDoc | EntrySummaryDoc | ControlResultDoc;

/** Keeps, per collection, the state as it will be after the records seen so far. */
class BatchState<TDoc extends Stored> {
  readonly current = new Map<string, TDoc>();
  readonly changed = new Set<string>();

  constructor(stored: readonly TDoc[]) {
    for (const doc of stored) this.current.set(doc._id, doc);
  }

  /**
   * Decides what writing this content means: new, a new version, the current version again,
   * or an older version replayed (ignored, so a retried file cannot undo a later amendment).
   */
  apply(content: { _id: string }, build: (previous: TDoc | undefined, hashes: string[]) => TDoc): { status: WriteStatus; before?: TDoc; after: TDoc } {
    const hash = contentHash(content);
    const before = this.current.get(content._id);
    if (before?.contentHashes.includes(hash)) return { status: 'unchanged', before, after: before };
    const after = build(before, [...(before?.contentHashes ?? []), hash]);
    this.current.set(after._id, after);
    this.changed.add(after._id);
    return { status: before ? 'updated' : 'stored', before, after };
  }

  toWrite(): TDoc[] {
    return [...this.changed].map((id) => this.current.get(id)!);
  }
}

/** Per operator and role: how many declarations, controls and irregularities a document contributes. */
class Counters {
  private readonly totals = new Map<string, Record<string, number>>();

  add(partyIndex: readonly string[], counts: { declarations?: number; controls?: number; irregularities?: number }, sign: 1 | -1): void {
    for (const { role, eori } of rolesOf(partyIndex)) {
      const inc = this.totals.get(eori) ?? {};
      for (const [counter, value] of Object.entries(counts)) {
        if (!value) continue;
        const path = `roles.${role}.${counter}`;
        inc[path] = (inc[path] ?? 0) + sign * value;
      }
      this.totals.set(eori, inc);
    }
  }

  increments(): Increment[] {
    const increments: Increment[] = [];
    for (const [id, inc] of this.totals) {
      const nonZero = Object.fromEntries(Object.entries(inc).filter(([, value]) => value !== 0));
      if (Object.keys(nonZero).length) increments.push({ collection: COLLECTIONS.operatorStatistics, id, inc: nonZero });
    }
    return increments;
  }
}

function controlContribution(doc: ControlResultDoc) {
  return { controls: 1, irregularities: doc.outcome === 'IRREGULARITY_FOUND' ? 1 : 0 };
}

export async function writeRecords(
  models: DeclarationsModels,
  connection: Connection,
  records: readonly DeclarationsRecord[],
  now: () => Date = () => new Date(),
): Promise<WriteResult[]> {
  const results: WriteResult[] = new Array(records.length);
  const mrnsOf = (kind: DeclarationsRecord['kind']) =>
    [...new Set(records.filter((record) => record?.kind === kind && typeof record.mrn === 'string').map((record) => record.mrn))];
  const declarationMrns = [...new Set([...mrnsOf('declaration'), ...mrnsOf('controlResult')])];
  const controlMrns = mrnsOf('controlResult');

  // Everything the batch could touch, in three queries.
  const [declarations, entrySummaries, controlResults] = await Promise.all([
    models.declarations.find({ _id: { $in: declarationMrns } }).lean<DeclarationDoc[]>().exec(),
    models.entrySummaries.find({ _id: { $in: mrnsOf('entrySummaryDeclaration') } }).lean<EntrySummaryDoc[]>().exec(),
    controlMrns.length ? models.controlResults.find({ mrn: { $in: controlMrns } }).lean<ControlResultDoc[]>().exec() : [],
  ]);
  const state = {
    declarations: new BatchState<DeclarationDoc>(declarations),
    entrySummaries: new BatchState<EntrySummaryDoc>(entrySummaries),
    controlResults: new BatchState<ControlResultDoc>(controlResults),
  };
  const counters = new Counters();

  records.forEach((record, index) => {
    try {
      results[index] = writeOne(record);
    } catch (error) {
      if (!(error instanceof GraphQLError) || error.extensions.code !== 'BAD_USER_INPUT') throw error;
      results[index] = { status: 'rejected', field: String(error.extensions.field ?? ''), reason: String(error.extensions.reason ?? error.message) };
    }
  });

  function writeOne(record: DeclarationsRecord): WriteResult {
    switch (record?.kind) {
      case 'declaration': {
        const content: DeclarationContent = validateDeclaration(record);
        const { status, before, after } = state.declarations.apply(content, (_, contentHashes) => ({ ...content, contentHashes }));
        if (status !== 'unchanged') {
          if (before) counters.add(before.partyIndex, { declarations: 1 }, -1);
          counters.add(after.partyIndex, { declarations: 1 }, 1);
        }
        return { status, document: after };
      }
      case 'entrySummaryDeclaration': {
        const content: EntrySummaryContent = validateEntrySummary(record);
        const at = now().toISOString();
        const { status, after } = state.entrySummaries.apply(content, (previous, contentHashes) => ({
          ...content,
          version: (previous?.version ?? 0) + 1,
          lodgedAt: previous?.lodgedAt ?? at,
          amendedAt: previous ? at : null,
          contentHashes,
        }));
        return { status, document: after };
      }
      case 'controlResult': {
        const declaration = typeof record.mrn === 'string' ? (state.declarations.current.get(record.mrn) ?? null) : null;
        const content: ControlResultContent = validateControlResult(record, declaration);
        const { status, before, after } = state.controlResults.apply(content, (_, contentHashes) => ({ ...content, contentHashes }));
        if (status !== 'unchanged') {
          if (before) counters.add(before.partyIndex, controlContribution(before), -1);
          counters.add(after.partyIndex, controlContribution(after), 1);
        }
        return { status, document: after };
      }
      default:
        return { status: 'rejected', field: 'kind', reason: 'must be declaration, entrySummaryDeclaration or controlResult' };
    }
  }

  await commitBatch(connection, {
    documents: {
      [COLLECTIONS.declarations]: state.declarations.toWrite() as unknown as KeyedDocument[],
      [COLLECTIONS.entrySummaries]: state.entrySummaries.toWrite() as unknown as KeyedDocument[],
      [COLLECTIONS.controlResults]: state.controlResults.toWrite() as unknown as KeyedDocument[],
    },
    increments: counters.increments(),
  });
  return results;
}
