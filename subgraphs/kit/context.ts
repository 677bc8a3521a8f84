// The per-request context every resolver receives.
import type { Caller } from './auth/roles';

export { ANONYMOUS, hasScope, type Caller } from './auth/roles';

/** Models are bound to the subgraph's own connection; loaders are fresh for every request. */
export interface SubgraphContext<TModels, TLoaders> {
  /** Who asks, as the gateway vouched for it (kit/auth). */
  caller: Caller;
  models: TModels;
  loaders: TLoaders;
}
