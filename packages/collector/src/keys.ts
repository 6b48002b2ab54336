import { createHash } from 'node:crypto';
import type { AppKeys } from './config.js';

/**
 * What a key may do. ingest: devices post reports (write-only, it reads nothing back). read: the
 * dashboard and scrapers (models, drift, series, alerts, /metrics). admin: baselines, retention and
 * everything read may do. A read key cannot replace a baseline, so it cannot silence drift.
 */
export type Role = 'ingest' | 'read' | 'admin';

export const ROLES: readonly Role[] = ['ingest', 'read', 'admin'];

/** Roles whose keys are accepted where `role` is required (admin reads too; ingest only ingests). */
const GRANTS: Record<Role, readonly Role[]> = { ingest: ['ingest'], read: ['read', 'admin'], admin: ['admin'] };

/** Keys per role per app: two, so a new key can be deployed before the old one is withdrawn. */
export const MAX_KEYS_PER_ROLE = 2;

/** A key given as its hash instead of in plain text (what an operator may put in the environment). */
const HASHED = /^sha256-([0-9a-f]{64})$/;

/**
 * SHA-256 of a key, hex. A fast unsalted hash suffices here because the keys are high-entropy
 * random strings (≥ 128 bits when made by `edgewise-collector keygen` or `openssl rand`), not
 * passwords: no dictionary covers them, so a leaked hash table cannot be inverted by guessing,
 * and a salt or a slow KDF would only add cost on every request.
 */
export const hashKey = (key: string): string => createHash('sha256').update(key, 'utf8').digest('hex');

/** The hash of a configured key: `sha256-<hex>` is taken as already hashed, anything else is hashed. */
export const storedHash = (configured: string): string => HASHED.exec(configured)?.[1] ?? hashKey(configured);

export const keyList = (k: string | readonly string[] | undefined): readonly string[] => (k === undefined ? [] : typeof k === 'string' ? [k] : k);

export interface KeyHolder {
  app: string;
  role: Role;
}

/**
 * Every app's keys, held only as SHA-256 hashes: the plain keys from the configuration are hashed
 * once at start and not kept, so a heap dump or a debug endpoint leaks no usable key. Lookup is by
 * the hash of the presented key; a map lookup's timing says something about a hash, never about a key.
 */
export class KeyRing {
  private readonly byHash = new Map<string, KeyHolder>();

  constructor(apps: readonly AppKeys[]) {
    for (const a of apps) {
      const roles: Array<[Role, readonly string[]]> = [
        ['ingest', keyList(a.ingestKey)],
        ['read', keyList(a.readKey)],
        ['admin', keyList(a.adminKey)],
      ];
      for (const [role, keys] of roles) {
        if (keys.length > MAX_KEYS_PER_ROLE) throw new RangeError(`app "${a.app}": ${keys.length} ${role} keys; at most ${MAX_KEYS_PER_ROLE} per role (the current one and the next, while rotating)`);
        for (const key of keys) {
          if (key.length === 0) throw new RangeError(`app "${a.app}": an empty ${role} key`);
          const hash = storedHash(key);
          const taken = this.byHash.get(hash);
          if (taken) throw new RangeError(`app "${a.app}": a ${role} key is also the ${taken.role} key of app "${taken.app}"; every key must be distinct`);
          this.byHash.set(hash, { app: a.app, role });
        }
      }
    }
  }

  /** The app and role of a presented key, when that role is allowed where `required` is needed. */
  find(key: string, required: Role): KeyHolder | undefined {
    const holder = this.byHash.get(hashKey(key));
    return holder && GRANTS[required].includes(holder.role) ? holder : undefined;
  }

  /** The role a key has, whatever is required (to tell "wrong role" from "unknown key"). */
  roleOf(key: string): Role | undefined {
    return this.byHash.get(hashKey(key))?.role;
  }
}
