// Every list of the public schema that takes a `filter`, on the demo data: one equality filter
// each, and the same equality with a date range where the filter has dates, through the gateway
// and as the `find` its resolver sends, straight through the MongoDB driver on the same engine.
// Prints p50/p95 of both and the ratio (gateway ÷ direct).
//
// The direct find is not written out here: it is caught off the subgraph's own driver (command
// monitoring) while the gateway answers the query once, and then replayed as it was sent
// (filter, sort, limit). So it stays the resolver's query when the resolvers change.
//
//   npx tsx bench/filters.ts [--declarations 37385] [--rounds 30] [--warmup 3]
//
// `--declarations N` seeds only the first N rows of the KCS train split (the licences follow
// them), for a quick run; by default the whole demo data set is loaded, as `npm start` does.
// Filter values are picked from the loaded data (the busiest importer, office, holder...), so
// every filter hits documents. Gateway, subgraphs and client share this process; only the
// engine runs apart, on a free port, like the other benchmarks.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mongoose from 'mongoose';
import { startInProcessPlatform, type InProcessPlatform } from '../scripts/in-process-platform';
import { KCS_TRAIN, seedDemoData } from '../scripts/seed';
import { formatCount, formatLatency, formatMs, formatRatio, numberFlag, printTable, quantile, startBenchDatabase } from './support';

type Document = mongoose.mongo.Document;
type Db = mongoose.mongo.Db;
type MongoClient = mongoose.mongo.MongoClient;

/** The train split's header and rows, as lines. */
const KCS_LINES = readFileSync(KCS_TRAIN, 'utf8').trimEnd().split('\n');
const KCS_ROWS = KCS_LINES.length - 1;
const declarationRows = Math.min(numberFlag('declarations', KCS_ROWS), KCS_ROWS);
const rounds = numberFlag('rounds', 30);
const warmups = numberFlag('warmup', 3);

/** The page size asked for; paginate() asks the engine for one more, to learn whether a next page exists. */
const FIRST = 20;
const SUBGRAPHS = ['aeo', 'declarations', 'licences', 'mra'] as const;
type SubgraphName = (typeof SUBGRAPHS)[number];

/** One row of the table: a GraphQL list with a filter, and where its resolver's find goes. */
interface Case {
  list: string;
  filter: string;
  query: string;
  variables: Record<string, unknown>;
  /** Where the connection sits in the answer's `data`. */
  path: string[];
  /** The node's key as the database stores it (`_id`); the query selects only string fields. */
  keyOf(node: Record<string, string>): string;
  subgraph: SubgraphName;
  collection: string;
}

/** A find as the subgraph sent it. */
interface Find {
  collection: string;
  filter: Document;
  sort: Document;
  limit: number;
}

interface Timings {
  gateway: number[];
  direct: number[];
  count: number[];
}

interface Page {
  keys: string[];
  totalCount: number;
}

// ---------------------------------------------------------------------------------------------
// Picking filter values from the loaded data

/** The most frequent value; ties go to the smallest, so a run is reproducible. */
function mostFrequent(values: Iterable<string>): string {
  const counts = new Map<string, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  let best: [string, number] | undefined;
  for (const entry of counts) {
    if (!best || entry[1] > best[1] || (entry[1] === best[1] && entry[0] < best[0])) best = entry;
  }
  if (!best) throw new Error('no values to pick a filter from');
  return best[0];
}

/** The q-quantile of some dates (nearest rank, as quantile() does for numbers). */
function dateAt(dates: readonly string[], q: number): string {
  const sorted = [...dates].sort();
  const date = sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
  if (date === undefined) throw new Error('no dates to pick a range from');
  return date;
}

/** From the 25th to the 75th percentile of the dates: a range that keeps about half the matches. */
function middleHalf(dates: readonly string[]): { from: string; to: string } {
  return { from: dateAt(dates, 0.25), to: dateAt(dates, 0.75) };
}

/** Only the named fields of every document: the engine filters nothing here, it is read once. */
async function readFields(db: Db, collection: string, fields: readonly string[]): Promise<Document[]> {
  const projection = Object.fromEntries(fields.map((field) => [field, 1]));
  return db.collection(collection).find({}, { projection }).toArray();
}

const strings = (value: unknown): string[] => (Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : []);
const text = (value: unknown): string => (typeof value === 'string' ? value : '');

// ---------------------------------------------------------------------------------------------
// The cases

