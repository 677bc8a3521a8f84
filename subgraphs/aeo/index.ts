// Start file: `tsx subgraphs/aeo/index.ts` (npm start runs it for you).
import { runSubgraph } from '../kit/server';
import { aeoSubgraph } from './subgraph';

await runSubgraph(aeoSubgraph);
