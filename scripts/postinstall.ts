// Runs after `npm install`: everything the platform needs beyond npm packages, built once.
// A missing piece is reported, not fatal, so `npm install` itself always completes.
import { buildEngine, EngineUnavailableError } from '../db/build';
import { ensureExplorerBuilt } from '../gateway/explorer/build';
import { ensureChromium } from './chromium';

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

// Only the browser test needs it; CI and developers get it the same way.
if (!process.env.SKIP_CHROMIUM) ensureChromium();
