// Start file: `tsx subgraphs/licences/index.ts` (npm start runs it for you).
import { runSubgraph } from '../kit/server';
import { licencesSubgraph } from './subgraph';

await runSubgraph(licencesSubgraph);
