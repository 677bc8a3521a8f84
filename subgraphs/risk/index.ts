// Start file: `tsx subgraphs/risk/index.ts` (npm start runs it for you).
import { runSubgraph } from '../kit/server';
import { createRiskSubgraph } from './subgraph';

await runSubgraph(createRiskSubgraph());
