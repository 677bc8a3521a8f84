// The one way declarations data is written, for a mutation (a batch of one) and for ingest
// (batches of thousands). Every record is validated and compared with what is stored, by
// content fingerprint; only what changed is written, in one journalled batch.
//
// A stored record's fingerprints and an ENS's version are read, added to and written back, so
// a batch holds its keys (kit/key-lock.ts) from that read until its journal is applied: writes
// of one MRN, from mutations and ingest alike, follow one another and none is lost.
import type { Connection } from 'mongoose';
import { GraphQLError } from 'graphql';
import { contentHash } from '../kit/content-hash';
import { commitBatch, replayBatch, UnfinishedBatchError, type KeyedDocument } from '../kit/journal';
import { KeyLock } from '../kit/key-lock';
import {
  COLLECTIONS,
  controlResultScope,
  declarationScope,
  entrySummaryScope,
  type ControlResultDoc,
  type DeclarationDoc,
  type DeclarationsModels,
  type EntrySummaryDoc,
} from './models';
import type { DeclarationsRecord } from './records';
import type { ChangeKind } from './models';
import { controlResultId, validateControlResult, validateDeclaration, validateEntrySummary, type DeclarationOutline } from './validate';

export type WriteStatus = 'stored' | 'updated' | 'unchanged' | 'rejected';

export interface WriteResult {
  status: WriteStatus;
  /** The stored document's key, unless rejected. */
  key?: string;
  field?: string;
  reason?: string;
}

interface Fingerprinted {
  contentHashes: string[];
}
type DeclarationOutlineState = DeclarationOutline & Fingerprinted;
type EntrySummaryOutline = Fingerprinted & { version: number; lodgedAt: string };
type ControlOutline = Fingerprinted;

interface BatchKeys {
  declarations: string[];
  entrySummaries: string[];
  controls: string[];
}

/** What is stored under a batch's keys, as much as the writer needs. A key absent from a map is absent from the database. */
class StoredOutline {
  readonly declarations = new Map<string, DeclarationOutlineState>();
  readonly entrySummaries = new Map<string, EntrySummaryOutline>();
  readonly controls = new Map<string, ControlOutline>();

  /** One `$in` find per collection. */
  static async read(models: DeclarationsModels, keys: BatchKeys): Promise<StoredOutline> {
    const outline = new StoredOutline();
    const byIds = (ids: string[]) => ({ _id: { $in: [...new Set(ids)] } });
    const [declarations, entrySummaries, controls] = await Promise.all([
      keys.declarations.length === 0
        ? []
        : models.declarations.find(byIds(keys.declarations), { contentHashes: 1, partyIndex: 1, 'items.itemNumber': 1 }).lean<DeclarationDoc[]>().exec(),
      keys.entrySummaries.length === 0
        ? []
        : models.entrySummaries.find(byIds(keys.entrySummaries), { contentHashes: 1, version: 1, lodgedAt: 1 }).lean<EntrySummaryDoc[]>().exec(),
      keys.controls.length === 0 ? [] : models.controlResults.find(byIds(keys.controls), { contentHashes: 1 }).lean<ControlResultDoc[]>().exec(),
    ]);
    for (const doc of declarations) outline.declarations.set(doc._id, declarationOutline(doc));
    for (const doc of entrySummaries) outline.entrySummaries.set(doc._id, { contentHashes: doc.contentHashes, version: doc.version, lodgedAt: doc.lodgedAt });
    for (const doc of controls) outline.controls.set(doc._id, { contentHashes: doc.contentHashes });
    return outline;
  }
}

/** The keys a batch reads and writes; a control result also reads its declaration's items. */
function keysOf(records: readonly DeclarationsRecord[]): BatchKeys {
  const mrns = (kinds: DeclarationsRecord['kind'][]) =>
    records.filter((record) => kinds.includes(record?.kind) && typeof record.mrn === 'string').map((record) => record.mrn);
  return {
    declarations: mrns(['declaration', 'controlResult']),
    entrySummaries: mrns(['entrySummaryDeclaration']),
    controls: records.flatMap((record) =>
      record?.kind === 'controlResult' && typeof record.mrn === 'string'
        ? [controlResultId(record.mrn, record.itemNumber ?? null, String(record.controlType))]
        : [],
    ),
  };
}

function declarationOutline(doc: Pick<DeclarationDoc, 'contentHashes' | 'partyIndex' | 'items'>): DeclarationOutlineState {
  return { contentHashes: doc.contentHashes, partyIndex: doc.partyIndex, itemNumbers: doc.items.map((item) => item.itemNumber) };
}

/** "New", "a new version", "the current version again", or "an older version replayed" (ignored). */
function classify(before: Fingerprinted | null | undefined, hash: string): 'stored' | 'updated' | 'unchanged' {
  if (!before) return 'stored';
  return before.contentHashes.includes(hash) ? 'unchanged' : 'updated';
}

/** The subgraph's one writer: every mutation and every ingest batch goes through it. */
export class DeclarationsWriter {
  private readonly lock = new KeyLock();
  /** Batches journalled but not applied (the engine failed meanwhile) → the keys they write; the next writer of any of them applies them first. */
  private readonly unfinished = new Map<string, string[]>();

  constructor(
    private readonly models: DeclarationsModels,
    private readonly connection: Connection,
    private readonly now: () => Date = () => new Date(),
  ) {}

  write(records: readonly DeclarationsRecord[]): Promise<WriteResult[]> {
    const keys = keysOf(records);
    const held = [
      ...keys.declarations.map((mrn) => `declaration:${mrn}`),
      ...keys.entrySummaries.map((mrn) => `ens:${mrn}`),
      ...keys.controls.map((id) => `control:${id}`),
    ];
    return this.writeHolding(records, keys, held);
  }

