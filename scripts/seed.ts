// Loads the demo data set into every subgraph's database. Run: npm run seed
// (npm start does this by itself for databases that are still empty).
//
// - aeo: 3,000 generated operators across the Member States and beyond, plus the importers and
//   declarants of the KCS data set, with AEO authorisations;
// - declarations: the KCS train split (37,385 declarations, each with its control result) and
//   400 generated ICS2 filings, written through the same path as `npm run ingest`;
// - licences: a licence for every certificate the KCS items quote, most matching, a few with
//   each kind of fault, and usages drawn on some;
// - mra: the partner programmes (always), partner traders, consents and trade lanes.
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateAeoDemoData } from '../subgraphs/aeo/demo-data';
import { createAeoModels, prepareAeoModels } from '../subgraphs/aeo/models';
import { seedAeo } from '../subgraphs/aeo/seed';
import { generateEnsDemoRecords } from '../subgraphs/declarations/ens-demo';
import { kcsFileToRecords } from '../subgraphs/declarations/kcs';
import { kcsOperators } from '../subgraphs/declarations/kcs-operators';
import { generateLicenceDemoRecords } from '../subgraphs/licences/demo-data';
import { generateMraDemoRecords } from '../subgraphs/mra/demo-data';
import { describeCounts } from '../subgraphs/kit/upsert';
import { connectDatabase } from '../subgraphs/kit/database';
import { watchJob } from '../subgraphs/kit/watchdog';
import { createProgress } from './ingest/progress';
import { ingest, type IngestSummary } from './ingest/run';
import { fromRecords } from './ingest/sources';
import { openWriters } from './ingest/writers';

export const KCS_TRAIN = fileURLToPath(new URL('../data/kcs-synthetic/train.csv', import.meta.url));

export interface SeedOptions {
  uri: string;
  /** Seed only databases that are still empty; the default for npm start. */
  onlyIfEmpty?: boolean;
  log?: (line: string) => void;
  /** Database names where they are not the defaults (tests). */
  databases?: { aeo?: string; declarations?: string; licences?: string; mra?: string };
  /** The KCS file to load (default: the train split). */
  kcsFile?: string;
}

export async function seedDemoData(options: SeedOptions): Promise<void> {
  const { uri, onlyIfEmpty = false, log = console.log, databases = {} } = options;
  let kcsRecords: ReturnType<typeof kcsFileToRecords> | undefined;
  const kcs = () => (kcsRecords ??= kcsFileToRecords(options.kcsFile ?? KCS_TRAIN));

  const watchdog = watchJob('demo data');
  const aeo = await connectDatabase('aeo', { uri, dbName: databases.aeo });
  try {
    const models = createAeoModels(aeo.connection);
    await prepareAeoModels(models);
    if (onlyIfEmpty && !(await isEmptyCollection(models.operators.collection))) {
      log('aeo: demo data already present');
    } else {
      const demo = generateAeoDemoData();
      const fromKcs = kcsOperators(kcs().map(({ declaration }) => declaration));
      watchdog.progress('aeo operators and authorisations');
      const counts = await watchdog.guard(
        seedAeo(models, {
          operators: [...demo.operators, ...fromKcs.operators],
          authorisations: [...demo.authorisations, ...fromKcs.authorisations],
        }),
      );
      log(`aeo: operators ${describeCounts(counts.operators)}; authorisations ${describeCounts(counts.authorisations)}`);
    }
  } finally {
    await aeo.close();
  }

  const isEmpty = async (subgraph: 'declarations' | 'mra', collection: string) => {
    const database = await connectDatabase(subgraph, { uri, dbName: databases[subgraph] });
    try {
      return await isEmptyCollection(database.connection.collection(collection));
    } finally {
      await database.close();
    }
  };
  const records: unknown[] = [];
  if (!onlyIfEmpty || (await isEmpty('declarations', 'declarations'))) {
    const licences = generateLicenceDemoRecords(kcs().map(({ declaration }) => declaration));
    records.push(
      ...kcs().flatMap(({ declaration, control }) => (control ? [declaration, control] : [declaration])),
      ...generateEnsDemoRecords(),
      ...licences.licences,
      ...licences.usages,
    );
  } else log('declarations and licences: demo data already present');
  if (!onlyIfEmpty || (await isEmpty('mra', 'partnerOperators'))) {
    const mra = generateMraDemoRecords();
    records.push(...mra.partnerTraders, ...mra.consents, ...mra.lanes);
  } else log('mra: demo data already present');
  if (records.length === 0) return;

  const { writers, finish, close } = await openWriters(uri, Object.fromEntries(Object.entries(databases).filter(([, name]) => name)) as Record<string, string>);
  try {
    const summary = await ingest(fromRecords(records, 'demo data'), {
      writers,
      batchSize: 5_000,
      progress: createProgress('demo data', records.length),
      onRejection: () => {},
      job: 'demo data',
    });
    watchdog.progress('retiring partner traders the lists no longer name');
    await watchdog.guard(finish());
    log(`demo data: ${describeSummary(summary)}`);
  } finally {
    await close();
  }
}

/** One document asked for, not counted: the embedded engine counts by reading every document. */
async function isEmptyCollection(collection: { findOne(filter: object): Promise<unknown> }): Promise<boolean> {
  return (await collection.findOne({})) === null;
}

export function describeSummary(summary: IngestSummary): string {
  return `read ${summary.read} · stored ${summary.stored} · updated ${summary.updated} · unchanged ${summary.unchanged} · rejected ${summary.rejected}`;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { startDatabase } = await import('../db/engine');
  const database = await startDatabase();
  try {
    await seedDemoData({ uri: database.uri });
  } finally {
    await database.stop();
  }
}
