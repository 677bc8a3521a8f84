// Who the explorer asks as: a bearer token pasted in, or, with the platform's local issuer, a
// demo identity picked from a list. The token lives in sessionStorage (gone with the tab), never
// in localStorage, and is sent as Authorization on every request, the schema's included.
import { useEffect, useState, useSyncExternalStore, type FC, type FormEvent } from 'react';
import './sign-in.css';

const TOKEN_KEY = 'customs-graph.token';
const LOGIN_KEY = 'customs-graph.login';

// The sign-in link npm start prints carries its secret in the fragment, which no server sees:
// keep it for this tab and take it out of the address bar (and the history).
const loginFromLink = /(?:^#|&)login=([\w-]+)/.exec(window.location.hash)?.[1];
if (loginFromLink) {
  sessionStorage.setItem(LOGIN_KEY, loginFromLink);
  history.replaceState(null, '', window.location.pathname + window.location.search);
}

const listeners = new Set<() => void>();
export const session = {
  token: (): string | null => sessionStorage.getItem(TOKEN_KEY),
  set(token: string | null): void {
    if (token) sessionStorage.setItem(TOKEN_KEY, token);
    else sessionStorage.removeItem(TOKEN_KEY);
    listeners.forEach((listener) => listener());
  },
  subscribe(listener: () => void): () => void {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
};

export function useToken(): string | null {
  return useSyncExternalStore(session.subscribe, session.token);
}

interface Claims {
  sub?: string;
  role?: string;
  member_state?: string;
  licence_type?: string;
  programme?: string;
  exp?: number;
}

/** What the token says about its holder, for display only: the gateway is what verifies it. */
function claimsOf(token: string): Claims | undefined {
  try {
    const payload = token.split('.')[1] ?? '';
    return JSON.parse(atob(payload.replace(/-/g, '+').replace(/_/g, '/'))) as Claims;
  } catch {
    return undefined;
  }
}

interface DemoIdentity {
  name: string;
  description: string;
  role: string;
}

export const SignInBar: FC = () => {
  const token = useToken();
  const [identities, setIdentities] = useState<DemoIdentity[] | null>(null);
  const [pasted, setPasted] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const login = sessionStorage.getItem(LOGIN_KEY);

  useEffect(() => {
    // 404 when the platform has another issuer: then only pasted tokens work.
    fetch('/auth/demo-identities')
      .then((response) => (response.ok ? (response.json() as Promise<{ identities: DemoIdentity[] }>) : { identities: [] }))
      .then(({ identities: list }) => setIdentities(list))
      .catch(() => setIdentities([]));
  }, []);

  const pick = async (name: string): Promise<void> => {
    setProblem(null);
    const response = await fetch('/auth/demo-token', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-explorer-login': login ?? '' },
      body: JSON.stringify({ identity: name }),
    });
    const body = (await response.json()) as { token?: string; error?: string };
    if (body.token) session.set(body.token);
    else setProblem(body.error ?? `the gateway answered HTTP ${response.status}`);
  };

  const usePasted = (event: FormEvent): void => {
    event.preventDefault();
    const token = pasted.trim().replace(/^Bearer\s+/i, '');
    if (!claimsOf(token)) return setProblem('that is not a JWT: three base64url parts separated by dots');
    setProblem(null);
    setPasted('');
    session.set(token);
  };

  if (token) {
    const claims = claimsOf(token);
    const scope = [claims?.member_state, claims?.licence_type, claims?.programme].filter(Boolean).join(' · ');
    const expires = claims?.exp ? new Date(claims.exp * 1000).toLocaleTimeString() : 'unknown';
    return (
      <div className="explorer-identity" data-signed-in={claims?.role ?? ''}>
        Signed in as <strong>{claims?.sub ?? 'unknown'}</strong> · {claims?.role ?? 'no role'}
        {scope && ` · ${scope}`} · until {expires}
        <button type="button" onClick={() => session.set(null)}>
          Sign out
        </button>
      </div>
    );
  }
  return (
    <div className="explorer-identity explorer-sign-in" data-signed-in="">
      <form onSubmit={usePasted}>
        <label>
          Sign in: paste a bearer token{' '}
          <input value={pasted} onChange={(event) => setPasted(event.target.value)} placeholder="eyJhbGciOi…" aria-label="Bearer token" />
        </label>
        <button type="submit">Use token</button>
      </form>
      {identities && identities.length > 0 && (
        <div className="explorer-demo-identities">
          {login ? 'or act as a demo identity:' : 'Demo identities need the sign-in link npm start printed (…/#login=…).'}
          {login &&
            identities.map((identity) => (
              <button key={identity.name} type="button" title={identity.description} data-identity={identity.name} onClick={() => void pick(identity.name)}>
                {identity.name}
              </button>
            ))}
        </div>
      )}
      {problem && <div className="explorer-sign-in-problem">{problem}</div>}
    </div>
  );
};
