// Start file of bench/federation.ts's monolith: the platform's gateway (startGateway, with its
// tokens, limits, field rules and audit trail) over every subgraph's schema and resolvers in this
// one process, on the databases the subgraphs' own processes serve. The only thing it leaves out
// of the platform is the HTTP between the gateway and the subgraphs.
//
// It reads the environment the subgraphs read (MONGODB_URI, MONGODB_DB_PREFIX, AUTH_DIR), and
// GATEWAY_PORT; SUBGRAPH_<NAME>_URL only for /readyz, which asks the subgraphs' processes.
import { startGateway } from '../gateway/server';
import { aeoSubgraph } from '../subgraphs/aeo/subgraph';
import { auditSubgraph } from '../subgraphs/audit/subgraph';
import { declarationsSubgraph } from '../subgraphs/declarations/subgraph';
import { trustFromEnv } from '../subgraphs/kit/auth/trust';
import { onShutdownSignal } from '../subgraphs/kit/http';
import { licencesSubgraph } from '../subgraphs/licences/subgraph';
import { mraSubgraph } from '../subgraphs/mra/subgraph';
import { SUBGRAPHS } from '../subgraphs/registry';
import { riskSettingsFromEnv } from '../subgraphs/risk/settings';
import { createRiskSubgraph } from '../subgraphs/risk/subgraph';
import { connectInProcess, inProcessAuditRecorder, type InProcessSubgraph } from './federation-in-process';

const trust = await trustFromEnv({ gateway: true });
const audit = await connectInProcess(auditSubgraph);
const subgraphs: InProcessSubgraph<unknown>[] = [
  ...(await Promise.all([
    connectInProcess(aeoSubgraph),
    connectInProcess(declarationsSubgraph),
    connectInProcess(licencesSubgraph),
    connectInProcess(mraSubgraph),
    connectInProcess(createRiskSubgraph(riskSettingsFromEnv(trust.serviceToken))),
  ])),
  audit,
];
const sources = new Map(subgraphs.map((subgraph) => [subgraph.name, subgraph.source]));
const absent = SUBGRAPHS.filter((entry) => !sources.has(entry.name)).map((entry) => entry.name);
// A subgraph left out would be fetched over HTTP after all: the measurement would not be of a monolith.
if (absent.length > 0) throw new Error(`the monolith lacks the subgraphs ${absent.join(', ')} of subgraphs/registry.ts`);

const gateway = await startGateway({ trust, audit: inProcessAuditRecorder(audit.models), dataSource: (name) => sources.get(name) });
console.log(`monolith ready at ${gateway.graphqlUrl}: ${subgraphs.length} subgraphs in process`);
onShutdownSignal(async () => {
  await gateway.stop();
  await Promise.all(subgraphs.map((subgraph) => subgraph.close()));
});
