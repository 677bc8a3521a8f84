// POST /audit {entries: [...]} → {stored, duplicates}: how entries reach the trail. Only the
// gateway may append, with a gateway token for its own service identity (not a caller it
// signs requests on for): a direct call, a caller's forwarded token or a service token from
// the identity issuer is refused. There is no other way in, and no way to change an entry.
import { isGatewayIdentity } from '../kit/auth/gateway-identity';
import { callerFromGateway } from '../kit/auth/requests';
import type { Caller } from '../kit/auth/roles';
import { AUDIT_AUDIENCE } from '../kit/auth/tokens';
import type { Trust } from '../kit/auth/trust';
import { readBody, sendJson, type Route } from '../kit/http';
import { appendEntries, InvalidEntryError, parseEntries } from './entries';
import type { AuditModels } from './models';

export const AUDIT_PATH = '/audit';
const MAX_BODY_BYTES = 64 * 1024 * 1024;

export function appendRoute(models: AuditModels, trust: Pick<Trust, 'gatewayPublicKey'>): Route {
  return async (req, res) => {
    if (new URL(req.url ?? '/', 'http://localhost').pathname !== AUDIT_PATH) return false;
    let caller: Caller;
    try {
      caller = await callerFromGateway(req, trust, AUDIT_AUDIENCE);
    } catch (error) {
      sendJson(res, 401, { code: 'UNAUTHENTICATED', error: (error as Error).message });
      return true;
    }
    if (!isGatewayIdentity(caller)) {
      sendJson(res, 403, { code: 'FORBIDDEN', error: `${AUDIT_PATH} takes entries from the gateway alone, not from ${caller.id}` });
      return true;
    }
    if (req.method !== 'POST') {
      sendJson(res, 405, { code: 'METHOD_NOT_ALLOWED', error: `${AUDIT_PATH} takes POST only: the trail is read through the graph (auditTrail)` });
      return true;
    }
    const body = await readBody(req, MAX_BODY_BYTES);
    if (body === undefined) {
      sendJson(res, 413, { code: 'PAYLOAD_TOO_LARGE', error: `a batch may hold ${MAX_BODY_BYTES} bytes at most` });
      return true;
    }
    try {
      sendJson(res, 200, await appendEntries(models, parseEntries(JSON.parse(body))));
    } catch (error) {
      if (!(error instanceof InvalidEntryError || error instanceof SyntaxError)) throw error;
      sendJson(res, 400, { code: 'BAD_REQUEST', error: error.message });
    }
    return true;
  };
}
