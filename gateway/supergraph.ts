// Where the composed schemas are: committed, written by `npm run compose` (scripts/compose.ts),
// and read by the gateway at start, which composes nothing itself.
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const SUPERGRAPH_PATH = join(ROOT, 'schema', 'supergraph.graphql');
export const API_SCHEMA_PATH = join(ROOT, 'schema', 'api.graphql');
