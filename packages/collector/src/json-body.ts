import { ReportInvalidError } from './errors.js';

/**
 * JSON request bodies. JSON.parse makes "__proto__" an own property, but code that copies objects
 * by assignment (zod's records among it) would set a prototype with it, so it is refused here,
 * with the reason (fastify's own parser says only "not valid JSON").
 */
export function parseJsonBody(text: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ReportInvalidError(`body is not valid JSON: ${(error as Error).message}`);
  }
  // Cheap test first: a reviver slows parsing several-fold, and almost no body needs it (an
  // escaped key, "\u005f_proto__", is caught by the second test).
  if (text.includes('__proto__') || text.includes('\\u')) {
    JSON.parse(text, (key, v: unknown) => {
      if (key === '__proto__') throw new ReportInvalidError('body: the key "__proto__" is not allowed');
      return v;
    });
  }
  return value;
}
