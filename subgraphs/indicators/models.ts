// The indicators subgraph's collections. It is the only writer of its database, and its follower
// the only writer in it: every write is one journalled batch (kit/journal.ts) that puts the
// changed contributions, the aggregates they change, their items and the feed cursors at once,
// so a crash leaves either the batch before or the batch after, never half of one.
import { Schema, type Connection, type Model } from 'mongoose';
import type { ContributionDoc, Counters } from './contribution';

/** Declarations, lanes, controls, … of one customs office in one month. */
export interface MonthAggregateDoc {
  /** "<month>|<office>". */
  _id: string;
  month: string;
  memberState: string;
  office: string;
  counters: Counters;
}

/** Items of one HS6 × origin lodged in one Member State in one month. */
export interface FlowAggregateDoc {
  /** "<month>|<memberState>|<hs6>|<origin>". */
  _id: string;
  month: string;
  memberState: string;
  /** "<hs6>|<origin>". */
  flow: string;
  counters: Counters;
}

/** One goods item as its flow's fair-price band sees it; `live: false` once its declaration no longer has it. */
export interface FlowItemDoc {
  /** "<mrn>|<itemNumber>". */
  _id: string;
  mrn: string;
  itemNumber: number;
  flow: string;
  month: string;
  memberState: string;
  massGrams: number;
  valueCents: number;
  live: boolean;
}

/** Where the follower is in each feed. */
export interface FollowerStateDoc {
  _id: 'follower';
  declarationsCursor: string | null;
  assessmentsCursor: string | null;
  declarationsSequence: number | null;
  assessmentsSequence: number | null;
  changesApplied: number;
}

export const COLLECTIONS = {
  contributions: 'indicatorContributions',
  months: 'indicatorMonths',
  flows: 'indicatorFlows',
  flowItems: 'indicatorFlowItems',
  state: 'indicatorState',
} as const;

export interface IndicatorsModels {
  connection: Connection;
  contributions: Model<ContributionDoc>;
  months: Model<MonthAggregateDoc>;
  flows: Model<FlowAggregateDoc>;
  flowItems: Model<FlowItemDoc>;
  state: Model<FollowerStateDoc>;
}

export function createIndicatorsModels(connection: Connection): IndicatorsModels {
  const schema = () => new Schema({ _id: String }, { versionKey: false, strict: false });
  const months = schema();
  months.index({ month: 1 });
  const flows = schema();
  flows.index({ month: 1 });
  const flowItems = schema();
  flowItems.index({ flow: 1 });
  return {
    connection,
    contributions: connection.model<ContributionDoc>('IndicatorContribution', schema(), COLLECTIONS.contributions),
    months: connection.model<MonthAggregateDoc>('IndicatorMonth', months, COLLECTIONS.months),
    flows: connection.model<FlowAggregateDoc>('IndicatorFlow', flows, COLLECTIONS.flows),
    flowItems: connection.model<FlowItemDoc>('IndicatorFlowItem', flowItems, COLLECTIONS.flowItems),
    state: connection.model<FollowerStateDoc>('IndicatorState', schema(), COLLECTIONS.state),
  };
}

export async function prepareIndicatorsModels(models: IndicatorsModels): Promise<void> {
  await Promise.all([models.months.createIndexes(), models.flows.createIndexes(), models.flowItems.createIndexes()]);
}
