/**
 * Runs async tasks one at a time in call order. Engines reject overlapping runs on one session
 * (ORT: "Session already started"), so every model funnels its runs through one of these.
 */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();
  private active = 0;
  private readonly release = () => void this.active--;

  push<T>(task: () => Promise<T>): Promise<T> {
    // Idle: start at once, instead of a microtask later (the common case for a model run now and then).
    let result: Promise<T>;
    if (this.active === 0) {
      try {
        result = task();
      } catch (error) {
        result = Promise.reject(error);
      }
    } else result = this.tail.then(task, task);
    this.active++;
    // The chain must never reject, or one failed task would poison every later one.
    this.tail = result.then(this.release, this.release);
    return result;
  }
}
