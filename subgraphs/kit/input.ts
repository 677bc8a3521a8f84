// Validation of input fields: each returns the clean value or throws BAD_USER_INPUT naming the field.
import { badUserInput } from './errors';
import { checkCountryCode, type Validation } from './identifiers';
import { isIsoDate } from './scalars';

export function requireValid(field: string, validation: Validation): string {
  if (!validation.valid) throw badUserInput(field, validation.reason);
  return validation.value;
}

/** Values come from GraphQL inputs and from parsed JSON lines alike, so they are checked as unknown. */
export function requireText(field: string, value: unknown, maxLength: number): string {
  if (typeof value !== 'string' || !value.trim()) throw badUserInput(field, 'must not be empty');
  const text = value.trim();
  if (text.length > maxLength) throw badUserInput(field, `is longer than ${maxLength} characters`);
  return text;
}

export function optionalText(field: string, value: unknown, maxLength: number): string | null {
  return value === undefined || value === null || value === '' ? null : requireText(field, value, maxLength);
}

export function requireDate(field: string, value: unknown): string {
  if (typeof value !== 'string' || !isIsoDate(value)) throw badUserInput(field, `must be a date written YYYY-MM-DD, not ${JSON.stringify(value)}`);
  return value;
}

export function requirePattern(field: string, value: unknown, regex: RegExp, description: string): string {
  if (typeof value !== 'string' || !regex.test(value)) throw badUserInput(field, `must be ${description}, not ${JSON.stringify(value)}`);
  return value;
}

export function requireOneOf<T extends string>(field: string, value: unknown, allowed: readonly T[]): T {
  if (typeof value !== 'string' || !allowed.includes(value as T))
    throw badUserInput(field, `must be one of ${allowed.join(', ')}, not ${JSON.stringify(value)}`);
  return value as T;
}

export function requireNumber(field: string, value: unknown, { min = 0, integer = false, max = Number.MAX_SAFE_INTEGER } = {}): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw badUserInput(field, 'must be a number');
  if (integer && !Number.isInteger(value)) throw badUserInput(field, 'must be a whole number');
  if (value < min || value > max) throw badUserInput(field, `must be from ${min} to ${max}, not ${value}`);
  return value;
}

/** Customs office reference number: country + 6 letters or digits (e.g. NL000396). */
export function requireOfficeCode(field: string, value: unknown): string {
  const code = requirePattern(field, value, /^[A-Z]{2}[A-Z0-9]{6}$/, 'a customs office code (country + 6 characters)');
  requireValid(field, checkCountryCode(code.slice(0, 2)));
  return code;
}
