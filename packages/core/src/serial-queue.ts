/**
 * Runs async tasks one at a time in call order. Engines reject overlapping runs on one session
 * (ORT: "Session already started"), so every model funnels its runs through one of these.
 */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();

  push<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task, task);
    // The chain must never reject, or one failed task would poison every later one.
    this.tail = result.catch(() => undefined);
    return result;
  }
}
