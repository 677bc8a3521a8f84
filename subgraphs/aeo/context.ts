import type { SubgraphContext } from '../kit/context';
import type { AeoLoaders } from './loaders';
import type { AeoModels } from './models';

export type AeoContext = SubgraphContext<AeoModels, AeoLoaders>;
