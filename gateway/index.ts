// Start file: `tsx gateway/index.ts` (npm start runs it for you). It builds nothing: the explorer
// bundle comes from `npm run build` (npm install and npm start make it too).
import { trustFromEnv } from '../subgraphs/kit/auth/trust';
import { onShutdownSignal } from '../subgraphs/kit/http';
import { isExplorerBuilt } from './explorer/serve';
import { startGateway } from './server';
import { startTelemetry } from './telemetry';

// Before the gateway: its spans go to the collector of OTEL_EXPORTER_OTLP_ENDPOINT, if one is set.
const telemetry = startTelemetry();
if (!isExplorerBuilt()) console.warn('gateway: the explorer is not built (npm run explorer:build); the GraphQL endpoint works without it.');
const gateway = await startGateway({ trust: await trustFromEnv({ gateway: true }) });
console.log(`gateway ready at ${gateway.graphqlUrl}; explorer at ${gateway.url}/`);
onShutdownSignal(async () => {
  await gateway.stop();
  await telemetry?.stop();
  console.log('gateway stopped');
});
