// Start file: `tsx subgraphs/declarations/index.ts` (npm start runs it for you).
import { runSubgraph } from '../kit/server';
import { declarationsSubgraph } from './subgraph';

await runSubgraph(declarationsSubgraph);
