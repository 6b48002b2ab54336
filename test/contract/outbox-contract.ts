import type { Outbox } from '@edgewise/uplink';
import type { Report } from '@edgewise/wire';
import { describe, expect, it } from 'vitest';

const report = (id: string, end: number): Report =>
  ({
    v: 1,
    id,
    model: 'm',
    modelVersion: '1.0.0',
    window: { start: end - 1000, end },
    counters: { runs: 3, errors: 0, rejected: 0, fallbacks: 0 },
  }) as unknown as Report;

export interface OutboxContractCase {
  /** A fresh, empty outbox. */
  make: () => Promise<Outbox>;
  /** Another outbox over the same storage (an app restart), when the outbox persists. */
  reopen?: (outbox: Outbox) => Promise<Outbox>;
  /** Writes a damaged entry beside the outbox's reports (a torn write, a foreign key), when storage can hold one. */
  damage?: (outbox: Outbox) => Promise<void>;
}

/** One suite every Outbox must pass: memory, file (Node/Electron), key-value (React Native's AsyncStorage). */
export function outboxContract(name: string, c: OutboxContractCase) {
  describe(`Outbox contract: ${name}`, () => {
    it('lists reports oldest window first, removes by id, and ignores unknown ids', async () => {
      const box = await c.make();
      await box.add(report('b', 2000));
      await box.add(report('a', 1000));
      await box.add(report('c', 3000));
      expect((await box.list()).map((r) => r.id)).toEqual(['a', 'b', 'c']);
      await box.remove('b');
      await box.remove('nope');
      expect((await box.list()).map((r) => r.id)).toEqual(['a', 'c']);
    });

    it('adding the same id twice keeps one report (a retried add is harmless)', async () => {
      const box = await c.make();
      await box.add(report('x', 1));
      await box.add(report('x', 1));
      expect(await box.list()).toHaveLength(1);
    });

    it('returns what was added, not a live reference', async () => {
      const box = await c.make();
      const r = report('y', 5);
      await box.add(r);
      (r as { model: string }).model = 'changed';
      expect((await box.list())[0]!.model).toBe('m');
    });

    if (c.damage) {
      it('drops a damaged entry and keeps every good report', async () => {
        const box = await c.make();
        await box.add(report('g1', 1));
        await c.damage!(box);
        await box.add(report('g2', 2));
        expect((await box.list()).map((r) => r.id)).toEqual(['g1', 'g2']);
        expect((await box.list()).map((r) => r.id)).toEqual(['g1', 'g2']);
      });
    }

    if (c.reopen) {
      it('keeps reports across a restart', async () => {
        const box = await c.make();
        await box.add(report('p', 10));
        const again = await c.reopen!(box);
        expect((await again.list()).map((r) => r.id)).toEqual(['p']);
      });
    }
  });
}
