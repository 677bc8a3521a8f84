// Start file: `tsx subgraphs/indicators/index.ts` (npm start runs it for you).
import { trustFromEnv } from '../kit/auth/trust';
import { runSubgraph } from '../kit/server';
import { indicatorsSettingsFromEnv } from './settings';
import { createIndicatorsSubgraph } from './subgraph';

const trust = await trustFromEnv();
await runSubgraph(createIndicatorsSubgraph(indicatorsSettingsFromEnv(trust.serviceToken)), trust);