function listQuery(field: string, filterType: string, nodeFields: string): string {
  return `query ($filter: ${filterType}, $first: Int) { ${field}(filter: $filter, first: $first) { totalCount edges { node { ${nodeFields} } } } }`;
}

/** A root list: `field(filter, first)`, its nodes' keys selected under `nodeFields`. */
function rootCase(
  list: string,
  filterType: string,
  nodeFields: string,
  keyOf: Case['keyOf'],
  where: Pick<Case, 'subgraph' | 'collection'>,
): (filter: Record<string, unknown>, label: string) => Case {
  return (filter, label) => ({
    list,
    filter: label,
    query: listQuery(list, filterType, nodeFields),
    variables: { filter, first: FIRST },
    path: [list],
    keyOf,
    ...where,
  });
}

const byMrn = (node: Record<string, string>) => node.mrn!;
const range = (from: string, to: string) => `${from.slice(0, 10)}..${to.slice(0, 10)}`;

async function declarationCases(db: Db): Promise<Case[]> {
  const docs = await readFields(db, 'declarations', ['partyIndex', 'originCountries', 'acceptanceDate']);
  const importerKey = mostFrequent(docs.flatMap((doc) => strings(doc.partyIndex).filter((entry) => entry.startsWith('IMPORTER:'))));
  const importer = importerKey.slice('IMPORTER:'.length);
  const ofImporter = docs.filter((doc) => strings(doc.partyIndex).includes(importerKey));
  const accepted = middleHalf(ofImporter.map((doc) => text(doc.acceptanceDate)));
  // For the operator's own list: where most of its goods come from, and when.
  const origin = mostFrequent(ofImporter.flatMap((doc) => strings(doc.originCountries)));
  const fromOrigin = middleHalf(ofImporter.filter((doc) => strings(doc.originCountries).includes(origin)).map((doc) => text(doc.acceptanceDate)));

  const root = rootCase('declarations', 'DeclarationFilter', 'mrn', byMrn, { subgraph: 'declarations', collection: 'declarations' });
  const nested = (filter: Record<string, unknown>, label: string): Case => ({
    list: 'EconomicOperator.declarations',
    filter: label,
    query: `query ($eori: ID!, $filter: DeclarationFilter, $first: Int) { economicOperator(eori: $eori) { declarations(role: IMPORTER, filter: $filter, first: $first) { totalCount edges { node { mrn } } } } }`,
    variables: { eori: importer, filter, first: FIRST },
    path: ['economicOperator', 'declarations'],
    keyOf: byMrn,
    subgraph: 'declarations',
    collection: 'declarations',
  });
  return [
    root({ importer }, `importer = ${importer}`),
    root({ importer, acceptedFrom: accepted.from, acceptedTo: accepted.to }, `importer + accepted ${range(accepted.from, accepted.to)}`),
    nested({ originCountry: origin }, `(importer ${importer}) originCountry = ${origin}`),
    nested(
      { originCountry: origin, acceptedFrom: fromOrigin.from, acceptedTo: fromOrigin.to },
      `originCountry + accepted ${range(fromOrigin.from, fromOrigin.to)}`,
    ),
  ];
}

async function entrySummaryCases(db: Db): Promise<Case[]> {
  const docs = await readFields(db, 'entrySummaryDeclarations', ['officeOfFirstEntry', 'expectedArrival']);
  const office = mostFrequent(docs.map((doc) => text(doc.officeOfFirstEntry)));
  const arrival = middleHalf(docs.filter((doc) => doc.officeOfFirstEntry === office).map((doc) => text(doc.expectedArrival)));
  // DateTime values are sent as the scalar hands them to the resolver (toISOString), compared as text.
  const [from, to] = [arrival.from, arrival.to].map((moment) => new Date(moment).toISOString()) as [string, string];
  const make = rootCase('entrySummaryDeclarations', 'EntrySummaryDeclarationFilter', 'mrn', byMrn, {
    subgraph: 'declarations',
    collection: 'entrySummaryDeclarations',
  });
  return [
    make({ officeOfFirstEntry: office }, `officeOfFirstEntry = ${office}`),
    make({ officeOfFirstEntry: office, arrivingFrom: from, arrivingTo: to }, `office + arriving ${range(from, to)}`),
  ];
}

