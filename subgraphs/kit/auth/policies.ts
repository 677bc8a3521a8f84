// The named policies the schema's @policy asks for: predicates over a verified caller. A policy
// says something about whom the caller acts for, which scopes alone cannot (scopes say what).
import type { Caller } from './roles';

export const POLICIES = {
  /**
   * Acts for the whole Union: no Member State, licence family or programme confines the
   * caller (the Commission's analysts and the platform's own service).
   */
  'eu-wide': (caller: Caller) => caller.role !== undefined && !caller.memberState && !caller.licenceType && !caller.programme,
} satisfies Record<string, (caller: Caller) => boolean>;

export type PolicyName = keyof typeof POLICIES;

export function isPolicyName(name: string): name is PolicyName {
  return Object.hasOwn(POLICIES, name);
}

/** Unknown policies hold for nobody: a misspelt name in a schema closes the field instead of opening it. */
export function holdsPolicy(caller: Caller, name: string): boolean {
  return isPolicyName(name) && POLICIES[name](caller);
}
