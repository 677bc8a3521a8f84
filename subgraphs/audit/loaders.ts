// The trail is read a page at a time, by its one query: nothing is loaded per entity.
import type { AuditModels } from './models';

export type AuditLoaders = Record<string, never>;

export function createAuditLoaders(_models: AuditModels): AuditLoaders {
  return {};
}