async function controlResultCases(db: Db): Promise<Case[]> {
  const docs = await readFields(db, 'controlResults', ['outcome', 'date']);
  // Irregularities are what an analyst lists; the other outcome only if none was found.
  const outcomes = docs.map((doc) => text(doc.outcome));
  const outcome = outcomes.includes('IRREGULARITY_FOUND') ? 'IRREGULARITY_FOUND' : mostFrequent(outcomes);
  const dates = middleHalf(docs.filter((doc) => doc.outcome === outcome).map((doc) => text(doc.date)));
  const make = rootCase('controlResults', 'ControlResultFilter', 'id', (node) => node.id!, { subgraph: 'declarations', collection: 'controlResults' });
  return [make({ outcome }, `outcome = ${outcome}`), make({ outcome, from: dates.from, to: dates.to }, `outcome + date ${range(dates.from, dates.to)}`)];
}

async function licenceCases(db: Db): Promise<Case[]> {
  const docs = await readFields(db, 'licences', ['holder', 'validFrom']);
  const holder = mostFrequent(docs.map((doc) => text(doc.holder)));
  // The median start of the holder's licences: at least that licence is valid on the day.
  const validOn = dateAt(
    docs.filter((doc) => doc.holder === holder).map((doc) => text(doc.validFrom)),
    0.5,
  );
  const make = rootCase('licences', 'LicenceFilter', 'reference', (node) => node.reference!, { subgraph: 'licences', collection: 'licences' });
  return [make({ holder }, `holder = ${holder}`), make({ holder, validOn }, `holder + validOn ${validOn}`)];
}

async function partnerCases(db: Db): Promise<Case[]> {
  const docs = await readFields(db, 'partnerOperators', ['programme']);
  const programme = mostFrequent(docs.map((doc) => text(doc.programme)));
  const make = rootCase('partnerOperators', 'PartnerOperatorFilter', 'programme identifier', (node) => `${node.programme}|${node.identifier}`, {
    subgraph: 'mra',
    collection: 'partnerOperators',
  });
  return [make({ programme }, `programme = ${programme}`)];
}

async function operatorCases(db: Db): Promise<Case[]> {
  const docs = await readFields(db, 'operators', ['country']);
  const country = mostFrequent(docs.map((doc) => text(doc.country)));
  const make = rootCase('economicOperators', 'EconomicOperatorFilter', 'eori', (node) => node.eori!, { subgraph: 'aeo', collection: 'operators' });
  return [make({ country }, `country = ${country}`)];
}

// ---------------------------------------------------------------------------------------------
// The two paths

interface GraphQLAnswer {
  data?: Record<string, unknown> | null;
  errors?: { message: string }[];
}

