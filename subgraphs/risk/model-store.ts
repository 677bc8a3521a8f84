// Learned models, versioned. A version number is taken with a unique insert, the model is
// written in parts, and only then is the version committed and made current: a reader never sees
// half a model, and two learners never share a number. Versions are kept, so every assessment
// can say which one scored it.
import { detachedFromRequest } from '../kit/request-deadline';
import { insertOnce, replaceById } from '../kit/persistence';
import { createScorer, type Scorer } from './model/score';
import type { LearnedModel } from './model/train';
import { findById } from '../kit/batching';
import { readState, writeState, type ModelHeaderDoc, type RiskModels } from './models';

/** Characters per stored part: well under the 16 MB document limit. */
const PART_SIZE = 4_000_000;
const CURRENT = 'model.current';

export interface StoredModel {
  header: ModelHeaderDoc;
  model: LearnedModel;
  /** MRNs of the filings learned from: incremental learning skips them. */
  learnt: ReadonlySet<string>;
  scorer: Scorer;
}

export type ModelHeaderFields = Omit<ModelHeaderDoc, '_id' | 'version' | 'committed' | 'parts'>;

const headerId = (version: number) => `model:${String(version).padStart(6, '0')}`;
const cache = new WeakMap<RiskModels, Map<number, Promise<StoredModel | null>>>();

export async function saveModel(models: RiskModels, fields: ModelHeaderFields, model: LearnedModel, learnt: Iterable<string>): Promise<ModelHeaderDoc> {
  let version = Number((await readState(models, CURRENT)) ?? 0) + 1;
  const draft = (v: number): ModelHeaderDoc => ({ _id: headerId(v), version: v, committed: false, parts: 0, ...fields });
  while (!(await insertOnce(models.modelHeaders, draft(version)))) version += 1;

  const text = JSON.stringify({ model, learnt: [...learnt] });
  const parts = Math.max(1, Math.ceil(text.length / PART_SIZE));
  const header: ModelHeaderDoc = { ...draft(version), committed: true, parts };
  for (let part = 0; part < parts; part++) {
    await replaceById(models.modelParts.collection, `${header._id}/${part}`, { text: text.slice(part * PART_SIZE, (part + 1) * PART_SIZE) });
  }
  await models.modelHeaders.collection.replaceOne({ _id: header._id as never }, header);
  // A learner that finished later with a newer version keeps it current.
  if (((await currentVersion(models)) ?? 0) < version) await writeState(models, CURRENT, String(version));
  return header;
}

export async function currentVersion(models: RiskModels): Promise<number | null> {
  const value = await readState(models, CURRENT);
  return value === null ? null : Number(value);
}

export async function loadModel(models: RiskModels, version?: number | null): Promise<StoredModel | null> {
  const wanted = version ?? (await currentVersion(models));
  if (wanted === null) return null;
  let versions = cache.get(models);
  if (!versions) cache.set(models, (versions = new Map()));
  let loading = versions.get(wanted);
  if (!loading) {
    // Shared by every request that asks meanwhile: not cut short by the deadline of the one that started it.
    loading = detachedFromRequest(() => readModel(models, wanted));
    // Models are megabytes: keep the one asked for and the one before it (still being served).
    for (const cached of [...versions.keys()]) if (cached < wanted - 1) versions.delete(cached);
    versions.set(wanted, loading);
    // A failed read is not remembered; a missing version is (versions never reappear).
    loading.catch(() => versions.delete(wanted));
  }
  return loading;
}

export async function loadHeader(models: RiskModels, version: number): Promise<ModelHeaderDoc | null> {
  const header = await findById(models.modelHeaders, headerId(version));
  return header?.committed ? header : null;
}

async function readModel(models: RiskModels, version: number): Promise<StoredModel | null> {
  const header = await loadHeader(models, version);
  if (!header) return null;
  const parts = await Promise.all(Array.from({ length: header.parts }, (_, part) => findById(models.modelParts, `${header._id}/${part}`)));
  if (parts.some((part) => part === null)) throw new Error(`Model version ${version} is missing parts`);
  const { model, learnt } = JSON.parse(parts.map((part) => part!.text).join('')) as { model: LearnedModel; learnt: string[] };
  return { header, model, learnt: new Set(learnt), scorer: createScorer(model) };
}
