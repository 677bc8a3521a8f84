// Start file: `tsx subgraphs/risk/index.ts` (npm start runs it for you).
import { trustFromEnv } from '../kit/auth/trust';
import { runSubgraph } from '../kit/server';
import { riskSettingsFromEnv } from './settings';
import { createRiskSubgraph } from './subgraph';

const trust = await trustFromEnv();
await runSubgraph(createRiskSubgraph(riskSettingsFromEnv(trust.serviceToken)), trust);
