import type { Fault, SessionCounts } from '@edgewise/core/testing';

let counter = 0;

/** Remote control of the fault injectors in a worker started from fault-worker.ts. */
export class FaultRemote {
  readonly name = `edgewise-faults-${Date.now()}-${counter++}`;
  private readonly channel = new BroadcastChannel(this.name);
  private seq = 0;
  /** Every Worker created for this remote (a fresh one after each relocation). */
  readonly workers: Worker[] = [];

  createWorker = (): Worker => {
    const worker = new Worker(new URL('./fault-worker.ts', import.meta.url), { type: 'module', name: this.name });
    this.workers.push(worker);
    return worker;
  };

  private send<T>(message: Record<string, unknown>): Promise<T> {
    const id = ++this.seq;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`fault worker did not answer ${JSON.stringify(message)}`)), 5000);
      const onMessage = ({ data }: MessageEvent<{ id: number; value: T }>) => {
        if (data.id !== id) return;
        clearTimeout(timer);
        this.channel.removeEventListener('message', onMessage);
        resolve(data.value);
      };
      this.channel.addEventListener('message', onMessage);
      this.channel.postMessage({ ...message, id });
    });
  }

  inject(fault: Fault, engine = 'onnx'): Promise<void> {
    return this.send({ cmd: 'inject', fault, engine });
  }
  clear(): Promise<void> {
    return this.send({ cmd: 'clear' });
  }
  sessions(engine = 'onnx'): Promise<SessionCounts> {
    return this.send({ cmd: 'sessions', engine });
  }
  destroyGpu(): Promise<void> {
    return this.send({ cmd: 'destroy-gpu' });
  }
  /** The worker closes itself: no error event, no answer ever again. */
  closeSilently(): Promise<void> {
    return this.send({ cmd: 'close' });
  }
  close(): void {
    this.channel.close();
  }
}
