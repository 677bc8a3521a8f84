// Runs after `npm install`: everything the platform needs beyond npm packages, built once inside
// the project; nothing outside it is changed. A missing piece is reported, not fatal, so
// `npm install` itself always completes.
import { buildEngine, EngineUnavailableError } from '../db/build';
import { ensureDashboardBuilt } from '../gateway/dashboard/build';
import { ensureExplorerBuilt } from '../gateway/explorer/build';
import { findChromium } from './chromium';

if (process.env.MONGODB_URI) {
  console.log('MONGODB_URI is set: the embedded engine is not needed.');
} else {
  try {
    buildEngine();
  } catch (error) {
    console.warn(error instanceof EngineUnavailableError ? error.message : `Building the engine failed: ${String(error)}`);
  }
}

await ensureExplorerBuilt();
await ensureDashboardBuilt();

// Only the browser tests need it, and skip without it: a hint, not an install.
if (!findChromium()) console.log('chromium: not found; test/browser will be skipped (install it, e.g. `apt-get install chromium`, or set CHROMIUM_PATH).');
