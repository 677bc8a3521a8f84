// `npx tsx bench/faults.ts`: N clients run the contract operations and write, while one subgraph
// is killed with kill -9 (and restarted by its supervisor), another is made slow behind a proxy,
// and the engine is paused. Per phase: requests, whole answers, partial answers whose every
// missing part is named, failures, p50/p99, and throughput and p99 against the steady phase.
// Afterwards, every acknowledged write is looked up: data lost must be 0.
//
// FAULTS_CLIENTS (16), FAULTS_PHASE_S (20), FAULTS_KCS_ROWS (1000) size the run.
import { faultPhases, startFaultRig } from './fault-rig';
import { describeReport, percentile, runLoad, type LoadReport } from './fault-load';

const CLIENTS = Number(process.env.FAULTS_CLIENTS ?? 16);
const PHASE_MS = Number(process.env.FAULTS_PHASE_S ?? 20) * 1000;
const KCS_ROWS = Number(process.env.FAULTS_KCS_ROWS ?? 1000);
const SLOWABLE = 'mra';
const SLOW_TIMEOUT_MS = 1_000;
const KILLED = 'licences';

const log = (line: string) => console.log(`faults │ ${line}`);
log(`starting the platform as supervised processes, with ${KCS_ROWS} KCS declarations`);
const rig = await startFaultRig({ kcsRows: KCS_ROWS, slowable: SLOWABLE, slowableTimeoutMs: SLOW_TIMEOUT_MS, log });
let report: LoadReport;
try {
  log(`${CLIENTS} clients, ${PHASE_MS / 1000} s a phase; ${SLOWABLE}'s deadline ${SLOW_TIMEOUT_MS} ms`);
  report = await runLoad({
    graphqlUrl: rig.graphqlUrl,
    issuer: rig.issuer,
    kcsFile: rig.kcsFile,
    clients: CLIENTS,
    phases: faultPhases(rig, SLOWABLE, { durationMs: PHASE_MS, slowDelayMs: SLOW_TIMEOUT_MS * 5, enginePauseMs: 6_000, killed: KILLED }),
    log,
  });
  log(`${KILLED} was restarted ${rig.supervisors.get(KILLED)?.restarts ?? 0} time(s) by its supervisor`);
} finally {
  await rig.stop();
}

console.log(`\n${describeReport(report)}`);
const slow = report.phases.find((phase) => phase.phase === `${SLOWABLE} slow`)!;
const slowP99 = percentile(slow.latenciesMs, 0.99);
console.log(
  `\n${SLOWABLE} slow: p99 ${Math.round(slowP99)} ms against ${SLOWABLE}'s deadline of ${SLOW_TIMEOUT_MS} ms (${(slowP99 / SLOW_TIMEOUT_MS).toFixed(2)}×)`,
);

const broken = report.writesLost.length > 0 || report.phases.some((phase) => phase.failed > 0 || phase.untouchedNotWhole > 0);
if (broken) {
  console.log('\nFAILED: every answer must be whole or name what it misses, untouched operations whole, and no acknowledged write lost.');
  process.exitCode = 1;
}
