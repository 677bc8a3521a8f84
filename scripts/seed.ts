// Loads the demo data set into every subgraph's database. Run: npm run seed
// (npm start does this by itself when the databases are empty).
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createAeoModels, prepareAeoModels } from '../subgraphs/aeo/models';
import { seedAeo } from '../subgraphs/aeo/seed';
import { describeCounts } from '../subgraphs/kit/batches';
import { connectDatabase } from '../subgraphs/kit/database';

export interface SeedOptions {
  uri: string;
  /** Seed only databases that are still empty; the default for npm start. */
  onlyIfEmpty?: boolean;
  log?: (line: string) => void;
}

export async function seedDemoData({ uri, onlyIfEmpty = false, log = console.log }: SeedOptions): Promise<void> {
  const aeo = await connectDatabase('aeo', { uri });
  try {
    const models = createAeoModels(aeo.connection);
    await prepareAeoModels(models);
    if (onlyIfEmpty && (await models.operators.estimatedDocumentCount()) > 0) {
      log('aeo: demo data already present');
    } else {
      const counts = await seedAeo(models);
      log(`aeo: operators ${describeCounts(counts.operators)}; authorisations ${describeCounts(counts.authorisations)}`);
    }
  } finally {
    await aeo.close();
  }
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
