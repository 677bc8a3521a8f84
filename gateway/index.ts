// Start file: `tsx gateway/index.ts` (npm start runs it for you).
import { onShutdownSignal } from '../subgraphs/kit/http';
import { ensureExplorerBuilt } from './explorer/build';
import { startGateway } from './server';

await ensureExplorerBuilt();
const gateway = await startGateway();
console.log(`gateway ready at ${gateway.graphqlUrl}; explorer at ${gateway.url}/`);
onShutdownSignal(async () => {
  await gateway.stop();
  console.log('gateway stopped');
});
