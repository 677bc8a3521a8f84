// The risk subgraph's configuration: where the graph is, how much can be controlled, and the
// random selection share. From the environment, with defaults that work with `npm start`.
import { checkCapacity, DEFAULT_CAPACITY, type Capacity } from './lanes';
import { DEFAULT_RANDOM_SHARE } from './random-selection';

export interface RiskSettings {
  /** The gateway's GraphQL URL: screening and learning read the graph through it. */
  gatewayUrl: string | (() => string);
  /** The service token screening and learning read the graph with (kit/auth/trust.ts). */
  serviceToken: () => Promise<string>;
  capacity: Capacity;
  randomShare: number;
}

export function riskSettingsFromEnv(serviceToken: () => Promise<string>, env: NodeJS.ProcessEnv = process.env): RiskSettings {
  const share = (name: string, fallback: number) => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!Number.isFinite(value) || value < 0 || value > 1) throw new Error(`${name} must be a share from 0 to 1, not "${raw}"`);
    return value;
  };
  return {
    serviceToken,
    gatewayUrl: env.RISK_GATEWAY_URL ?? `http://${env.GATEWAY_HOST ?? '127.0.0.1'}:${env.GATEWAY_PORT ?? 4000}/graphql`,
    capacity: checkCapacity({
      redShare: share('RISK_RED_SHARE', DEFAULT_CAPACITY.redShare),
      yellowShare: share('RISK_YELLOW_SHARE', DEFAULT_CAPACITY.yellowShare),
    }),
    randomShare: share('RISK_RANDOM_SHARE', DEFAULT_RANDOM_SHARE),
  };
}
