// On a first start, `npm start` has the risk subgraph (its job first-setup, jobs.ts) learn from
// the demo data's control results and screen every declaration and ENS through the gateway, so risk assessments and the control queue answer
// right away: with one read of the change feed for both when neither is done yet, else whichever
// is left (a first start interrupted after learning). Later starts leave that to
// `npm run risk:learn` and `npm run screen`.
import { learnAndScreenInOneRead } from './first-setup';
import { learnThroughGraph } from './learning';
import { currentVersion } from './model-store';
import { readState } from './models';
import { applyRiskInformationDemo } from './risk-information-demo';
import { SCREEN_CURSOR, screenPending, type RiskServices } from './screening';

/** What npm start prints when the risk setup is over, first start or not (CI waits for it). */
export const RISK_SETUP_DONE = 'risk setup done';

export async function prepareRiskOnFirstStart(services: RiskServices, log: (line: string) => void): Promise<{ learned: boolean; screened: boolean }> {
  const models = services;
  const learned = (await currentVersion(models)) === null;
  const screened = (await readState(models, SCREEN_CURSOR)) === null;
  if (learned && screened) {
    // Before the first screening reads the rules: the rules made from the demo RIFs and alert then hit.
    if (await applyRiskInformationDemo(models)) log('demo risk information: 3 RIFs and a crisis alert, with their follow-up and rules');
    log('first start: reading every filing through the gateway once, to learn risk profiles and screen every declaration and ENS...');
    const tick = every(10, log);
    const { header, assessed } = await learnAndScreenInOneRead(services, {
      onProgress: (p) => tick(() => `  ${p.done.toLocaleString('en')} ${p.phase === 'reading' ? 'filings read' : 'filings assessed'}`),
      onRetry: log,
    });
    log(`model version ${header.version} learned from ${header.filingsLearned.toLocaleString('en')} controlled declarations`);
    log(`risk assessments ready: ${assessed.toLocaleString('en')} assessed. Try DeclarationRisk and ControlQueue in the explorer.`);
    return { learned, screened };
  }
  if (learned) {
    log('first start: learning risk profiles from the control results in the graph...');
    const tick = every(10, log);
    const { header } = await learnThroughGraph(services, {
      onProgress: (p) => tick(() => `  ${p.controlsRead.toLocaleString('en')} control results read`),
      onRetry: log,
    });
    log(`model version ${header.version} learned from ${header.filingsLearned.toLocaleString('en')} controlled declarations`);
  }
  if (screened) {
    log('screening every declaration and ENS through the gateway...');
    const tick = every(10, log);
    const result = await screenPending(services, {
      onProgress: (p) => tick(() => `  ${p.changesRead.toLocaleString('en')} changes screened`),
      onRetry: log,
    });
    log(`risk assessments ready: ${result.assessed.toLocaleString('en')} assessed. Try DeclarationRisk and ControlQueue in the explorer.`);
  }
  return { learned, screened };
}

/** A logger that lets one line through every so many seconds. */
function every(seconds: number, log: (line: string) => void): (line: () => string) => void {
  let last = 0;
  return (line) => {
    if (Date.now() - last < seconds * 1000) return;
    last = Date.now();
    log(line());
  };
}
