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
import { createMraModels } from '../../subgraphs/mra/models';
import type { ConsentRecord, PartnerTraderRecord, TradeLaneRecord } from '../../subgraphs/mra/records';
import { PartnerListWriter, registerLane, setConsent, storeProgrammes } from '../../subgraphs/mra/writes';
import type { Writer } from './run';

export interface Writers {
  writers: Record<string, Writer>;
  /** After each file: steps that need the whole file, such as retiring traders a partner list no longer names. */
  finish(): Promise<void>;
  close(): Promise<void>;
}

/** `databases` names a subgraph's database where it is not the default (tests use their own). */
export async function openWriters(uri: string, databases: Record<string, string> = {}): Promise<Writers> {
  const opened: SubgraphDatabase[] = [];
  const declarations = await connectDatabase('declarations', { uri, dbName: databases.declarations });
  opened.push(declarations);
  const models = createDeclarationsModels(declarations.connection);
  await prepareDeclarationsModels(models);
  // Opened on first use: it reads an outline of every stored declaration first.
  let writer: Promise<DeclarationsWriter> | undefined;
  const declarationsWriter: Writer = async (records) =>
    (await (writer ??= DeclarationsWriter.forIngest(models, declarations.connection))).write(records as DeclarationsRecord[]);

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

  const mra = await connectDatabase('mra', { uri, dbName: databases.mra });
  opened.push(mra);
  const mraModels = createMraModels(mra.connection);
  await storeProgrammes(mraModels);
  const partnerLists = new PartnerListWriter(mraModels);
  const mraWriter: Writer = async (records) => {
    const results: Awaited<ReturnType<Writer>> = [];
    for (const record of records as (PartnerTraderRecord | ConsentRecord | TradeLaneRecord)[]) {
      try {
        if (record.kind === 'partnerTrader') results.push({ status: await partnerLists.write(record) });
        else if (record.kind === 'consent') {
          const before = await mraModels.consents.findById(record.eori).lean().exec();
          const after = await setConsent(mraModels, record, record.granted);
          results.push({ status: !before ? 'stored' : before.granted === after.granted ? 'unchanged' : 'updated' });
        } else {
          const before = await mraModels.lanes.findById(record.code).lean().exec();
          const after = await registerLane(mraModels, record);
          results.push({ status: !before ? 'stored' : JSON.stringify(before) === JSON.stringify(after) ? 'unchanged' : 'updated' });
        }
      } catch (error) {
        if (!(error instanceof GraphQLError)) throw error;
        results.push({ status: 'rejected', field: String(error.extensions.field ?? ''), reason: String(error.extensions.reason ?? error.message) });
      }
    }
    return results;
  };

  return {
    finish: async () => {
      await partnerLists.finishLists();
    },
    writers: {
      partnerTrader: mraWriter,
      consent: mraWriter,
      tradeLane: mraWriter,
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
