// The one way declarations data is written, for a mutation (a batch of one) and for ingest
// (batches of thousands). Every record is validated and compared with what is stored, by
// content fingerprint; only what changed is written, in one journalled batch.
//
// The writer keeps an outline of what is stored (fingerprints, parties, item numbers) rather
// than asking the database for every record: an ingest run reads each collection once at the
// start (one sequential read each), a single write reads just its keys.
import type { Connection } from 'mongoose';
import { GraphQLError } from 'graphql';
import { contentHash } from '../kit/content-hash';
import { commitBatch, type KeyedDocument } from '../kit/journal';
import { COLLECTIONS, type ControlResultDoc, type DeclarationDoc, type DeclarationsModels, type EntrySummaryDoc } from './models';
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

/** What the writer knows of stored data. A key absent from a complete map is absent from the database. */
class StoredOutline {
  readonly declarations = new Map<string, DeclarationOutlineState | null>();
  readonly entrySummaries = new Map<string, EntrySummaryOutline | null>();
  readonly controls = new Map<string, ControlOutline | null>();

  constructor(private readonly complete: boolean) {}

  /** Every collection read once: for an ingest run. */
  static async loadAll(models: DeclarationsModels): Promise<StoredOutline> {
    const outline = new StoredOutline(true);
    const [declarations, entrySummaries, controls] = await Promise.all([
      models.declarations.find({}, { contentHashes: 1, partyIndex: 1, 'items.itemNumber': 1 }).lean<DeclarationDoc[]>().exec(),
      models.entrySummaries.find({}, { contentHashes: 1, version: 1, lodgedAt: 1 }).lean<EntrySummaryDoc[]>().exec(),
      models.controlResults.find({}, { contentHashes: 1 }).lean<ControlResultDoc[]>().exec(),
    ]);
    for (const doc of declarations) outline.declarations.set(doc._id, declarationOutline(doc));
    for (const doc of entrySummaries) outline.entrySummaries.set(doc._id, { contentHashes: doc.contentHashes, version: doc.version, lodgedAt: doc.lodgedAt });
    for (const doc of controls) outline.controls.set(doc._id, { contentHashes: doc.contentHashes });
    return outline;
  }

  /** Reads the keys not known yet, one cheap `_id` find each: for single writes. */
  async ensure(models: DeclarationsModels, keys: { declarations?: string[]; entrySummaries?: string[]; controls?: string[] }) {
    if (this.complete) return;
    const fetch = async <TDoc, TOutline>(
      ids: string[] | undefined,
      map: Map<string, TOutline | null>,
      find: (id: string) => Promise<TDoc | null>,
      toOutline: (doc: TDoc) => TOutline,
    ) => {
      for (const id of new Set(ids ?? [])) {
        if (map.has(id)) continue;
        const doc = await find(id);
        map.set(id, doc ? toOutline(doc) : null);
      }
    };
    await fetch(keys.declarations, this.declarations, (id) => models.declarations.findById(id).lean<DeclarationDoc>().exec(), declarationOutline);
    await fetch(
      keys.entrySummaries,
      this.entrySummaries,
      (id) => models.entrySummaries.findById(id).lean<EntrySummaryDoc>().exec(),
      (doc) => ({
        contentHashes: doc.contentHashes,
        version: doc.version,
        lodgedAt: doc.lodgedAt,
      }),
    );
    await fetch(
      keys.controls,
      this.controls,
      (id) => models.controlResults.findById(id).lean<ControlResultDoc>().exec(),
      (doc) => ({
        contentHashes: doc.contentHashes,
      }),
    );
  }
}

function declarationOutline(doc: Pick<DeclarationDoc, 'contentHashes' | 'partyIndex' | 'items'>): DeclarationOutlineState {
  return { contentHashes: doc.contentHashes, partyIndex: doc.partyIndex, itemNumbers: doc.items.map((item) => item.itemNumber) };
}

/** "New", "a new version", "the current version again", or "an older version replayed" (ignored). */
function classify(before: Fingerprinted | null | undefined, hash: string): 'stored' | 'updated' | 'unchanged' {
  if (!before) return 'stored';
  return before.contentHashes.includes(hash) ? 'unchanged' : 'updated';
}

export class DeclarationsWriter {
  private constructor(
    private readonly models: DeclarationsModels,
    private readonly connection: Connection,
    private readonly stored: StoredOutline,
    private readonly now: () => Date,
  ) {}

  /** For a run over many batches: reads what is stored once, then keeps it up to date itself. */
  static async forIngest(models: DeclarationsModels, connection: Connection, now = () => new Date()): Promise<DeclarationsWriter> {
    return new DeclarationsWriter(models, connection, await StoredOutline.loadAll(models), now);
  }

  /** For one request: reads only the keys it writes. */
  static forRequest(models: DeclarationsModels, connection: Connection, now = () => new Date()): DeclarationsWriter {
    return new DeclarationsWriter(models, connection, new StoredOutline(false), now);
  }

  async write(records: readonly DeclarationsRecord[]): Promise<WriteResult[]> {
    const { stored } = this;
    const mrns = (kinds: DeclarationsRecord['kind'][]) =>
      records.filter((record) => kinds.includes(record?.kind) && typeof record.mrn === 'string').map((record) => record.mrn);
    await stored.ensure(this.models, {
      declarations: mrns(['declaration', 'controlResult']),
      entrySummaries: mrns(['entrySummaryDeclaration']),
      controls: records.flatMap((record) =>
        record?.kind === 'controlResult' && typeof record.mrn === 'string'
          ? [controlResultId(record.mrn, record.itemNumber ?? null, String(record.controlType))]
          : [],
      ),
    });

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
          const doc: DeclarationDoc = { ...content, contentHashes: [...(before?.contentHashes ?? []), hash] };
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
          const doc: ControlResultDoc = { ...content, contentHashes: [...(before?.contentHashes ?? []), hash] };
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

/** Writes records in one batch, reading only their keys: the path of every mutation. */
export function writeRecords(models: DeclarationsModels, connection: Connection, records: readonly DeclarationsRecord[]): Promise<WriteResult[]> {
  return DeclarationsWriter.forRequest(models, connection).write(records);
}
