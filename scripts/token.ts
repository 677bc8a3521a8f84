// `npm run token -- --role aeo-auditor --member-state NL`: prints an identity token from the
// local issuer (whose key npm start keeps in the data directory), for curl and the explorer.
//
//   --as <demo identity>       one of the README's demo identities (officer-nl, auditor-nl, ...)
//   --role <role>              or any role, with what it is scoped to:
//   --member-state <CC>        customs-officer, risk-analyst, aeo-auditor, licensing-authority
//   --licence-type <family>    licensing-authority: CHED, DUAL_USE, CATCH_CERTIFICATE, CITES, FLEGT
//   --programme <code>         mra-partner: US-CTPAT, JP-AEO, ...
//   --subject <name>           who the token names (default: <role>-<scope>)
//   --expires <lifetime>       8h by default; 10m, 24h at most
import { parseArgs } from 'node:util';
import { DEMO_IDENTITIES, demoIdentity } from '../subgraphs/kit/auth/demo-identities';
import { callerFromClaims, InvalidCallerError } from '../subgraphs/kit/auth/roles';
import { trustFromEnv } from '../subgraphs/kit/auth/trust';
import { runTool } from './risk/services';

runTool(async () => {
  const { values } = parseArgs({
    options: {
      as: { type: 'string' },
      role: { type: 'string' },
      'member-state': { type: 'string' },
      'licence-type': { type: 'string' },
      programme: { type: 'string' },
      subject: { type: 'string' },
      expires: { type: 'string', default: '8h' },
    },
  });
  const trust = await trustFromEnv();
  if (!trust.localIssuer) throw new Error('npm run token signs with the local issuer, and AUTH_JWKS_URL or AUTH_JWKS_FILE names another: ask that issuer');
  let caller;
  if (values.as) {
    const identity = demoIdentity(values.as);
    if (!identity) throw new Error(`--as takes one of ${DEMO_IDENTITIES.map((each) => each.name).join(', ')}`);
    caller = identity.caller;
  } else {
    if (!values.role) throw new Error('say who the token is for: --as <demo identity>, or --role <role> with --member-state, --licence-type or --programme');
    const scope = [values['member-state'], values['licence-type'], values.programme].filter(Boolean).join('-');
    try {
      caller = callerFromClaims({
        sub: values.subject ?? [values.role, scope].filter(Boolean).join('-').toLowerCase(),
        role: values.role,
        member_state: values['member-state'],
        licence_type: values['licence-type'],
        programme: values.programme,
      });
    } catch (error) {
      throw error instanceof InvalidCallerError ? new Error(`${error.message} (--member-state, --licence-type, --programme)`) : error;
    }
  }
  const lifetime = /^(\d+)([smh])$/.exec(values.expires);
  const seconds = lifetime ? Number(lifetime[1]) * { s: 1, m: 60, h: 3600 }[lifetime[2] as 's' | 'm' | 'h'] : NaN;
  // The gateway refuses identity tokens older than a day (kit/auth/tokens.ts MAX_IDENTITY_TOKEN_AGE).
  if (!(seconds > 0 && seconds <= 24 * 3600)) throw new Error(`--expires takes a lifetime up to 24h, such as 10m or 8h, not ${values.expires}`);
  console.log(await trust.localIssuer.issue(caller, values.expires));
});
