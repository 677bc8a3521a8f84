import type { Connection } from 'mongoose';
import type { SubgraphContext } from '../kit/context';
import type { DeclarationsLoaders } from './loaders';
import type { DeclarationsModels } from './models';

/** The models, and the connection the write journal needs. */
export interface DeclarationsStore extends DeclarationsModels {
  connection: Connection;
}

export type DeclarationsContext = SubgraphContext<DeclarationsStore, DeclarationsLoaders>;
