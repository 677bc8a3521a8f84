// The indicators subgraph's configuration, from the environment, with defaults that work with `npm start`.
import { millisecondsFromEnv } from '../kit/request-deadline';

export interface IndicatorsSettings {
  /** The gateway's GraphQL URL: the follower reads the change feeds through it. */
  gatewayUrl: string | (() => string);
  /** The service token the follower reads the graph with (kit/auth/trust.ts). */
  serviceToken: () => Promise<string>;
  /** Whether the follower runs (INDICATORS_FOLLOW=false turns it off: the indicators then stay as stored). */
  follow: boolean;
  /** How long the follower waits before asking the feeds again once it has read them to their end. */
  pollMs: number;
  /** The longest wait between reads while nothing new is written (the wait doubles from pollMs up to it). */
  idlePollMs: number;
  /** Where the follower's progress lines go; console.log by default. */
  log?: (line: string) => void;
}

export function indicatorsSettingsFromEnv(serviceToken: () => Promise<string>, env: NodeJS.ProcessEnv = process.env): IndicatorsSettings {
  const poll = Number(env.INDICATORS_POLL_MS ?? 1_000);
  if (!Number.isFinite(poll) || poll < 10) throw new Error(`INDICATORS_POLL_MS must be a number of milliseconds (10 or more), not "${env.INDICATORS_POLL_MS}"`);
  return {
    serviceToken,
    gatewayUrl: env.INDICATORS_GATEWAY_URL ?? `http://${env.GATEWAY_HOST ?? '127.0.0.1'}:${env.GATEWAY_PORT ?? 4000}/graphql`,
    pollMs: poll,
    idlePollMs: millisecondsFromEnv('INDICATORS_IDLE_POLL_MS', env) ?? 15_000,
    follow: !['0', 'false', 'no', 'off'].includes((env.INDICATORS_FOLLOW ?? '').toLowerCase()),
  };
}
