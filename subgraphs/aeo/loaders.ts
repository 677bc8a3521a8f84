// Per-request DataLoaders: every lookup by key in one request becomes one query.
import DataLoader from 'dataloader';
import { noRows } from '../kit/auth/rows';
import type { Caller } from '../kit/auth/roles';
import { ascending, descending, findByField, findByIds, manyByKey, oneByKey } from '../kit/batching';
import type { AeoModels, AuthorisationDoc, OperatorDoc } from './models';

export interface AeoLoaders {
  operatorByEori: DataLoader<string, OperatorDoc | null>;
  authorisationByNumber: DataLoader<string, AuthorisationDoc | null>;
  authorisationsByHolder: DataLoader<string, AuthorisationDoc[]>;
  /** Operators and authorisations are readable EU-wide by every official; a caller with no reach into filings (a data protection officer) sees none. */
  visible: () => Record<string, unknown>;
}

export function createAeoLoaders({ operators, authorisations }: AeoModels, caller: Caller): AeoLoaders {
  const readable = caller.role !== undefined && caller.role !== 'data-protection-officer';
  const visible = () => (readable ? {} : noRows());
  return {
    visible,
    operatorByEori: new DataLoader(async (eoris) => {
      const found = await findByIds<OperatorDoc>(operators, eoris, visible());
      return oneByKey(eoris, found, (operator) => operator._id);
    }),
    authorisationByNumber: new DataLoader(async (numbers) => {
      const found = await findByIds<AuthorisationDoc>(authorisations, numbers, visible());
      return oneByKey(numbers, found, (authorisation) => authorisation._id);
    }),
    authorisationsByHolder: new DataLoader(async (holders) => {
      const found = (await findByField<AuthorisationDoc>(authorisations, 'holder', holders, visible())).sort(
        (a, b) => descending(a.validFrom, b.validFrom) || ascending(a._id, b._id),
      );
      return manyByKey(holders, found, (authorisation) => authorisation.holder);
    }),
  };
}
