// What the risk command-line tools share: the risk database (of the running platform, or one
// given), the graph behind the gateway, and a check that the gateway is up before any work.
import { startDatabase } from '../../db/engine';
import { connectDatabase } from '../../subgraphs/kit/database';
import { prepareRiskModels } from '../../subgraphs/risk/models';
import type { RiskServices } from '../../subgraphs/risk/screening';
import { riskSettingsFromEnv, type RiskSettings } from '../../subgraphs/risk/settings';
import { createRiskStore } from '../../subgraphs/risk/subgraph';

export interface OpenedServices {
  services: RiskServices;
  close(): Promise<void>;
}

export async function openRiskServices(settings: RiskSettings = riskSettingsFromEnv()): Promise<OpenedServices> {
  const url = typeof settings.gatewayUrl === 'string' ? settings.gatewayUrl : settings.gatewayUrl();
  const readyz = new URL('/readyz', url);
  const ready = await fetch(readyz, { signal: AbortSignal.timeout(5_000) }).then(
    (response) => response.ok,
    () => false,
  );
  if (!ready) {
    throw new Error(`The gateway at ${url} is not ready. Start the platform first (npm start), or set RISK_GATEWAY_URL.`);
  }
  // The platform's own database: a new engine here would hold a model and assessments the platform never reads.
  const database = await startDatabase({ joinOnly: true });
  const risk = await connectDatabase('risk', { uri: database.uri });
  const services = createRiskStore(risk.connection, settings);
  await prepareRiskModels(services);
  return {
    services,
    async close() {
      await risk.close();
      await database.stop();
    },
  };
}

/** Runs a command-line tool: its errors are printed without a stack, and the exit code is 1. */
export function runTool(main: () => Promise<void>): void {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
