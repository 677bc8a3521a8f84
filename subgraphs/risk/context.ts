import type { Connection } from 'mongoose';
import type { SubgraphContext } from '../kit/context';
import type { GraphClient } from '../kit/graph-client';
import type { RiskLoaders } from './loaders';
import type { RiskModels } from './models';
import type { RiskSettings } from './settings';

/** The models, and what screening needs besides: the connection, the graph and the settings. */
export interface RiskStore extends RiskModels {
  connection: Connection;
  graph: GraphClient;
  settings: RiskSettings;
}

export type RiskContext = SubgraphContext<RiskStore, RiskLoaders>;
