import type { Connection } from 'mongoose';
import type { SubgraphContext } from '../kit/context';
import type { DeclarationsLoaders } from './loaders';
import type { DeclarationsModels } from './models';
import type { DeclarationsWriter } from './writes';

/** The models, the connection the write journal needs, and the one writer of them all. */
export interface DeclarationsStore extends DeclarationsModels {
  connection: Connection;
  writer: DeclarationsWriter;
}

export type DeclarationsContext = SubgraphContext<DeclarationsStore, DeclarationsLoaders>;
