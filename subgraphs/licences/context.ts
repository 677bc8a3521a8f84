import type { SubgraphContext } from '../kit/context';
import type { LicencesLoaders } from './loaders';
import type { LicencesModels } from './models';

export type LicencesContext = SubgraphContext<LicencesModels, LicencesLoaders>;
