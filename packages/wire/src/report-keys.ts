/**
 * Rules for every name and key a report carries (model, version, feature names, category keys,
 * backend names, class keys), shared by the device and the collector so both refuse the same things.
 */

/** Longest accepted name or key, in UTF-16 code units. */
export const MAX_KEY_LENGTH = 128;

/**
 * Names that resolve to members of Object.prototype on a plain object. Code that builds objects
 * from report keys would read functions instead of counts (`{}['toString'] + 1`), so they are
 * refused everywhere, even where the collector itself only uses Maps.
 */
export const RESERVED_KEYS: ReadonlySet<string> = new Set([
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'toLocaleString',
  'valueOf',
  'hasOwnProperty',
  'isPrototypeOf',
  'propertyIsEnumerable',
  '__defineGetter__',
  '__defineSetter__',
  '__lookupGetter__',
  '__lookupSetter__',
]);

// Letters, marks, numbers, punctuation, symbols and spaces: no control or format characters (NUL
// among them), no line breaks, no unpaired surrogates (with /u a lone surrogate is a code point of
// category Cs, which none of these classes includes).
const ALLOWED = /^[\p{L}\p{M}\p{N}\p{P}\p{S}\p{Zs}]+$/u;

/** Why `key` is not an acceptable report key, or undefined when it is. */
export function keyProblem(key: string): string | undefined {
  if (key.length === 0) return 'must not be empty';
  if (key.length > MAX_KEY_LENGTH) return `must be at most ${MAX_KEY_LENGTH} characters (has ${key.length})`;
  if (!ALLOWED.test(key)) return 'may hold letters, digits, punctuation, symbols and spaces only (no control characters such as NUL, no unpaired surrogates)';
  if (RESERVED_KEYS.has(key)) return `"${key}" is reserved (a JavaScript prototype member name)`;
  return undefined;
}

/** True when `key` may be used as a name or key in a report. */
export const isValidKey = (key: string): boolean => keyProblem(key) === undefined;
