import type { SubgraphContext } from '../kit/context';
import type { AuditLoaders } from './loaders';
import type { AuditModels } from './models';

export type AuditContext = SubgraphContext<AuditModels, AuditLoaders>;
