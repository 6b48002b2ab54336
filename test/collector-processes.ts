import { fork, spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const bin = fileURLToPath(new URL('../packages/collector/bin/collector.js', import.meta.url));

/** A collector in its own process (the `edgewise-collector` bin), as an operator would run it. */
export interface CollectorProcess {
  url: string;
  child: ChildProcess;
  /** Resolves with the exit code (or signal) once the process is gone. */
  exited: Promise<number | string | null>;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/**
 * Starts the collector bin with `env` on a free port and resolves once it listens. Its stderr is
 * passed through, so a crash says why.
 */
export async function spawnCollector(env: Record<string, string>): Promise<CollectorProcess> {
  // EDGEWISE_PROF=dir: each collector writes a V8 CPU profile there when it exits (SIGTERM).
  const child = spawn(process.execPath, [...(process.env.EDGEWISE_PROF ? ['--cpu-prof', '--cpu-prof-dir=' + process.env.EDGEWISE_PROF] : []), bin], { env: { ...process.env, PORT: '0', ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<number | string | null>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal)));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error('collector did not start in 60 s')), 60_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /edgewise collector on (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    void exited.then((code) => reject(new Error(`collector exited early (${code}): ${out}`)));
  });
  return {
    url,
    child,
    exited,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}

/** Forks a TypeScript module in its own Node process (tsx loader), with an IPC channel. */
export function forkTs(module: string, args: string[] = []): ChildProcess {
  return fork(module, args, { execArgv: ['--import', 'tsx', '--conditions=@edgewise/source'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
}
