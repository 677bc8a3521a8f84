// The mutual-recognition subgraph: partner programmes, partner traders, recognition and trade lanes.
import { fileURLToPath } from 'node:url';
import { badUserInput } from '../kit/errors';
import { eachRecord } from '../kit/ingest';
import type { SubgraphDefinition } from '../kit/server';
import { subgraphEntry } from '../registry';
import { createMraLoaders, type MraLoaders } from './loaders';
import { createMraModels, type MraModels } from './models';
import { resolvers } from './resolvers';
import type { ConsentRecord, PartnerTraderRecord, TradeLaneRecord } from './records';
import { registerLane, retireUnlisted, setConsent, storedProgrammes, storeProgrammes, writePartnerTrader } from './writes';

export const mraSubgraph: SubgraphDefinition<MraModels, MraLoaders> = {
  name: 'mra',
  defaultPort: subgraphEntry('mra').defaultPort,
  schemaPath: fileURLToPath(new URL('./schema.graphql', import.meta.url)),
  resolvers,
  createModels: createMraModels,
  createLoaders: createMraLoaders,
  // The programmes are part of the code (programmes.ts): every start brings them up to date.
  prepare: async (models) => {
    await Promise.all([models.partners.createIndexes(), storeProgrammes(models)]);
  },
  ingest: (models) => ({
    kinds: ['partnerTrader', 'consent', 'tradeLane'],
    isEmpty: async () => (await models.partners.findOne({}, { _id: 1 }).lean().exec()) === null,
    async write(records, _caller, progress) {
      const programmes = await storedProgrammes(models);
      return eachRecord(
        records,
        async (record) => {
          const typed = record as PartnerTraderRecord | ConsentRecord | TradeLaneRecord;
          if (typed?.kind === 'partnerTrader') return writePartnerTrader(models, programmes, typed);
          if (typed?.kind === 'consent') {
            if (typeof typed.granted !== 'boolean') throw badUserInput('granted', 'must be true or false');
            return (await setConsent(models, typed, typed.granted)).status;
          }
          if (typed?.kind === 'tradeLane') return (await registerLane(models, typed)).status;
          throw badUserInput('kind', 'must be partnerTrader, consent or tradeLane');
        },
        progress,
      );
    },
    finish: async () => {
      await retireUnlisted(models);
    },
  }),
};
