// Start file: `tsx subgraphs/audit/index.ts` (npm start runs it for you).
import { runSubgraph } from '../kit/server';
import { auditSubgraph } from './subgraph';

await runSubgraph(auditSubgraph);
