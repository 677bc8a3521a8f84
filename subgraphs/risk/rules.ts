// Targeting rules that analysts write: Priority Control Areas, Risk Information Forms, financial
// risk criteria. A rule is criteria, a validity period and an action; this file validates them
// and decides whether a filing matches.
import { memberStateOf } from '../kit/auth/rows';
import { badUserInput } from '../kit/errors';
import { checkCountryCode, checkUnLocode } from '../kit/identifiers';
import { requireDate, requireNumber, requireOfficeCode, requireOneOf, requirePattern, requireText, requireValid } from '../kit/input';
import type { FilingFeatures, ItemFeatures } from './model/features';
import { valuePerKg } from './model/fair-price';
import type { Lane, Reason } from './reasons';

export const RULE_KINDS = ['PRIORITY_CONTROL_AREA', 'RISK_INFORMATION_FORM', 'FINANCIAL_RISK_CRITERION', 'LOCAL'] as const;
export type RuleKind = (typeof RULE_KINDS)[number];
export const TRANSPORT_MODES = ['SEA', 'RAIL', 'ROAD', 'AIR', 'POSTAL', 'FIXED_INSTALLATION', 'INLAND_WATERWAY', 'OWN_PROPULSION', 'UNKNOWN'] as const;
const RULE_LANES = ['GREEN', 'YELLOW', 'RED'] as const;
export const MAX_RULE_WEIGHT = 5;

export interface RuleCriteria {
  commodityCodePrefixes: string[];
  originCountries: string[];
  placesOfLoading: string[];
  placesOfUnloading: string[];
  operators: string[];
  offices: string[];
  transportModes: string[];
  valuePerKgBelow: number | null;
  valuePerKgAbove: number | null;
}

/** What a rule says, without its history: the part a create or change sets. */
export interface RuleContent {
  reference: string;
  kind: RuleKind;
  description: string;
  criteria: RuleCriteria;
  weight: number;
  minimumLane: Lane | null;
  validFrom: string;
  validUntil: string | null;
}

export interface RuleDoc extends Omit<RuleContent, 'reference'> {
  /** The reference. */
  _id: string;
  /** The Member State whose filings the rule applies to; null (or absent, in rules written before) for EU-wide. */
  memberState?: string | null;
  status: 'ACTIVE' | 'RETIRED';
  revision: number;
  createdBy: string;
  createdAt: string;
  changedBy: string;
  changedAt: string;
  retiredBy: string | null;
  retiredAt: string | null;
  /** The RIF or crisis alert the rule was made from (risk-information.ts); absent on other rules. */
  riskInformationForm?: string | null;
  crisisAlert?: string | null;
}

/** What a rule made from shared risk information points back to. */
export type RuleLink = Pick<RuleDoc, 'riskInformationForm' | 'crisisAlert'>;

type Input = Record<string, unknown>;

/** A rule's reference: 3 to 40 capital letters, digits, dots, slashes or hyphens. */
export function requireRuleReference(value: unknown, field = 'reference'): string {
  return requirePattern(field, value, /^[A-Z0-9][A-Z0-9._/-]{2,39}$/, '3 to 40 capital letters, digits, dots, slashes or hyphens');
}

export function validateRuleContent(input: Input): RuleContent {
  const reference = requireRuleReference(input.reference);
  const criteria = validateCriteria((input.criteria ?? {}) as Input);
  const weight =
    input.weight === undefined || input.weight === null ? 0 : requireNumber('weight', input.weight, { min: -MAX_RULE_WEIGHT, max: MAX_RULE_WEIGHT });
  const minimumLane = input.minimumLane === undefined || input.minimumLane === null ? null : requireOneOf('minimumLane', input.minimumLane, RULE_LANES);
  if (weight === 0 && minimumLane === null) throw badUserInput('weight', 'a rule needs a non-zero weight, a minimum lane, or both');
  const validFrom = requireDate('validFrom', input.validFrom);
  const validUntil = input.validUntil === undefined || input.validUntil === null ? null : requireDate('validUntil', input.validUntil);
  if (validUntil !== null && validUntil < validFrom) throw badUserInput('validUntil', `must not be before validFrom (${validFrom})`);
  return {
    reference,
    kind: requireOneOf('kind', input.kind, RULE_KINDS),
    description: requireText('description', input.description, 500),
    criteria,
    weight,
    minimumLane,
    validFrom,
    validUntil,
  };
}

