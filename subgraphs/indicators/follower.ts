// Keeps the indicators up to date by following two change feeds through the gateway, with the
// service's token: the declarations subgraph's `changes` (declarations and control results) and
// the risk subgraph's `assessmentChanges`. It never rescans history: each feed is read from the
// cursor stored with the last batch it applied.
//
// A page of changes only says which declarations changed. Their current state is read once per
// batch (declarationsByMrn, with their controls, the parties' AEO authorisations and the current
// assessment), turned into contributions (contribution.ts), and each changed declaration's old
// contribution is subtracted from its aggregates and the new one added. The new aggregates, the
// contributions, the items of the trade flows and both cursors are put in one journalled batch,
// so applying a change again, or after a crash, counts nothing twice.
import { chunks } from '../kit/bulk';
import type { BackgroundWork } from '../kit/server';
import type { GraphClient } from '../kit/graph-client';
import { commitBatch, replayBatch, UnfinishedBatchError, type KeyedDocument } from '../kit/journal';
import {
  addCounters,
  contributionOf,
  flowCounters,
  flowOf,
  monthCounters,
  monthKey,
  sameContribution,
  type ContributionDoc,
  type Counters,
  type DeclarationFacts,
} from './contribution';
import { COLLECTIONS, type FlowAggregateDoc, type FlowItemDoc, type FollowerStateDoc, type IndicatorsModels, type MonthAggregateDoc } from './models';

export const FEED_PAGE = 100;
/** Feed pages applied in one batch while catching up. */
const PAGES_PER_BATCH = 5;
/** declarationsByMrn takes 100 MRNs at most. */
const MRNS_PER_REQUEST = 100;

const INDICATOR_DECLARATION = `
  mrn acceptanceDate officeOfPresentation
  importer { eori aeoAuthorisations { status } }
  declarant { eori aeoAuthorisations { status } }
  items { itemNumber commodityCode originCountry netMass statisticalValue { amount currency } }
  controlResults { outcome revenueRaised { amount currency } }
  riskAssessment { lane selectionReasons }`;

export const DECLARATION_CHANGES = `query IndicatorsDeclarationChanges($after: String, $first: Int!) {
  changes(after: $after, first: $first, kinds: [DECLARATION, CONTROL_RESULT]) {
    edges { node { sequence mrn } }
    pageInfo { hasNextPage endCursor }
  }
}`;

export const ASSESSMENT_CHANGES = `query IndicatorsAssessmentChanges($after: String, $first: Int!) {
  assessmentChanges(after: $after, first: $first) {
    edges { node { sequence mrn kind } }
    pageInfo { hasNextPage endCursor }
  }
}`;

export const INDICATOR_DECLARATIONS = `query IndicatorsDeclarations($mrns: [ID!]!) {
  declarationsByMrn(mrns: $mrns) { ${INDICATOR_DECLARATION} }
}`;

