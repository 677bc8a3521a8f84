// Start file: `tsx subgraphs/mra/index.ts` (npm start runs it for you).
import { runSubgraph } from '../kit/server';
import { mraSubgraph } from './subgraph';

await runSubgraph(mraSubgraph);
