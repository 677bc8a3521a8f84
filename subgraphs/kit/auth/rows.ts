// Which rows a caller may see and change: by Member State (of an office, or of an operator's
// EORI), by licence family and issuing country, or by MRA programme. Fields are the schema's
// business (@requiresScopes); this decides rows, in every subgraph, from the caller's scope claims.
import { GraphQLError } from 'graphql';
import type { Caller } from './roles';

type Filter = Record<string, unknown>;

/** Matches no document: `$in` of nothing is valid everywhere and costs no scan on `_id`. A fresh one each time: queries may cast it in place. */
export function noRows(): Filter {
  return { _id: { $in: [] } };
}

/** The platform's own service and the Commission's analysts see every row of every Member State. */
export function seesAllRows(caller: Caller): boolean {
  return caller.role === 'service' || caller.role === 'commission-analyst';
}

/**
 * The Member State a customs office (NL000396) or an EORI (NL123456789) belongs to: its first two
 * letters. An AEO authorisation is issued by the Member State where the operator is established,
 * whose code prefixes its EORI, so an EORI's prefix is also its AEO issuing country.
 */
export function memberStateOf(code: string): string {
  return code.slice(0, 2);
}

/** The Member States of the parties in a party index ("IMPORTER:NL123") with one of these roles, sorted. */
export function statesOfParties(partyIndex: readonly string[], roles: readonly string[]): string[] {
  const states = new Set<string>();
  for (const entry of partyIndex) {
    const colon = entry.indexOf(':');
    if (roles.includes(entry.slice(0, colon))) states.add(memberStateOf(entry.slice(colon + 1)));
  }
  return [...states].sort();
}

/**
 * How a caller reaches filings (declarations, ENS, control results and their assessments):
 * all of them; those lodged at offices of one Member State (its officers and analysts); those of
 * operators established in one Member State (its AEO auditors); or none.
 */
export type FilingReach = { kind: 'all' } | { kind: 'office'; memberState: string } | { kind: 'operator'; memberState: string } | { kind: 'none' };

export function filingReach(caller: Caller): FilingReach {
  if (seesAllRows(caller)) return { kind: 'all' };
  const memberState = caller.memberState;
  if (!memberState) return { kind: 'none' };
  if (caller.role === 'customs-officer' || caller.role === 'risk-analyst') return { kind: 'office', memberState };
  if (caller.role === 'aeo-auditor') return { kind: 'operator', memberState };
  return { kind: 'none' };
}

/** The stored fields a filing collection derives for scoping: the office's Member State, and its operators'. */
export interface FilingScopeFields {
  memberState: string;
  operatorStates?: string;
}

/** The filter for "filings this caller may see", on the collection's derived fields (indexed equalities). */
export function filingFilter(reach: FilingReach, fields: FilingScopeFields): Filter {
  switch (reach.kind) {
    case 'all':
      return {};
    case 'office':
      return { [fields.memberState]: reach.memberState };
    case 'operator':
      return fields.operatorStates ? { [fields.operatorStates]: reach.memberState } : noRows();
    case 'none':
      return noRows();
  }
}

/** The same decision as filingFilter, on a document already read. */
export function filingVisible(reach: FilingReach, doc: { memberState?: string | null; operatorStates?: readonly string[] | null }): boolean {
  switch (reach.kind) {
    case 'all':
      return true;
    case 'office':
      return doc.memberState === reach.memberState;
    case 'operator':
      return Boolean(doc.operatorStates?.includes(reach.memberState));
    case 'none':
      return false;
  }
}

/** Matches an EORI field by its country prefix, as a range on the field's own index. */
export function eoriOfState(memberState: string): Filter {
  const next = memberState.slice(0, 1) + String.fromCharCode(memberState.charCodeAt(1) + 1);
  return { $gte: memberState, $lt: next };
}

/** A refused write: the row is outside the caller's scope. The message names the scope that is missing. */
export function forbidden(message: string, details: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'FORBIDDEN', ...details } });
}

/** "an aeo-auditor of DE", for messages. */
export function describeCaller(caller: Caller): string {
  const role = caller.role ?? 'caller';
  const article = /^[aeiou]/.test(role) ? 'an' : 'a';
  if (caller.role === 'licensing-authority') return `${article} ${role} for ${caller.licenceType ?? '?'} licences of ${caller.memberState ?? '?'}`;
  if (caller.programme) return `${article} ${role} of ${caller.programme}`;
  return caller.memberState ? `${article} ${role} of ${caller.memberState}` : `${article} ${role}`;
}

/**
 * Whether the caller may write rows that belong to this Member State (an authorisation issued by
 * it, an operator established in it): the service, or an official scoped to that Member State.
 */
export function mayWriteForState(caller: Caller, memberState: string): boolean {
  if (caller.role === 'service') return true;
  return caller.role !== 'commission-analyst' && caller.memberState === memberState && filingReach(caller).kind !== 'none';
}