/** One request through the gateway, as a client sends it; the answer's page, or an error. */
async function throughGateway(graphqlUrl: string, c: Case): Promise<Page> {
  const response = await fetch(graphqlUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${await platform!.trust.serviceToken()}` },
    body: JSON.stringify({ query: c.query, variables: c.variables }),
  });
  const body = (await response.json()) as GraphQLAnswer;
  if (!response.ok || body.errors?.length || !body.data)
    throw new Error(`${c.list} (${c.filter}): HTTP ${response.status}: ${body.errors?.[0]?.message ?? 'no data'}`);
  let connection: unknown = body.data;
  for (const key of c.path) connection = (connection as Record<string, unknown> | null)?.[key];
  const { edges, totalCount } = connection as { edges: { node: Record<string, string> }[]; totalCount: number };
  return { keys: edges.map(({ node }) => c.keyOf(node)), totalCount };
}

/** The driver sends the sort keys as a Map; find() takes a plain object as well. */
const plainSort = (sort: unknown): Document => (sort instanceof Map ? Object.fromEntries(sort) : ((sort ?? {}) as Document));

/** Answers the case once through the gateway, noting the finds its subgraph sends to the case's collection. */
async function catchFind(graphqlUrl: string, subgraphClient: MongoClient, c: Case): Promise<{ page: Page; find: Find }> {
  const finds: Find[] = [];
  const listener = (event: mongoose.mongo.CommandStartedEvent) => {
    const { command } = event;
    if (event.commandName !== 'find' || command.find !== c.collection) return;
    finds.push({ collection: c.collection, filter: command.filter as Document, sort: plainSort(command.sort), limit: Number(command.limit ?? 0) });
  };
  subgraphClient.on('commandStarted', listener);
  try {
    const page = await throughGateway(graphqlUrl, c);
    const [find, ...others] = finds;
    if (!find) throw new Error(`${c.list} (${c.filter}): no find on ${c.collection} was sent`);
    if (others.length) throw new Error(`${c.list} (${c.filter}): ${finds.length} finds on ${c.collection}, expected one`);
    return { page, find };
  } finally {
    subgraphClient.off('commandStarted', listener);
  }
}

/** The sort and limit of the find as sent (a limit of 0 means none). */
const findOptions = (find: Find) => (find.limit ? { sort: find.sort, limit: find.limit } : { sort: find.sort });

/** The resolver's find, replayed through the bare driver: same filter, sort and limit. */
async function directFind(db: Db, find: Find): Promise<string[]> {
  const docs = await db.collection(find.collection).find(find.filter, findOptions(find)).toArray();
  return docs.map((doc) => String(doc._id));
}

/** The count paginate() sends beside the find, whether or not the query asks for totalCount. */
function directCount(db: Db, find: Find): Promise<number> {
  return db.command({ count: find.collection, query: find.filter }).then((answer) => Number(answer.n));
}

/**
 * What the engine does with the find, from its explain: "index" (the filter runs in SQL on an
 * index), "sql scan" (in SQL, reading the table), "none" (FerretDB reads every row and filters
 * in Go). "-" where the server does not say (a real MongoDB).
 */
async function pushdown(db: Db, find: Find): Promise<string> {
  const plan = await db.collection(find.collection).find(find.filter, findOptions(find)).explain();
  if (typeof plan.filterPushdown !== 'boolean') return '-';
  if (!plan.filterPushdown) return 'none';
  return JSON.stringify(plan.queryPlanner).includes('Index Scan') ? 'index' : 'sql scan';
}

/** Both paths must name the same documents in the same order, or the comparison means nothing. */
async function check(db: Db, c: Case, page: Page, find: Find): Promise<void> {
  const direct = (await directFind(db, find)).slice(0, FIRST);
  const count = await directCount(db, find);
  if (JSON.stringify(page.keys) !== JSON.stringify(direct) || page.totalCount !== count) {
    throw new Error(`${c.list} (${c.filter}): the gateway and the database disagree:\n${JSON.stringify(page)}\n${JSON.stringify({ direct, count })}`);
  }
  if (page.keys.length === 0) throw new Error(`${c.list} (${c.filter}) matches nothing: pick another value`);
}

async function timed<T>(work: () => Promise<T>, into: number[] | undefined): Promise<T> {
  const started = performance.now();
  const result = await work();
  into?.push(performance.now() - started);
  return result;
}

interface Prepared {
  c: Case;
  db: Db;
  find: Find;
  page: Page;
  pushdown: string;
}

/** Warm-up rounds, then measured ones; every round runs every case, the two paths in alternating order. */
async function measure(graphqlUrl: string, prepared: readonly Prepared[]): Promise<Timings[]> {
  const timings = prepared.map((): Timings => ({ gateway: [], direct: [], count: [] }));
  for (let round = 0; round < warmups + rounds; round++) {
    const measured = round >= warmups;
    const started = performance.now();
    for (const [index, { c, db, find }] of prepared.entries()) {
      const t = timings[index]!;
      const gateway = () => timed(() => throughGateway(graphqlUrl, c), measured ? t.gateway : undefined);
      const direct = () => timed(() => directFind(db, find), measured ? t.direct : undefined);
      // Alternating which goes first keeps a warm cache from always favouring one side.
      if (round % 2 === 0) await gateway().then(direct);
      else await direct().then(gateway);
      await timed(() => directCount(db, find), measured ? t.count : undefined);
    }
    const label = measured ? `round ${round - warmups + 1}/${rounds}` : `warm-up ${round + 1}/${warmups}`;
    process.stderr.write(`  ${label}: ${formatMs(performance.now() - started)}\n`);
  }
  for (const t of timings) for (const list of [t.gateway, t.direct, t.count]) list.sort((a, b) => a - b);
  return timings;
}

/** The first N rows of the train split in a file of their own, for seedDemoData's kcsFile. */
function kcsSubset(rows: number, dir: string): string {
  const path = join(dir, 'train-subset.csv');
  writeFileSync(path, `${KCS_LINES.slice(0, rows + 1).join('\n')}\n`);
  return path;
}

function printResults(prepared: readonly Prepared[], timings: readonly Timings[]): void {
  const p = (list: readonly number[], q: number) => formatLatency(quantile(list, q));
  printTable(
    ['list', 'filter', 'pushdown', 'docs', 'matching', 'gateway p50', 'gateway p95', 'direct p50', 'direct p95', 'ratio (p50)', 'count p50'],
    prepared.map(({ c, page, pushdown }, index) => {
      const t = timings[index]!;
      return [
        c.list,
        c.filter,
        pushdown,
        String(page.keys.length),
        formatCount(page.totalCount),
        p(t.gateway, 0.5),
        p(t.gateway, 0.95),
        p(t.direct, 0.5),
        p(t.direct, 0.95),
        formatRatio(quantile(t.gateway, 0.5) / quantile(t.direct, 0.5)),
        p(t.count, 0.5),
      ];
    }),
  );
  console.log(
    `\n${rounds} rounds after ${warmups} warm-up rounds, one request at a time, first: ${FIRST}.` +
      `\ndocs = nodes on the page, matching = totalCount; both paths agreed on both before measuring.` +
      `\ndirect = the find the resolver sent, replayed through the bare driver; ratio = gateway p50 ÷ direct p50.` +
      `\ncount = the count command the resolver sends beside its find (kit/counting.ts), alone through the driver (not in the ratio).` +
      `\npushdown = the find's filter as the engine runs it (explain): on an index, in SQL over the table, or none (every row read, filtered in Go).` +
      `\npartnerOperators and economicOperators have no date in their filter: equality only.`,
  );
  console.log('\nThe finds the resolvers sent (the direct path):');
  for (const { c, find } of prepared) {
    console.log(`  ${c.list} (${c.filter}): ${find.collection}.find(${JSON.stringify(find.filter)}).sort(${JSON.stringify(find.sort)}).limit(${find.limit})`);
  }
}

