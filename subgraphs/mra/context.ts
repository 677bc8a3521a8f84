import type { SubgraphContext } from '../kit/context';
import type { MraLoaders } from './loaders';
import type { MraModels } from './models';

export type MraContext = SubgraphContext<MraModels, MraLoaders>;
