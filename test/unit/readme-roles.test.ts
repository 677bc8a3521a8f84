// The README's tables of roles and demo identities are the ones the code enforces and issues.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEMO_IDENTITIES } from '../../subgraphs/kit/auth/demo-identities';
import { ROLE_SCOPE_CLAIM, ROLE_SCOPES, ROLES } from '../../subgraphs/kit/auth/roles';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const rows = (header: string) => {
  const lines = readme.split('\n');
  const start = lines.indexOf(header);
  expect(start, `README has a table headed ${header}`).toBeGreaterThan(-1);
  const body: string[][] = [];
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith('|')) break;
    body.push(
      line
        .split('|')
        .slice(1, -1)
        .map((cell) => cell.trim()),
    );
  }
  return body;
};
const unquote = (cell: string) => cell.replace(/`/g, '');

describe('the README section "Who may see what"', () => {
  it('lists every role with what it is scoped to and the scopes it holds', () => {
    const table = rows('| role | scoped to | scopes |');
    expect(table.map(([role]) => unquote(role!))).toEqual([...ROLES]);
    for (const [role, scopedTo, scopes] of table) {
      const claim = ROLE_SCOPE_CLAIM[unquote(role!) as keyof typeof ROLE_SCOPES];
      expect(unquote(scopedTo!), role).toBe(unquote(role!) === 'licensing-authority' ? 'licence_type, member_state' : (claim ?? '—'));
      expect(unquote(scopes!).split(' '), role).toEqual([...ROLE_SCOPES[unquote(role!) as keyof typeof ROLE_SCOPES]]);
    }
  });

  it('lists every demo identity npm run token --as and the explorer offer', () => {
    const table = rows('| demo identity | role | scope | what it is for |');
    expect(table.map(([name, role]) => [unquote(name!), role])).toEqual(DEMO_IDENTITIES.map(({ name, caller }) => [name, caller.role]));
  });
});