interface FeedPage {
  edges: { node: { sequence: number; mrn: string; kind?: string } }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

export interface FollowerSettings {
  graph: GraphClient;
  /** How long to wait before asking again once both feeds are read to their end. */
  pollMs: number;
  /**
   * The longest wait while nothing new comes: each empty read doubles the wait from `pollMs` up
   * to this, and a read with changes sets it back. Every read is an audited query of the graph.
   */
  idlePollMs: number;
  /** Where progress lines go. */
  log: (line: string) => void;
}

export interface FollowerStatus {
  state: 'starting' | 'catching-up' | 'following' | 'failing' | 'stopped';
  /** Changes read from the feeds since the first start. */
  changesApplied: number;
  declarations: FeedStatus;
  assessments: FeedStatus;
  /** When the last read that reached the end of both feeds began (all written before is applied); null before the first time. */
  caughtUpAt: string | null;
  /** 0 when caught up; else how long since it last was (or since it started). */
  behindMs: number;
  lastError: string | null;
}

interface FeedStatus {
  /** The sequence of the last change applied. */
  sequence: number | null;
  /** Whether the last read reached the end of what the feed holds. */
  atEnd: boolean;
}

/** A progress line at most this often while catching up. */
const PROGRESS_EVERY_MS = 10_000;

export function startFollower(models: IndicatorsModels, settings: FollowerSettings): BackgroundWork & { status(): { follower: FollowerStatus } } {
  const startedAt = Date.now();
  const status: FollowerStatus = {
    state: 'starting',
    changesApplied: 0,
    declarations: { sequence: null, atEnd: false },
    assessments: { sequence: null, atEnd: false },
    caughtUpAt: null,
    behindMs: 0,
    lastError: null,
  };
  let stopped = false;
  let wake: (() => void) | undefined;
  let state: FollowerStateDoc | undefined;

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });

  async function loadState(): Promise<FollowerStateDoc> {
    const saved = await models.state.findById('follower').lean<FollowerStateDoc>().exec();
    return (
      saved ?? { _id: 'follower', declarationsCursor: null, assessmentsCursor: null, declarationsSequence: null, assessmentsSequence: null, changesApplied: 0 }
    );
  }

  /** One batch: a page of each feed; `more` when either feed has more right away. */
  async function step(): Promise<{ more: boolean; read: number }> {
    state ??= await loadState();
    const [declarationPage, assessmentPage] = await Promise.all([
      readAhead(settings.graph, DECLARATION_CHANGES, 'changes', state.declarationsCursor),
      readAhead(settings.graph, ASSESSMENT_CHANGES, 'assessmentChanges', state.assessmentsCursor),
    ]);
    const read = declarationPage.edges.length + assessmentPage.edges.length;
    const next: FollowerStateDoc = {
      ...state,
      declarationsCursor: declarationPage.pageInfo.endCursor ?? state.declarationsCursor,
      assessmentsCursor: assessmentPage.pageInfo.endCursor ?? state.assessmentsCursor,
      declarationsSequence: declarationPage.edges.at(-1)?.node.sequence ?? state.declarationsSequence,
      assessmentsSequence: assessmentPage.edges.at(-1)?.node.sequence ?? state.assessmentsSequence,
      changesApplied: state.changesApplied + read,
    };
    const mrns = [
      ...new Set([
        ...declarationPage.edges.map((edge) => edge.node.mrn),
        ...assessmentPage.edges.filter((edge) => edge.node.kind === 'DECLARATION').map((edge) => edge.node.mrn),
      ]),
    ];
    const moved = next.declarationsCursor !== state.declarationsCursor || next.assessmentsCursor !== state.assessmentsCursor;
    if (mrns.length > 0 || moved) {
      await apply(models, settings.graph, mrns, next);
      state = next;
    }
    status.changesApplied = state.changesApplied;
    status.declarations = { sequence: state.declarationsSequence, atEnd: !declarationPage.pageInfo.hasNextPage };
    status.assessments = { sequence: state.assessmentsSequence, atEnd: !assessmentPage.pageInfo.hasNextPage };
    return { more: declarationPage.pageInfo.hasNextPage || assessmentPage.pageInfo.hasNextPage, read };
  }

  async function run(): Promise<void> {
    let catchUp: { since: number; from: number; lastLine: number } | undefined;
    let failing: string | undefined;
    let idleWaitMs = settings.pollMs;
    while (!stopped) {
      let more: boolean;
      let read: number;
      const began = Date.now();
      try {
        ({ more, read } = await step());
        if (failing) settings.log(`indicators follower: reading the feeds again after: ${failing}`);
        failing = undefined;
        status.lastError = null;
      } catch (error) {
        if (stopped) break;
        const message = (error as Error).message;
        // Said once per distinct failure (the gateway not up yet, a part down), not once per poll.
        if (message !== failing) settings.log(`indicators follower: ${message}; trying again in ${idleWaitMs} ms, then less often while it lasts`);
        failing = message;
        status.state = 'failing';
        status.lastError = message;
        status.behindMs = Date.now() - (status.caughtUpAt ? Date.parse(status.caughtUpAt) : startedAt);
        // A part still starting (or down) is not asked every second: each failed read counts toward the gateway's circuit for it.
        await sleep(idleWaitMs);
        idleWaitMs = Math.min(idleWaitMs * 2, Math.max(settings.pollMs, settings.idlePollMs));
        continue;
      }
      const now = Date.now();
      if (more) {
        status.state = 'catching-up';
        status.behindMs = now - (status.caughtUpAt ? Date.parse(status.caughtUpAt) : startedAt);
        catchUp ??= { since: now, from: status.changesApplied, lastLine: now };
        if (now - catchUp.lastLine >= PROGRESS_EVERY_MS) {
          catchUp.lastLine = now;
          settings.log(
            `indicators follower: catching up, ${(status.changesApplied - catchUp.from).toLocaleString('en')} changes applied in ${Math.round((now - catchUp.since) / 1000)} s ` +
              `(declarations feed at sequence ${status.declarations.sequence ?? 0}, assessments feed at ${status.assessments.sequence ?? 0})`,
          );
        }
        continue;
      }
      if (catchUp && now - catchUp.since >= PROGRESS_EVERY_MS) {
        settings.log(
          `indicators follower: caught up, ${(status.changesApplied - catchUp.from).toLocaleString('en')} changes applied in ${Math.round((now - catchUp.since) / 1000)} s`,
        );
      }
      catchUp = undefined;
      status.state = 'following';
      // When the read that found the end began: everything written before then is applied.
      status.caughtUpAt = new Date(began).toISOString();
      status.behindMs = 0;
      idleWaitMs = read > 0 ? settings.pollMs : Math.min(idleWaitMs * 2, Math.max(settings.pollMs, settings.idlePollMs));
      await sleep(idleWaitMs);
    }
    status.state = 'stopped';
  }

  const running = run();
  return {
    status: () => ({ follower: { ...status } }),
    async stop() {
      stopped = true;
      wake?.();
      await running;
    },
  };
}

