// The writers ingest hands records to, by record kind, each over its subgraph's own database.
import { createDeclarationsModels, prepareDeclarationsModels } from '../../subgraphs/declarations/models';
import type { DeclarationsRecord } from '../../subgraphs/declarations/records';
import { DeclarationsWriter } from '../../subgraphs/declarations/writes';
import { connectDatabase, type SubgraphDatabase } from '../../subgraphs/kit/database';
import type { Writer } from './run';

export interface Writers {
  writers: Record<string, Writer>;
  close(): Promise<void>;
}

/** `databases` names a subgraph's database where it is not the default (tests use their own). */
export async function openWriters(uri: string, databases: Record<string, string> = {}): Promise<Writers> {
  const opened: SubgraphDatabase[] = [];
  const declarations = await connectDatabase('declarations', { uri, dbName: databases.declarations });
  opened.push(declarations);
  const models = createDeclarationsModels(declarations.connection);
  await prepareDeclarationsModels(models);
  const writer = await DeclarationsWriter.forIngest(models, declarations.connection);
  const declarationsWriter: Writer = (records) => writer.write(records as DeclarationsRecord[]);

  return {
    writers: { declaration: declarationsWriter, entrySummaryDeclaration: declarationsWriter, controlResult: declarationsWriter },
    close: async () => {
      await Promise.all(opened.map((database) => database.close()));
    },
  };
}