/** A list criterion of `input` at `path`: each value checked, duplicates dropped, sorted; empty when left out. */
export function criterionList(input: Input, field: string, path: string, check: (value: string, at: string) => string): string[] {
  const values = input[field];
  if (values === undefined || values === null) return [];
  if (!Array.isArray(values)) throw badUserInput(`${path}.${field}`, 'must be a list');
  if (values.length > 200) throw badUserInput(`${path}.${field}`, 'at most 200 values');
  return [...new Set(values.map((value, index) => check(String(value), `${path}.${field}[${index}]`)))].sort();
}

/** A bound criterion of `input` at `path` (value per kg, mass): above 0, or null when left out. */
export function criterionAmount(input: Input, field: string, path: string): number | null {
  return input[field] === undefined || input[field] === null ? null : requireNumber(`${path}.${field}`, input[field], { min: Number.MIN_VALUE });
}

/** The checks of the criteria rules and risk information share. */
export const CRITERION_CHECKS = {
  commodityCodePrefix: (value: string, at: string) => requirePattern(at, value, /^\d{2,10}$/, 'the start of a commodity code, 2 to 10 digits'),
  country: (value: string, at: string) => requireValid(at, checkCountryCode(value)),
  unLocode: (value: string, at: string) => requireValid(at, checkUnLocode(value)),
  operator: (value: string, at: string) =>
    requirePattern(at, value, /^[A-Z0-9][A-Z0-9-]{1,34}$/, 'an EORI or identification number (capital letters, digits, hyphens)'),
};

function validateCriteria(input: Input): RuleCriteria {
  const list = (field: string, check: (value: string, at: string) => string) => criterionList(input, field, 'criteria', check);
  const criteria: RuleCriteria = {
    commodityCodePrefixes: list('commodityCodePrefixes', CRITERION_CHECKS.commodityCodePrefix),
    originCountries: list('originCountries', CRITERION_CHECKS.country),
    placesOfLoading: list('placesOfLoading', CRITERION_CHECKS.unLocode),
    placesOfUnloading: list('placesOfUnloading', CRITERION_CHECKS.unLocode),
    operators: list('operators', CRITERION_CHECKS.operator),
    offices: list('offices', (value, path) => requireOfficeCode(path, value)),
    transportModes: list('transportModes', (value, path) => requireOneOf(path, value, TRANSPORT_MODES)),
    valuePerKgBelow: criterionAmount(input, 'valuePerKgBelow', 'criteria'),
    valuePerKgAbove: criterionAmount(input, 'valuePerKgAbove', 'criteria'),
  };
  const given = Object.values(criteria).some((value) => (Array.isArray(value) ? value.length > 0 : value !== null));
  if (!given) throw badUserInput('criteria', 'a rule needs at least one criterion; a rule on everything is a capacity setting, not a rule');
  if (criteria.valuePerKgBelow !== null && criteria.valuePerKgAbove !== null && criteria.valuePerKgAbove >= criteria.valuePerKgBelow) {
    // Both bounds together describe a window; a window that excludes everything is a mistake.
    throw badUserInput('criteria.valuePerKgAbove', `must be below valuePerKgBelow (${criteria.valuePerKgBelow}) when both are given`);
  }
  return criteria;
}

/** Whether a rule is in force on a date (the filing's acceptance or arrival date). */
export function inForce(rule: Pick<RuleDoc, 'status' | 'validFrom' | 'validUntil'>, date: string): boolean {
  return rule.status === 'ACTIVE' && rule.validFrom <= date && (rule.validUntil === null || date <= rule.validUntil);
}