/**
 * Up to PAGES_PER_BATCH pages of a feed from `after`, as one page: a catch-up applies them in one
 * batch (one read of the declarations, one journalled write) instead of one per page.
 */
async function readAhead(graph: GraphClient, query: string, field: 'changes' | 'assessmentChanges', after: string | null): Promise<FeedPage> {
  const page: FeedPage = { edges: [], pageInfo: { hasNextPage: true, endCursor: after } };
  for (let read = 0; read < PAGES_PER_BATCH && page.pageInfo.hasNextPage; read++) {
    const next = (await graph.request<Record<typeof field, FeedPage>>(query, { after: page.pageInfo.endCursor, first: FEED_PAGE }))[field];
    page.edges.push(...next.edges);
    page.pageInfo = { hasNextPage: next.pageInfo.hasNextPage, endCursor: next.pageInfo.endCursor ?? page.pageInfo.endCursor };
  }
  return page;
}

/**
 * Applies the current state of these declarations, and moves the cursors to `next`: one
 * journalled batch of contributions, aggregates, flow items and follower state.
 */
export async function apply(models: IndicatorsModels, graph: GraphClient, mrns: readonly string[], next: FollowerStateDoc): Promise<void> {
  const [facts, stored] = await Promise.all([
    readDeclarations(graph, mrns),
    mrns.length === 0
      ? []
      : models.contributions
          .find({ _id: { $in: mrns } })
          .lean<ContributionDoc[]>()
          .exec(),
  ]);
  const old = new Map(stored.map((doc) => [doc._id, doc]));
  const changed: ContributionDoc[] = [];
  const monthDeltas = new Map<string, { doc: Omit<MonthAggregateDoc, 'counters'>; counters: Counters }>();
  const flowDeltas = new Map<string, { doc: Omit<FlowAggregateDoc, 'counters'>; counters: Counters }>();
  const items = new Map<string, FlowItemDoc>();

  const account = (contribution: ContributionDoc, sign: 1 | -1) => {
    const key = monthKey(contribution);
    const month = monthDeltas.get(key) ?? {
      doc: { _id: key, month: contribution.month, memberState: contribution.memberState, office: contribution.office },
      counters: {},
    };
    addCounters(month.counters, monthCounters(contribution), sign);
    monthDeltas.set(key, month);
    for (const [flowKey, counters] of flowCounters(contribution)) {
      const flow = flowDeltas.get(flowKey) ?? {
        doc: { _id: flowKey, month: contribution.month, memberState: contribution.memberState, flow: flowKey.split('|').slice(2).join('|') },
        counters: {},
      };
      addCounters(flow.counters, counters, sign);
      flowDeltas.set(flowKey, flow);
    }
    for (const item of contribution.items) {
      const id = `${contribution._id}|${item.itemNumber}`;
      // Added after subtracted: the new state of an item wins.
      items.set(id, {
        _id: id,
        mrn: contribution._id,
        itemNumber: item.itemNumber,
        flow: flowOf(item),
        month: contribution.month,
        memberState: contribution.memberState,
        massGrams: item.massGrams,
        valueCents: item.valueCents,
        live: sign === 1,
      });
    }
  };

  for (const declaration of facts) {
    const contribution = contributionOf(declaration);
    const before = old.get(declaration.mrn);
    if (sameContribution(before, contribution)) continue;
    if (before) account(before, -1);
    account(contribution, 1);
    changed.push(contribution);
  }

  const [months, flows] = await Promise.all([
    monthDeltas.size === 0
      ? []
      : models.months
          .find({ _id: { $in: [...monthDeltas.keys()] } })
          .lean<MonthAggregateDoc[]>()
          .exec(),
    flowDeltas.size === 0
      ? []
      : models.flows
          .find({ _id: { $in: [...flowDeltas.keys()] } })
          .lean<FlowAggregateDoc[]>()
          .exec(),
  ]);
  const monthNow = new Map(months.map((doc) => [doc._id, doc.counters]));
  const flowNow = new Map(flows.map((doc) => [doc._id, doc.counters]));
  const monthDocs: MonthAggregateDoc[] = [...monthDeltas.values()].map(({ doc, counters }) => ({
    ...doc,
    counters: withoutZeros(addCounters({ ...monthNow.get(doc._id) }, counters)),
  }));
  const flowDocs: FlowAggregateDoc[] = [...flowDeltas.values()].map(({ doc, counters }) => ({
    ...doc,
    counters: withoutZeros(addCounters({ ...flowNow.get(doc._id) }, counters)),
  }));

  const batch = {
    put: {
      [COLLECTIONS.contributions]: changed,
      [COLLECTIONS.months]: monthDocs,
      [COLLECTIONS.flows]: flowDocs,
      [COLLECTIONS.flowItems]: [...items.values()],
    } as unknown as Record<string, KeyedDocument[]>,
    // The cursors last: once they have moved, everything they cover is there.
    thenPut: { [COLLECTIONS.state]: [next] as unknown as KeyedDocument[] },
  };
  try {
    await commitBatch(models.connection, batch);
  } catch (error) {
    if (!(error instanceof UnfinishedBatchError)) throw error;
    // In the journal: applied now, or at the next start (replayPending), before anything else.
    await replayBatch(models.connection, error.batchId);
  }
}

/** The current state of these declarations; one request per 100, side by side. A declaration no longer there is left out. */
async function readDeclarations(graph: GraphClient, mrns: readonly string[]): Promise<DeclarationFacts[]> {
  const pages = await Promise.all(
    [...chunks(mrns, MRNS_PER_REQUEST)].map((part) =>
      graph.request<{ declarationsByMrn: (DeclarationFacts | null)[] }>(INDICATOR_DECLARATIONS, { mrns: part }),
    ),
  );
  return pages.flatMap((page) => page.declarationsByMrn.filter((declaration): declaration is DeclarationFacts => declaration !== null));
}

/** Counters that came back to zero are dropped, so an aggregate holds only what is there. */
function withoutZeros(counters: Counters): Counters {
  return Object.fromEntries(Object.entries(counters).filter(([, value]) => value !== 0));
}
