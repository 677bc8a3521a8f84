// Why a fetch got no answer when the network is the cause, in words a caller can act on: the
// socket error codes undici carries in a failed fetch's `cause`. Only known codes are named:
// the raw messages hold addresses, which callers of the gateway must not see.

const CONNECTION_ERRORS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  EPIPE: 'connection closed while sending',
  UND_ERR_SOCKET: 'connection closed before the answer',
  UND_ERR_CLOSED: 'connection closed',
  ENOTFOUND: 'host not found',
  EHOSTUNREACH: 'host unreachable',
  ETIMEDOUT: 'connection timed out',
};

/** The reason for a known connection failure ("connection refused"), or undefined for anything else. */
export function connectionFailure(error: unknown): string | undefined {
  const cause = (error as { cause?: { code?: unknown } } | null)?.cause;
  const code = typeof cause?.code === 'string' ? cause.code : (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? CONNECTION_ERRORS[code] : undefined;
}

/** JSON.parse, or undefined for text that is no JSON (a proxy's error page, a cut answer). */
export function parseJsonOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
