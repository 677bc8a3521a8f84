// Per-request DataLoaders: every lookup by key in one request becomes one query.
import DataLoader from 'dataloader';
import { ascending, descending, findByField, findByIds, manyByKey, oneByKey } from '../kit/batching';
import type { AeoModels, AuthorisationDoc, OperatorDoc } from './models';

export interface AeoLoaders {
  operatorByEori: DataLoader<string, OperatorDoc | null>;
  authorisationByNumber: DataLoader<string, AuthorisationDoc | null>;
  authorisationsByHolder: DataLoader<string, AuthorisationDoc[]>;
}

export function createAeoLoaders({ operators, authorisations }: AeoModels): AeoLoaders {
  return {
    operatorByEori: new DataLoader(async (eoris) => {
      const found = await findByIds<OperatorDoc>(operators, eoris);
      return oneByKey(eoris, found, (operator) => operator._id);
    }),
    authorisationByNumber: new DataLoader(async (numbers) => {
      const found = await findByIds<AuthorisationDoc>(authorisations, numbers);
      return oneByKey(numbers, found, (authorisation) => authorisation._id);
    }),
    authorisationsByHolder: new DataLoader(async (holders) => {
      const found = (await findByField<AuthorisationDoc>(authorisations, 'holder', holders)).sort(
        (a, b) => descending(a.validFrom, b.validFrom) || ascending(a._id, b._id),
      );
      return manyByKey(holders, found, (authorisation) => authorisation.holder);
    }),
  };
}
