import type { SubgraphContext } from '../kit/context';
import type { IndicatorsLoaders } from './loaders';
import type { IndicatorsModels } from './models';

export type IndicatorsContext = SubgraphContext<IndicatorsModels, IndicatorsLoaders>;
