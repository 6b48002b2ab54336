import { describe, expect, it } from 'vitest';
import { SerialQueue } from './serial-queue.js';

const tick = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

describe('SerialQueue', () => {
  it('starts a task at once when idle, also after earlier tasks have finished', async () => {
    const queue = new SerialQueue();
    for (let round = 0; round < 3; round++) {
      let started = false;
      const done = queue.push(async () => {
        started = true;
        return round;
      });
      // Synchronously: a model run now and then must not wait a microtask for an empty queue.
      expect(started, `round ${round}`).toBe(true);
      await expect(done).resolves.toBe(round);
      await tick(); // the queue's own bookkeeping settles
    }
  });

  it('runs overlapping tasks one at a time in call order', async () => {
    const queue = new SerialQueue();
    const log: string[] = [];
    let running = 0;
    const task = (name: string) => async () => {
      running++;
      expect(running).toBe(1);
      log.push(`${name} start`);
      await tick();
      log.push(`${name} end`);
      running--;
      return name;
    };
    const results = await Promise.all([queue.push(task('a')), queue.push(task('b')), queue.push(task('c'))]);
    expect(results).toEqual(['a', 'b', 'c']);
    expect(log).toEqual(['a start', 'a end', 'b start', 'b end', 'c start', 'c end']);
  });

  it('does not let a failed task, thrown or rejected, poison later ones', async () => {
    const queue = new SerialQueue();
    const thrown = queue.push(() => {
      throw new Error('thrown synchronously');
    });
    const rejected = queue.push(async () => Promise.reject(new Error('rejected')));
    const after = queue.push(async () => 'still runs');
    await expect(thrown).rejects.toThrow('thrown synchronously');
    await expect(rejected).rejects.toThrow('rejected');
    await expect(after).resolves.toBe('still runs');
    await tick();
    let started = false;
    void queue.push(async () => void (started = true));
    expect(started).toBe(true);
  });
});
