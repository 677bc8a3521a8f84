// What the dashboard asks the graph, and how: POST /graphql on this origin with the caller's own
// token, one request per query, so that one refused or failing query leaves the others' charts.
// The fields are those of the contract of issue 16 (indicators subgraph, risk subgraph).

export interface PeriodInput {
  /** First month, "2020-01". */
  from: string;
  /** Last month, inclusive. */
  until: string;
}

export interface DetectionRate {
  key: string;
  controls: number;
  irregular: number;
  rate: number | null;
}

export interface IndicatorRow {
  period: string;
  /** "EU" for the EU total row. */
  memberState: string;
  /** null: every office of the Member State. */
  office: string | null;
  declarations: number;
  goodsItems: number;
  statisticalValue: number;
  lanes: { green: number; yellow: number; red: number; assessed: number };
  controls: number;
  irregular: number;
  detectionRate: number | null;
  detectionByLane: DetectionRate[];
  detectionBySelectionReason: DetectionRate[];
  revenueAtStake: number;
  aeoShare: number | null;
  aeoControlRate: number | null;
  nonAeoControlRate: number | null;
}

export interface RifFollowUpSummary {
  memberState: string;
  received: number;
  acknowledged: number;
  actedOn: number;
  rulesCreated: number;
  medianDaysToAct: number | null;
  hits: number;
  confirmedHits: number;
}

export interface TradeFlowOutlier {
  mrn: string;
  itemNumber: number;
  unitValue: number;
}

export interface TradeFlow {
  commodityCode: string;
  origin: string;
  netMass: number;
  statisticalValue: number;
  unitValue: number | null;
  band: { low: number | null; high: number | null } | null;
  outliers: TradeFlowOutlier[];
}

const INDICATOR_FIELDS = `
    period
    memberState
    office
    declarations
    goodsItems
    statisticalValue
    lanes { green yellow red assessed }
    controls
    irregular
    detectionRate
    detectionByLane { key controls irregular rate }
    detectionBySelectionReason { key controls irregular rate }
    revenueAtStake
    aeoShare
    aeoControlRate
    nonAeoControlRate`;

/** The years that hold declarations: the page opens on the latest of them. */
export const YEARS_QUERY = `query DashboardYears($period: PeriodInput!) {
  performanceIndicators(period: $period, granularity: YEAR) { period memberState office declarations }
}`;

export const INDICATORS_QUERY = `query DashboardIndicators($period: PeriodInput!) {
  performanceIndicators(period: $period, granularity: MONTH) {${INDICATOR_FIELDS}
  }
}`;

export const RIF_FOLLOW_UP_QUERY = `query DashboardRifFollowUp($from: Date!, $until: Date!, $memberState: String) {
  riskInformationFollowUp(from: $from, until: $until, memberState: $memberState) {
    memberState received acknowledged actedOn rulesCreated medianDaysToAct hits confirmedHits
  }
}`;

export const TRADE_FLOWS_QUERY = `query DashboardTradeFlows($period: PeriodInput!, $memberState: String, $first: Int) {
  tradeFlows(period: $period, memberState: $memberState, first: $first) {
    edges {
      node {
        commodityCode
        origin
        netMass
        statisticalValue
        unitValue
        band { low high }
        outliers { mrn itemNumber unitValue }
      }
    }
  }
}`;

/** A query that did not answer: its field's name and what the gateway said, for the page to show. */
export class QueryFailed extends Error {
  constructor(
    readonly field: string,
    detail: string,
  ) {
    super(`${field}: ${detail}`);
    this.name = 'QueryFailed';
  }
}

interface GraphQLAnswer {
  data?: Record<string, unknown> | null;
  errors?: { message?: string }[];
}

/**
 * Asks one query for one root field, as the signed-in caller. Any error the gateway reports (a
 * missing scope, a subgraph down, a field the graph does not have) fails the whole query: a chart
 * drawn from part of its data would mislead.
 */
export async function ask<T>(token: string, field: string, query: string, variables: Record<string, unknown>, signal?: AbortSignal): Promise<T> {
  let response: Response;
  try {
    response = await fetch('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query, variables }),
      ...(signal && { signal }),
    });
  } catch (error) {
    if (signal?.aborted) throw error;
    throw new QueryFailed(field, `the gateway did not answer (${error instanceof Error ? error.message : String(error)})`);
  }
  let answer: GraphQLAnswer;
  try {
    answer = (await response.json()) as GraphQLAnswer;
  } catch {
    throw new QueryFailed(field, `the gateway answered HTTP ${response.status} without a GraphQL answer`);
  }
  const messages = (answer.errors ?? []).map((error) => error.message ?? 'an error without a message');
  if (messages.length > 0) throw new QueryFailed(field, messages.join('; '));
  const value = answer.data?.[field];
  if (value === undefined || value === null) throw new QueryFailed(field, `no answer (HTTP ${response.status})`);
  return value as T;
}
