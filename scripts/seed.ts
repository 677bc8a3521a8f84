// Loads the demo data set into the running platform, through each subgraph's ingest endpoint,
// as `npm run ingest` does. Run: npm run seed (npm start does it by itself for subgraphs that
// hold no data yet).
//
// - aeo: 3,000 generated operators across the Member States and beyond, plus the importers and
//   declarants of the KCS data set, with AEO authorisations;
// - declarations: the KCS train split (37,385 declarations, each with its control result) and
//   400 generated ICS2 filings;
// - licences: a licence for every certificate the KCS items quote, most matching, a few with
//   each kind of fault, and usages drawn on some;
// - mra: the partner programmes (always), partner traders, consents and trade lanes.
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateAeoDemoData, type AeoDemoData } from '../demo/aeo';
import type { AeoAuthorisationRecord, EconomicOperatorRecord } from '../subgraphs/aeo/ingest';
import { generateEnsDemoRecords } from '../demo/ens';
import { kcsFileToRecords } from '../demo/kcs';
import { kcsOperators } from '../demo/kcs-operators';
import { generateLicenceDemoRecords } from '../demo/licences';
import { generateMraDemoRecords } from '../demo/mra';
import { watchJob } from '../subgraphs/kit/watchdog';
import { createProgress } from './ingest/progress';
import { ingest, type IngestSummary } from './ingest/run';
import { fromRecords } from './ingest/sources';
import { openWriters } from './ingest/writers';

export const KCS_TRAIN = fileURLToPath(new URL('../data/kcs-synthetic/train.csv', import.meta.url));
/** Records per request to a subgraph that stores them one at a time. */
const RECORD_BY_RECORD_BATCH = 200;

export interface SeedOptions {
  /** Subgraph name → its GraphQL URL, where it is not the registry's default (tests, in-process platforms). */
  urls?: Record<string, string>;
  /** Load only into subgraphs that hold none of their data yet; the default for npm start. */
  onlyIfEmpty?: boolean;
  log?: (line: string) => void;
  /** The KCS file to load (default: the train split). */
  kcsFile?: string;
  /** The service token to send (an in-process platform's); default: the local issuer's. */
  token?: () => Promise<string>;
}

/** Sends the demo data set to the running subgraphs, through their ingest endpoints (kit/ingest.ts). */
export async function seedDemoData(options: SeedOptions): Promise<IngestSummary | null> {
  const { onlyIfEmpty = false, log = console.log } = options;
  let kcsRecords: ReturnType<typeof kcsFileToRecords> | undefined;
  const kcs = () => (kcsRecords ??= kcsFileToRecords(options.kcsFile ?? KCS_TRAIN));
  const kcsDeclarations = () => kcs().map(({ declaration }) => declaration);

  const { writers, empty, finish } = await openWriters({ urls: options.urls, callerId: 'demo-seed', token: options.token });
  // One stream per subgraph, sent side by side: one subgraph stores a batch while another's is validated.
  const streams: { subgraph: string; records: unknown[]; batchSize: number }[] = [];
  const load = (subgraph: string, demo: () => unknown[], batchSize = 5_000) => {
    if (!onlyIfEmpty || empty[subgraph]) streams.push({ subgraph, records: demo(), batchSize });
    else log(`${subgraph}: demo data already present`);
  };
  load('aeo', () => {
    const demo = generateAeoDemoData();
    const fromKcs = kcsOperators(kcsDeclarations());
    return aeoRecords({ operators: [...demo.operators, ...fromKcs.operators], authorisations: [...demo.authorisations, ...fromKcs.authorisations] });
  });
  load('declarations', () => [...kcs().flatMap(({ declaration, control }) => (control ? [declaration, control] : [declaration])), ...generateEnsDemoRecords()]);
  // Licences and partner traders are stored one record at a time, a few reads and writes each:
  // while the declarations loaded beside them, 1,443 licence records in one batch once took longer
  // than the watchdogs allow. Small batches keep every request far inside them.
  load(
    'licences',
    () => {
      const licences = generateLicenceDemoRecords(kcsDeclarations());
      return [...licences.licences, ...licences.usages];
    },
    RECORD_BY_RECORD_BATCH,
  );
  load(
    'mra',
    () => {
      const mra = generateMraDemoRecords();
      return [...mra.partnerTraders, ...mra.consents, ...mra.lanes];
    },
    RECORD_BY_RECORD_BATCH,
  );
  const total = streams.reduce((sum, { records }) => sum + records.length, 0);
  if (total === 0) return null;

  const progress = createProgress('demo data', total);
  const done = streams.map(() => 0);
  const summaries = await Promise.all(
    streams.map(({ subgraph, records, batchSize }, index) =>
      ingest(fromRecords(records, `${subgraph} demo data`), {
        writers,
        batchSize,
        progress: {
          update: (count) => {
            done[index] = count;
            progress.update(done.reduce((sum, part) => sum + part, 0));
          },
          finish: (count) => {
            done[index] = count;
          },
        },
        onRejection: () => {},
        job: 'demo data',
        // A batch a subgraph failed (restarting, say) is sent again: one line each time, above the bar.
        onRetry: (line) => progress.note?.(line),
      }),
    ),
  );
  progress.finish(total);
  const summary = summaries.reduce((sum, part) => ({
    read: sum.read + part.read,
    stored: sum.stored + part.stored,
    updated: sum.updated + part.updated,
    unchanged: sum.unchanged + part.unchanged,
    rejected: sum.rejected + part.rejected,
  }));
  const watchdog = watchJob('demo data');
  watchdog.progress('retiring partner traders the lists no longer name');
  await watchdog.guard(finish());
  log(`demo data: ${describeSummary(summary)}`);
  return summary;
}

/** Operators first: an authorisation needs its holder registered. */
export function aeoRecords(data: AeoDemoData): (EconomicOperatorRecord | AeoAuthorisationRecord)[] {
  return [
    ...data.operators.map((operator): EconomicOperatorRecord => ({ kind: 'economicOperator', ...operator })),
    ...data.authorisations.map((authorisation): AeoAuthorisationRecord => ({ kind: 'aeoAuthorisation', ...authorisation })),
  ];
}

export function describeSummary(summary: IngestSummary): string {
  return `read ${summary.read} · stored ${summary.stored} · updated ${summary.updated} · unchanged ${summary.unchanged} · rejected ${summary.rejected}`;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  // Into the running platform, like npm run ingest.
  await seedDemoData({});
}
