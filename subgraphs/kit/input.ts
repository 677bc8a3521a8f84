// Validation of input fields: each returns the clean value or throws BAD_USER_INPUT naming the field.
import { badUserInput } from './errors';
import type { Validation } from './identifiers';
import { isIsoDate } from './scalars';

export function requireValid(field: string, validation: Validation): string {
  if (!validation.valid) throw badUserInput(field, validation.reason);
  return validation.value;
}

export function requireText(field: string, value: string, maxLength: number): string {
  const text = value.trim();
  if (!text) throw badUserInput(field, 'must not be empty');
  if (text.length > maxLength) throw badUserInput(field, `is longer than ${maxLength} characters`);
  return text;
}

export function requireDate(field: string, value: string): string {
  if (!isIsoDate(value)) throw badUserInput(field, `must be a date written YYYY-MM-DD, not "${value}"`);
  return value;
}
