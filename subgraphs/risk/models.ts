// The risk subgraph's own database: learned models, assessments, rules and their hits, and
// where screening and learning left off in the declarations change feed.
import { Schema, type Connection, type Model } from 'mongoose';
import { memberStateOf } from '../kit/auth/rows';
import { findById } from '../kit/batching';
import { backfillMissing } from '../kit/bulk';
import { ChangeFeed } from '../kit/change-feed';
import { replaceById } from '../kit/persistence';
import type { Assessment } from './assess';
import type { CrisisAlertDoc, RiskInformationFormDoc, RiskInformationResponseDoc, RiskInformationVersionDoc } from './risk-information';
import type { RuleDoc } from './rules';

export type { RuleDoc } from './rules';
export type { CrisisAlertDoc, RiskInformationFormDoc, RiskInformationResponseDoc } from './risk-information';

export interface ModelHeaderDoc {
  /** "model:" + version, zero-padded. */
  _id: string;
  version: number;
  committed: boolean;
  learnedAt: string;
  method: 'FULL' | 'INCREMENTAL';
  basedOn: number | null;
  filingsLearned: number;
  irregularFilings: number;
  overallRate: number;
  redShare: number;
  yellowShare: number;
  redThreshold: number;
  yellowThreshold: number;
  /** Where learning stopped in the declarations change feed: incremental learning resumes there. */
  feedCursor: string | null;
  /** The serialised model is stored in parts of at most PART_SIZE characters. */
  parts: number;
}

export interface ModelPartDoc {
  /** "<header id>/<part>". */
  _id: string;
  text: string;
}

export interface AssessmentDoc extends Assessment {
  /** The MRN. */
  _id: string;
  assessedAt: string;
  /** Hash of the facts, model version and rules it was made from: same hash, same assessment. */
  basis: string;
  /** The Member State of the office (kit/auth/rows.ts memberStateOf): whose officials see it. */
  memberState: string;
}

/** What the control queue ranks by, apart from the assessment: reading these is fast, reading assessments whole is not. */
export interface QueueEntryDoc {
  /** The MRN. */
  _id: string;
  kind: AssessmentDoc['kind'];
  score: number;
  lane: AssessmentDoc['lane'];
  office: string;
  memberState: string;
}

export interface RuleHitDoc {
  /** "<rule reference>|<MRN>". */
  _id: string;
  rule: string;
  mrn: string;
  confirmed: boolean;
}

export interface RuleRevisionDoc {
  _id: string;
  at: string;
  by: string;
  rule: RuleDoc;
}

/** A named singleton: the current model version, the queue's change token, a feed cursor. */
export interface StateDoc {
  _id: string;
  value: string;
  at: string;
}

export interface RiskModels {
  modelHeaders: Model<ModelHeaderDoc>;
  modelParts: Model<ModelPartDoc>;
  assessments: Model<AssessmentDoc>;
  queueEntries: Model<QueueEntryDoc>;
  rules: Model<RuleDoc>;
  ruleHits: Model<RuleHitDoc>;
  /** Unique inserts "<reference>#<revision>", with the rule as of that revision: what makes a rule change happen once. */
  ruleRevisions: Model<RuleRevisionDoc>;
  state: Model<StateDoc>;
  /** Risk Information Forms, their versions ("<reference>#<version>", unique inserts), and crisis alerts. */
  riskInformationForms: Model<RiskInformationFormDoc>;
  riskInformationVersions: Model<RiskInformationVersionDoc>;
  crisisAlerts: Model<CrisisAlertDoc>;
  /** One per receiving Member State of each RIF and crisis alert: its acknowledgement, action and rules. */
  riskInformationResponses: Model<RiskInformationResponseDoc>;
  /** Every assessment written (assessmentChanges), in the same journalled batch as the assessments. */
  assessmentFeed: ChangeFeed;
}

const loose = { versionKey: false, strict: false, _id: true } as const;
const keyed = <T>() => new Schema<T>({ _id: String } as never, loose);

export function createRiskModels(connection: Connection): RiskModels {
  const ruleHits = keyed<RuleHitDoc>();
  ruleHits.index({ rule: 1 });
  const assessments = keyed<AssessmentDoc>();
  assessments.index({ memberState: 1 });
  const rules = keyed<RuleDoc>();
  rules.index({ memberState: 1 });
  const forms = keyed<RiskInformationFormDoc>();
  forms.index({ parties: 1 });
  const responses = keyed<RiskInformationResponseDoc>();
  responses.index({ signal: 1 });
  responses.index({ publishedOn: 1 });
  return {
    modelHeaders: connection.model<ModelHeaderDoc>('RiskModelHeader', keyed<ModelHeaderDoc>(), 'modelHeaders'),
    modelParts: connection.model<ModelPartDoc>('RiskModelPart', keyed<ModelPartDoc>(), 'modelParts'),
    assessments: connection.model<AssessmentDoc>('RiskAssessment', assessments, 'assessments'),
    queueEntries: connection.model<QueueEntryDoc>('QueueEntry', keyed<QueueEntryDoc>(), 'queueEntries'),
    rules: connection.model<RuleDoc>('TargetingRule', rules, 'rules'),
    ruleHits: connection.model<RuleHitDoc>('RuleHit', ruleHits, 'ruleHits'),
    ruleRevisions: connection.model<RuleRevisionDoc>('RuleRevision', keyed<RuleRevisionDoc>(), 'ruleRevisions'),
    state: connection.model<StateDoc>('RiskState', keyed<StateDoc>(), 'state'),
    riskInformationForms: connection.model<RiskInformationFormDoc>('RiskInformationForm', forms, 'riskInformationForms'),
    riskInformationVersions: connection.model<RiskInformationVersionDoc>(
      'RiskInformationVersion',
      keyed<RiskInformationVersionDoc>(),
      'riskInformationVersions',
    ),
    crisisAlerts: connection.model<CrisisAlertDoc>('CrisisAlert', keyed<CrisisAlertDoc>(), 'crisisAlerts'),
    riskInformationResponses: connection.model<RiskInformationResponseDoc>('RiskInformationResponse', responses, 'riskInformationResponses'),
    assessmentFeed: ChangeFeed.create(connection),
  };
}

export async function prepareRiskModels(models: RiskModels): Promise<void> {
  await Promise.all([
    models.ruleHits.createIndexes(),
    models.assessments.createIndexes(),
    models.rules.createIndexes(),
    models.riskInformationForms.createIndexes(),
    models.riskInformationResponses.createIndexes(),
  ]);
  await backfillMemberStates(models);
}

/**
 * Rules written before rules had a Member State are EU-wide; assessments and queue entries written
 * before they recorded one get their office's. Later writes set both themselves.
 */
async function backfillMemberStates(models: RiskModels): Promise<void> {
  await models.rules.updateMany({ memberState: { $exists: false } }, { $set: { memberState: null } }).exec();
  const ofOffice = (doc: { office: string }) => ({ memberState: memberStateOf(doc.office) });
  await backfillMissing(models.assessments, 'memberState', { office: 1 }, ofOffice);
  await backfillMissing(models.queueEntries, 'memberState', { office: 1 }, ofOffice);
}

export async function readState(models: RiskModels, key: string): Promise<string | null> {
  return (await findById(models.state, key))?.value ?? null;
}

export async function writeState(models: RiskModels, key: string, value: string): Promise<void> {
  await replaceById(models.state.collection, key, { value, at: new Date().toISOString() });
}
