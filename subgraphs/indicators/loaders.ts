// The indicators are read a period at a time, by their two queries: nothing is loaded per entity.
import type { IndicatorsModels } from './models';

export type IndicatorsLoaders = Record<string, never>;

export function createIndicatorsLoaders(_models: IndicatorsModels): IndicatorsLoaders {
  return {};
}