// ---------------------------------------------------------------------------------------------

const database = await startBenchDatabase();
const names = Object.fromEntries(SUBGRAPHS.map((name) => [name, database.dbName(name)])) as Record<SubgraphName, string>;
const scratch = mkdtempSync(join(tmpdir(), 'customs-bench-filters-'));
const client = new mongoose.mongo.MongoClient(database.uri);
let platform: InProcessPlatform | undefined;
try {
  platform = await startInProcessPlatform({ uri: database.uri, databaseName: database.dbName });
  const seedStarted = performance.now();
  const kcsFile = declarationRows < KCS_ROWS ? kcsSubset(declarationRows, scratch) : undefined;
  await seedDemoData({
    urls: platform.subgraphUrls,
    token: platform.trust.serviceToken,
    log: (line) => process.stderr.write(`${line}\n`),
    ...(kcsFile && { kcsFile }),
  });
  const seedMs = performance.now() - seedStarted;
  const subgraphClients: Record<SubgraphName, MongoClient> = {
    aeo: platform.aeo.database.connection.getClient(),
    declarations: platform.declarations.database.connection.getClient(),
    licences: platform.licences.database.connection.getClient(),
    mra: platform.mra.database.connection.getClient(),
  };
  await client.connect();
  const dbs = Object.fromEntries(SUBGRAPHS.map((name) => [name, client.db(names[name])])) as Record<SubgraphName, Db>;

  const cases = [
    ...(await declarationCases(dbs.declarations)),
    ...(await entrySummaryCases(dbs.declarations)),
    ...(await controlResultCases(dbs.declarations)),
    ...(await licenceCases(dbs.licences)),
    ...(await partnerCases(dbs.mra)),
    ...(await operatorCases(dbs.aeo)),
  ];
  const prepared: Prepared[] = [];
  for (const c of cases) {
    const db = dbs[c.subgraph];
    const { page, find } = await catchFind(platform.gateway.graphqlUrl, subgraphClients[c.subgraph], c);
    await check(db, c, page, find);
    prepared.push({ c, db, find, page, pushdown: await pushdown(db, find) });
  }

  const sizes = await Promise.all(
    (
      [
        ['declarations', 'declarations'],
        ['declarations', 'controlResults'],
        ['declarations', 'entrySummaryDeclarations'],
        ['licences', 'licences'],
        ['mra', 'partnerOperators'],
        ['aeo', 'operators'],
      ] as const
    ).map(async ([subgraph, collection]) => `${formatCount(await dbs[subgraph].collection(collection).estimatedDocumentCount())} ${collection}`),
  );
  console.log(`Filter benchmark on ${database.description}`);
  console.log(`Demo data (${formatCount(declarationRows)} KCS rows, seeded in ${formatMs(seedMs)}): ${sizes.join(', ')}`);
  const timings = await measure(platform.gateway.graphqlUrl, prepared);
  console.log('');
  printResults(prepared, timings);
} finally {
  await platform?.stop().catch((error: unknown) => console.error('stopping the platform:', error));
  await client.close().catch(() => {});
  await database.stop();
  rmSync(scratch, { recursive: true, force: true });
}
