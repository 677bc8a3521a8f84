// The writers ingest hands records to, by record kind, each over its subgraph's own database.
import { createDeclarationsModels, prepareDeclarationsModels } from '../../subgraphs/declarations/models';
import type { DeclarationsRecord } from '../../subgraphs/declarations/records';
import { DeclarationsWriter } from '../../subgraphs/declarations/writes';
import { connectDatabase, type SubgraphDatabase } from '../../subgraphs/kit/database';
import { ANONYMOUS } from '../../subgraphs/kit/context';
import { createLicencesModels, prepareLicencesModels } from '../../subgraphs/licences/models';
import type { LicenceRecord, LicenceUsageRecord } from '../../subgraphs/licences/records';
import { issueLicence, recordUsage } from '../../subgraphs/licences/writes';
import { GraphQLError } from 'graphql';
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

  const licences = await connectDatabase('licences', { uri, dbName: databases.licences });
  opened.push(licences);
  const licenceModels = createLicencesModels(licences.connection);
  await prepareLicencesModels(licenceModels);
  // Licences are few and each write is already idempotent on its key: one at a time.
  const licencesWriter: Writer = async (records) => {
    const results: Awaited<ReturnType<Writer>> = [];
    for (const record of records as (LicenceRecord | LicenceUsageRecord)[]) {
      try {
        const outcome = record.kind === 'licence' ? await issueLicence(licenceModels, record, ANONYMOUS) : await recordUsage(licenceModels, record);
        results.push({ status: outcome.status });
      } catch (error) {
        if (!(error instanceof GraphQLError)) throw error;
        results.push({ status: 'rejected', field: String(error.extensions.field ?? ''), reason: String(error.extensions.reason ?? error.message) });
      }
    }
    return results;
  };

  return {
    writers: {
      declaration: declarationsWriter,
      entrySummaryDeclaration: declarationsWriter,
      controlResult: declarationsWriter,
      licence: licencesWriter,
      licenceUsage: licencesWriter,
    },
    close: async () => {
      await Promise.all(opened.map((database) => database.close()));
    },
  };
}