  /**
   * Holds the batch's keys, and the keys of every half-applied batch that shares one of them: those
   * are applied again first, so the batch reads, and builds on, what they wrote.
   */
  private async writeHolding(records: readonly DeclarationsRecord[], keys: BatchKeys, held: string[]): Promise<WriteResult[]> {
    for (;;) {
      const claimed = new Set([...held, ...this.unfinishedSharing(held).flatMap(([, batchKeys]) => batchKeys)]);
      const results = await this.lock.run(claimed, async () => {
        const unfinished = this.unfinishedSharing(held);
        // A batch that failed while this one waited may hold keys not claimed yet: claim again.
        if (unfinished.some(([, batchKeys]) => batchKeys.some((key) => !claimed.has(key)))) return undefined;
        for (const [id] of unfinished) {
          await replayBatch(this.connection, id);
          this.unfinished.delete(id);
        }
        try {
          return await this.writeHeld(records, await StoredOutline.read(this.models, keys));
        } catch (error) {
          if (error instanceof UnfinishedBatchError) this.unfinished.set(error.batchId, held);
          throw error;
        }
      });
      if (results) return results;
    }
  }

  private unfinishedSharing(held: readonly string[]): [string, string[]][] {
    const mine = new Set(held);
    return [...this.unfinished].filter(([, batchKeys]) => batchKeys.some((key) => mine.has(key)));
  }

  private async writeHeld(records: readonly DeclarationsRecord[], stored: StoredOutline): Promise<WriteResult[]> {
    const put = {
      declarations: new Map<string, DeclarationDoc>(),
      entrySummaries: new Map<string, EntrySummaryDoc>(),
      controls: new Map<string, ControlResultDoc>(),
    };
    const at = this.now().toISOString();
    /** What the change feed announces once the batch is committed. */
    const changes: { kind: ChangeKind; key: string }[] = [];

    const writeOne = (record: DeclarationsRecord): WriteResult => {
      switch (record?.kind) {
        case 'declaration': {
          const content = validateDeclaration(record);
          const hash = contentHash(content);
          const before = stored.declarations.get(content._id);
          const status = classify(before, hash);
          if (status === 'unchanged') return { status, key: content._id };
          const doc: DeclarationDoc = { ...content, ...declarationScope(content), contentHashes: [...(before?.contentHashes ?? []), hash] };
          stored.declarations.set(doc._id, declarationOutline(doc));
          put.declarations.set(doc._id, doc);
          changes.push({ kind: 'DECLARATION', key: doc._id });
          return { status, key: doc._id };
        }
        case 'entrySummaryDeclaration': {
          const content = validateEntrySummary(record);
          const hash = contentHash(content);
          const before = stored.entrySummaries.get(content._id);
          const status = classify(before, hash);
          if (status === 'unchanged') return { status, key: content._id };
          const doc: EntrySummaryDoc = {
            ...content,
            ...entrySummaryScope(content),
            version: (before?.version ?? 0) + 1,
            lodgedAt: before?.lodgedAt ?? at,
            amendedAt: before ? at : null,
            contentHashes: [...(before?.contentHashes ?? []), hash],
          };
          stored.entrySummaries.set(doc._id, { contentHashes: doc.contentHashes, version: doc.version, lodgedAt: doc.lodgedAt });
          put.entrySummaries.set(doc._id, doc);
          changes.push({ kind: 'ENTRY_SUMMARY_DECLARATION', key: doc._id });
          return { status, key: doc._id };
        }
        case 'controlResult': {
          const declaration = typeof record.mrn === 'string' ? (stored.declarations.get(record.mrn) ?? null) : null;
          const content = validateControlResult(record, declaration);
          const hash = contentHash(content);
          const before = stored.controls.get(content._id);
          const status = classify(before, hash);
          if (status === 'unchanged') return { status, key: content._id };
          const doc: ControlResultDoc = { ...content, ...controlResultScope(content), contentHashes: [...(before?.contentHashes ?? []), hash] };
          stored.controls.set(doc._id, { contentHashes: doc.contentHashes });
          put.controls.set(doc._id, doc);
          changes.push({ kind: 'CONTROL_RESULT', key: doc._id });
          return { status, key: doc._id };
        }
        default:
          return { status: 'rejected', field: 'kind', reason: 'must be declaration, entrySummaryDeclaration or controlResult' };
      }
    };

    const results = records.map((record): WriteResult => {
      try {
        return writeOne(record);
      } catch (error) {
        if (!(error instanceof GraphQLError) || error.extensions.code !== 'BAD_USER_INPUT') throw error;
        return { status: 'rejected', field: String(error.extensions.field ?? ''), reason: String(error.extensions.reason ?? error.message) };
      }
    });

    const documents = (map: Map<string, object>) => [...map.values()] as KeyedDocument[];
    const sequence = changes.length > 0 ? await this.models.changeFeed.take() : null;
    const feed = sequence === null ? [] : this.models.changeFeed.committed(sequence, changes);
    try {
      await commitBatch(this.connection, {
        put: {
          [COLLECTIONS.declarations]: documents(put.declarations),
          [COLLECTIONS.entrySummaries]: documents(put.entrySummaries),
          [COLLECTIONS.controlResults]: documents(put.controls),
        },
        // Last: a reader that sees the feed entry finds the data it announces.
        thenPut: { [COLLECTIONS.changeFeed]: feed as unknown as KeyedDocument[] },
      });
    } catch (error) {
      // Readers wait at a taken number; one whose batch never reached the journal is let go.
      if (sequence !== null) await this.models.changeFeed.release(sequence).catch(() => {});
      throw error;
    }
    return results;
  }
}
