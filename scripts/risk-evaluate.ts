// `npm run risk:evaluate -- --history <csv...> --holdout <csv>`: how well the risk logic ranks
// declarations it has never seen. On a fresh database of its own, with the whole platform in
// this process, it ingests the history through the ingest path, learns through the graph,
// ingests the holdout WITHOUT its labels, screens it through the graph, and only then reads the
// holdout labels to score the ranking. Files are in the format of data/kcs-synthetic.
//
// The licences the declarations quote go in beside them, generated as the demo data generates
// them for the train split (demo/licences.ts): licence checks are live facts of the platform, and
// without them every certificate would be NOT_FOUND, which no platform with a licensing authority
// behind it would say.
import { rmSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { startDatabase, temporaryDataDir } from '../db/engine';
import { kcsMrn, kcsRecordList, readKcsCsv, type KcsRow } from '../demo/kcs';
import { generateLicenceDemoRecords } from '../demo/licences';
import type { DeclarationRecord } from '../subgraphs/declarations/records';
import { createGraphClient } from '../subgraphs/kit/graph-client';
import { jobRetries } from '../subgraphs/kit/retry';
import { watchJob } from '../subgraphs/kit/watchdog';
import { uniform } from '../subgraphs/risk/random-selection';
import { learnThroughGraph } from '../subgraphs/risk/learning';
import { auc, precisionAt, recallAt } from '../subgraphs/risk/model/metrics';
import { dimension } from '../subgraphs/risk/model/profiles';
import type { LearnOptions } from '../subgraphs/risk/model/train';
import { screenPending, type RiskServices } from '../subgraphs/risk/screening';
import { startInProcessPlatform } from './in-process-platform';
import { createProgress } from './ingest/progress';
import { ingest, type IngestSummary } from './ingest/run';
import { fromRecords } from './ingest/sources';
import { openWriters } from './ingest/writers';
import { runTool } from './risk/services';

const USAGE =
  'Usage: npm run risk:evaluate -- --history <train.csv> [--history <more.csv>] --holdout <valid.csv> [--dimensions importer,hs6,hs6_origin,...] [--prior-strength 10] [--trees 50 | --no-trees]';
export const INSPECTION_RATES = [0.01, 0.02, 0.05, 0.1] as const;

export interface RankingReport {
  /** Holdout declarations ranked. */
  scored: number;
  positiveRate: number;
  /** Of them, those a licence or certificate check did not match (LICENCE_NOT_MATCHED raised them). */
  licenceNotMatched: number;
  rows: { rate: number; inspected: number; precision: number; recall: number }[];
  auc: number;
}

export interface EvaluationReport extends RankingReport {
  historyRows: number;
  holdoutRows: number;
  /**
   * The scored holdout declarations whose exact (HS6, net mass, item price) occurs in no history
   * row: the KCS generator repeats such tuples across its splits, so these show how the model
   * ranks what it cannot have seen before.
   */
  unseenValues: RankingReport;
  /** Share of scored holdout declarations per lane: what the control capacity gives on new data. */
  lanes: Record<string, number>;
  phases: { name: string; seconds: number }[];
  modelVersion: number;
}

export interface EvaluateOptions {
  history: string[];
  holdout: string;
  /** A MongoDB URI to use instead of a fresh embedded engine; databases get unique names and are dropped. */
  uri?: string;
  log?: (line: string) => void;
  /** Progress bars on stderr (off in tests). */
  progress?: boolean;
  /** Profile dimensions and smoothing other than the defaults, to compare models. */
  learnOptions?: LearnOptions;
}

export async function evaluate(options: EvaluateOptions): Promise<EvaluationReport> {
  const log = options.log ?? (() => {});
  const phases: EvaluationReport['phases'] = [];
  const phase = async <T>(name: string, work: () => Promise<T>): Promise<T> => {
    log(`${name}...`);
    const started = Date.now();
    const result = await work();
    phases.push({ name, seconds: (Date.now() - started) / 1000 });
    return result;
  };

  const dataDir = options.uri ? undefined : temporaryDataDir('risk-evaluate-');
  const database = options.uri ? { uri: options.uri, embedded: false, stop: async () => {} } : await startDatabase({ dataDir });
  const run = `eval_${Date.now().toString(36)}`;
  const databaseName = (subgraph: string) => `${run}_${subgraph}`;
  const platform = await phase('start the platform', () => startInProcessPlatform({ uri: database.uri, databaseName }));
  const { writers, finish } = await openWriters({ urls: platform.subgraphUrls, token: platform.trust.serviceToken });
  const services: RiskServices = platform.risk.models;
  try {
    const historyRows = options.history.flatMap((file) => readKcsCsv(file));
    await phase('ingest history', () => ingestRows(historyRows, true, writers, options.progress ? 'history' : undefined, log).then(finish));

    const learned = await phase('learn through the graph', () => learnThroughGraph(services, { learnOptions: options.learnOptions, onRetry: log }));
    log(`model version ${learned.header.version}: ${learned.header.filingsLearned} controlled declarations, ${learned.header.irregularFilings} irregular`);

    // The labels stay in the file: the holdout goes in as declarations only.
    const holdoutRows = readKcsCsv(options.holdout);
    await phase('ingest holdout without labels', () => ingestRows(holdoutRows, false, writers, options.progress ? 'holdout' : undefined, log).then(finish));

    // Only what changed after learning: the holdout.
    await phase('screen through the graph', () => screenPending(services, { startAfter: learned.header.feedCursor, onRetry: log }));

    const holdout = holdoutRows.map((row) => ({ row, mrn: kcsMrn(row) }));
    const assessments = await phase('read assessments through the graph', () =>
      readScores(
        platform.gateway.graphqlUrl,
        platform.trust.serviceToken,
        holdout.map(({ mrn }) => mrn),
        log,
      ),
    );

    // Only now do the holdout labels come out of the file.
    const scored = holdout.flatMap(({ row, mrn }) => {
      const assessment = assessments.get(mrn);
      if (!assessment) return [];
      const licenceNotMatched = (assessment.reasons ?? []).some(({ code }) => code === 'LICENCE_NOT_MATCHED');
      return [{ score: assessment.score, lane: assessment.lane, mrn, row, irregular: row.fraud === 1, licenceNotMatched }];
    });
    const lanes: Record<string, number> = {};
    for (const { lane } of scored) lanes[lane] = (lanes[lane] ?? 0) + 1 / scored.length;
    const seenValues = new Set(historyRows.map(valuesOf));
    return {
      historyRows: historyRows.length,
      holdoutRows: holdoutRows.length,
      ...ranking(scored),
      unseenValues: ranking(scored.filter(({ row }) => !seenValues.has(valuesOf(row)))),
      lanes,
      phases,
      modelVersion: learned.header.version,
    };
  } finally {
    // A fresh embedded engine goes with its directory; on a shared server, the databases go.
    await platform.stop({ dropDatabases: !database.embedded });
    await database.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  }
}

/** A declaration's exact amounts: what the KCS generator repeats across its splits. */
const valuesOf = (row: KcsRow) => `${row.hs6}/${row.netMass}/${row.itemPrice}`;

function ranking(scored: readonly HoldoutScore[]): RankingReport {
  // Ties are broken by a hash of the MRN, never by file order, which could carry the labels.
  const ranked = scored.map(({ score, mrn }) => score + uniform(mrn) * 1e-9);
  const labels = scored.map(({ irregular }) => irregular);
  return {
    scored: scored.length,
    positiveRate: labels.filter(Boolean).length / Math.max(1, labels.length),
    licenceNotMatched: scored.filter(({ licenceNotMatched }) => licenceNotMatched).length,
    rows: INSPECTION_RATES.map((rate) => ({
      rate,
      inspected: Math.ceil(rate * ranked.length),
      precision: precisionAt(ranked, labels, rate),
      recall: recallAt(ranked, labels, rate),
    })),
    auc: auc(ranked, labels),
  };
}

async function ingestRows(
  rows: readonly KcsRow[],
  withLabels: boolean,
  writers: Parameters<typeof ingest>[1]['writers'],
  label: string | undefined,
  onRetry: (line: string) => void,
): Promise<IngestSummary> {
  const declarationRecords = kcsRecordList(rows, { withLabels });
  const declarations = declarationRecords.filter((record): record is DeclarationRecord => record.kind === 'declaration');
  // After the declarations, as the demo seed sends them; the generator reads no label.
  const licences = generateLicenceDemoRecords(declarations);
  const records = [...declarationRecords, ...licences.licences, ...licences.usages];
  return ingest(fromRecords(records, label ?? 'kcs'), {
    writers,
    batchSize: 2_000,
    progress: label ? createProgress(label, records.length) : undefined,
    onRetry,
  });
}

interface HoldoutScore {
  mrn: string;
  score: number;
  irregular: boolean;
  licenceNotMatched: boolean;
}

interface AssessmentRead {
  score: number;
  lane: string;
  reasons: { code: string }[] | null;
}

async function readScores(
  graphqlUrl: string,
  token: () => Promise<string>,
  mrns: string[],
  onRetry: (line: string) => void,
): Promise<Map<string, AssessmentRead>> {
  const graph = createGraphClient({ url: graphqlUrl, token });
  const scores = new Map<string, AssessmentRead>();
  const watchdog = watchJob('reading assessments');
  const retries = jobRetries('reading assessments', watchdog, onRetry);
  for (let i = 0; i < mrns.length; i += 100) {
    const batch = mrns.slice(i, i + 100);
    const where = `batch ${i / 100 + 1} (holdout declarations ${(i + 1).toLocaleString('en')}–${(i + batch.length).toLocaleString('en')})`;
    watchdog.progress(where);
    const { declarationsByMrn } = await watchdog.guard(
      retries.stopsAt(
        where,
        graph.request<{ declarationsByMrn: ({ mrn: string; riskAssessment: AssessmentRead | null } | null)[] }>(
          `query HoldoutScores($mrns: [ID!]!) { declarationsByMrn(mrns: $mrns) { mrn riskAssessment { score lane reasons { code } } } }`,
          { mrns: batch },
          { onRetry: retries.onRetry(where) },
        ),
      ),
    );
    for (const declaration of declarationsByMrn) if (declaration?.riskAssessment) scores.set(declaration.mrn, declaration.riskAssessment);
  }
  return scores;
}

export function formatReport(report: EvaluationReport): string {
  const pct = (value: number) => `${(value * 100).toFixed(1)}%`;
  const { unseenValues } = report;
  const lines = [
    `history ${report.historyRows} rows · holdout ${report.holdoutRows} rows, ${report.scored} scored · irregular in holdout ${pct(report.positiveRate)} (the precision of random selection)`,
    '',
    ...rankingTable(report),
    '',
    `AUC ${report.auc.toFixed(3)} · model version ${report.modelVersion}`,
    `lanes of the holdout: ${['RED', 'YELLOW', 'GREEN'].map((lane) => `${lane} ${pct(report.lanes[lane] ?? 0)}`).join(' · ')}`,
    `raised by unmatched licence checks: ${report.licenceNotMatched} of the scored, ${unseenValues.licenceNotMatched} of the unseen values`,
    '',
    `unseen values: ${unseenValues.scored} of the ${report.scored} scored (${pct(unseenValues.scored / Math.max(1, report.scored))}) have an (HS6, net mass, item price) that no history row has · irregular ${pct(unseenValues.positiveRate)}`,
    '',
    ...rankingTable(unseenValues),
    '',
    `AUC ${unseenValues.auc.toFixed(3)} (unseen values)`,
    '',
    ...report.phases.map((p) => `${p.name.padEnd(36)} ${p.seconds.toFixed(1).padStart(7)} s`),
  ];
  return lines.join('\n');
}

function rankingTable(report: RankingReport): string[] {
  const pct = (value: number) => `${(value * 100).toFixed(1)}%`;
  return [
    '| inspection rate | inspected | precision | recall |',
    '|---:|---:|---:|---:|',
    ...report.rows.map((row) => `| ${pct(row.rate)} | ${row.inspected} | ${row.precision.toFixed(3)} | ${row.recall.toFixed(3)} |`),
  ];
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  runTool(async () => {
    const { values } = parseArgs({
      options: {
        history: { type: 'string', multiple: true },
        holdout: { type: 'string' },
        dimensions: { type: 'string' },
        'prior-strength': { type: 'string' },
        'no-trees': { type: 'boolean' },
        trees: { type: 'string' },
        help: { type: 'boolean' },
      },
    });
    if (values.help) return console.log(USAGE);
    if (!values.history?.length || !values.holdout) throw new Error(USAGE);
    const learnOptions: LearnOptions = {};
    if (values.dimensions) {
      learnOptions.dimensions = values.dimensions.split(',').map((name) => name.trim());
      learnOptions.dimensions.forEach(dimension); // throws, naming an unknown trait
    }
    if (values['prior-strength'] !== undefined) {
      const m = Number(values['prior-strength']);
      if (!(m > 0)) throw new Error(`--prior-strength must be a positive number\n${USAGE}`);
      learnOptions.priorStrength = m;
    }
    if (values.trees !== undefined && values['no-trees']) throw new Error(`--trees and --no-trees contradict each other: give one\n${USAGE}`);
    if (values.trees !== undefined) {
      const trees = Number(values.trees);
      if (!(Number.isInteger(trees) && trees >= 1)) throw new Error(`--trees must be a whole number of trees, at least 1\n${USAGE}`);
      learnOptions.trees = { trees };
    }
    // The ablation: the regression alone, as before the trees.
    if (values['no-trees']) learnOptions.trees = false;
    const report = await evaluate({ history: values.history, holdout: values.holdout, learnOptions, log: (line) => console.error(line), progress: true });
    console.log(formatReport(report));
  });
}
