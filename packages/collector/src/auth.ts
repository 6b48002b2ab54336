import type { FastifyRequest } from 'fastify';
import { CollectorError, ForbiddenError, UnauthorizedError } from './errors.js';
import type { KeyHolder, KeyRing, Role } from './keys.js';

/** Query parameters that look like a key: refused outright, whether or not the key is valid. */
const KEY_PARAMS = ['key', 'api_key', 'apikey', 'token', 'access_token'];

const WHAT: Record<Role, string> = {
  ingest: 'posting reports needs the app\'s ingest key',
  read: 'reading needs the app\'s read key (or admin key)',
  admin: 'this needs the app\'s admin key (baselines, retention)',
};

/**
 * The key holder of a request, from `Authorization: Bearer <key>` only. A key in the URL is refused
 * with 400 even when it is valid: URLs land in access logs, proxies and browser history, so
 * accepting it once teaches clients to leak it.
 */
export function authenticate(request: FastifyRequest, keys: KeyRing, role: Role): KeyHolder {
  const query = (request.query ?? {}) as Record<string, unknown>;
  const inQuery = KEY_PARAMS.find((p) => Object.hasOwn(query, p));
  if (inQuery) {
    throw new CollectorError('E_KEY_IN_QUERY', `keys are accepted only in the Authorization header ("Authorization: Bearer <key>"), not in the URL ("?${inQuery}="): URLs end up in logs and browser history; withdraw a key that was sent this way`);
  }
  const header = request.headers.authorization;
  if (!header) throw new UnauthorizedError(`missing key: send "Authorization: Bearer <key>"; ${WHAT[role]}`);
  const match = /^Bearer +(\S+)\s*$/i.exec(header);
  if (!match) throw new UnauthorizedError('malformed Authorization header: expected "Bearer <key>"');
  const holder = keys.find(match[1]!, role);
  if (holder) return holder;
  const actual = keys.roleOf(match[1]!);
  if (actual) throw new ForbiddenError(`a ${actual} key may not do this: ${WHAT[role]}`);
  throw new UnauthorizedError(`unknown ${role} key: ${WHAT[role]} (Authorization: Bearer <key>)`);
}