export interface RuleMatch {
  /** The items that met the item criteria; empty for a rule with filing criteria only. */
  items: number[];
  /** The criteria that matched, for the evidence. */
  detail: string;
}

/**
 * Every criterion given must hold: the filing-level ones (operator, office, mode, places) on the
 * filing, the item-level ones (commodity, origin, value per kg) together on at least one item.
 */
export function matchRule(rule: Pick<RuleDoc, 'criteria' | 'status' | 'validFrom' | 'validUntil' | 'memberState'>, features: FilingFeatures): RuleMatch | null {
  if (!inForce(rule, features.date)) return null;
  // A Member State's rule applies to the filings lodged there; an EU-wide rule to every filing.
  if (rule.memberState && memberStateOf(features.office) !== rule.memberState) return null;
  const c = rule.criteria;
  const detail: string[] = [];
  const anyOf = (name: string, wanted: readonly string[], actual: readonly (string | null)[]): boolean => {
    if (wanted.length === 0) return true;
    const hit = actual.find((value) => value !== null && wanted.includes(value));
    if (hit) detail.push(`${name} ${hit}`);
    return hit !== undefined;
  };
  const places = (side: 0 | 1) => features.routes.map((route) => route.split('-')[side] ?? null);
  const filingMatches =
    anyOf('operator', c.operators, [features.importer, features.declarant, features.seller]) &&
    anyOf('office', c.offices, [features.office]) &&
    anyOf('transport mode', c.transportModes, [features.transportMode]) &&
    anyOf('place of loading', c.placesOfLoading, places(0)) &&
    anyOf('place of unloading', c.placesOfUnloading, places(1));
  if (!filingMatches) return null;

  const itemCriteria = c.commodityCodePrefixes.length > 0 || c.originCountries.length > 0 || c.valuePerKgBelow !== null || c.valuePerKgAbove !== null;
  if (!itemCriteria) return { items: [], detail: detail.join(', ') };
  const matching = features.items.filter((item) => itemMatches(c, item));
  if (matching.length === 0) return null;
  const first = matching[0]!;
  const itemDetail = [
    c.commodityCodePrefixes.length > 0 ? `commodity ${first.commodityCode}` : null,
    c.originCountries.length > 0 ? `origin ${first.originCountry}` : null,
    c.valuePerKgBelow !== null || c.valuePerKgAbove !== null ? `value ${valuePerKg(first)?.toFixed(2)} EUR/kg` : null,
  ].filter(Boolean);
  return { items: matching.map((item) => item.itemNumber), detail: [...detail, ...itemDetail].join(', ') };
}

function itemMatches(c: RuleCriteria, item: ItemFeatures): boolean {
  if (c.commodityCodePrefixes.length > 0 && !c.commodityCodePrefixes.some((prefix) => item.commodityCode?.startsWith(prefix))) return false;
  if (c.originCountries.length > 0 && !(item.originCountry && c.originCountries.includes(item.originCountry))) return false;
  if (c.valuePerKgBelow !== null || c.valuePerKgAbove !== null) {
    const value = valuePerKg(item);
    if (value === null) return false;
    if (c.valuePerKgBelow !== null && !(value < c.valuePerKgBelow)) return false;
    if (c.valuePerKgAbove !== null && !(value > c.valuePerKgAbove)) return false;
  }
  return true;
}

export function ruleReason(rule: Pick<RuleDoc, '_id' | 'kind' | 'description' | 'weight' | 'revision'>, match: RuleMatch): Reason {
  return {
    code: 'RULE',
    description: `${rule.kind.toLowerCase().replace(/_/g, ' ')}: ${rule.description}`,
    weight: rule.weight,
    evidence: {
      source: 'TARGETING_RULE',
      reference: rule._id,
      detail: `revision ${rule.revision}; matched ${match.detail}${match.items.length > 0 ? ` (item${match.items.length > 1 ? 's' : ''} ${match.items.join(', ')})` : ''}`,
    },
  };
}
