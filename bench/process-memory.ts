/**
 * Peak memory of a browser, read from Linux /proc: every Chromium process this Node process started
 * (browser, renderers, GPU, utility — IndexedDB lives in the browser process, OPFS and the model in the
 * renderer). `reset()` sets each process's high-water mark (VmHWM) to its current RSS; `peak()` then
 * sums, over processes, how far each one's high-water mark rose above its RSS at the reset. Summing
 * per-process peaks bounds the peak of the sum from above, so the figure is conservative.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';

function children(): Map<number, number> {
  const parent = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      parent.set(Number(name), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // gone meanwhile
    }
  }
  return parent;
}

function descendants(root = process.pid): number[] {
  const parent = children();
  const isDescendant = (pid: number): boolean => {
    for (let p = parent.get(pid); p !== undefined && p > 1; p = parent.get(p)) if (p === root) return true;
    return false;
  };
  return [...parent.keys()].filter((pid) => isDescendant(pid) && /chrom/i.test(readComm(pid)));
}

const readComm = (pid: number) => {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8');
  } catch {
    return '';
  }
};

function statusKb(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

export function processMemory() {
  let base = new Map<number, number>();
  return {
    reset() {
      base = new Map(descendants().map((pid) => [pid, statusKb(pid, 'VmRSS')]));
      for (const pid of base.keys()) {
        try {
          writeFileSync(`/proc/${pid}/clear_refs`, '5');
        } catch {
          // not ours or gone: its peak then counts from its start
        }
      }
    },
    /** Bytes the peak rose above the reset, summed over processes (new processes count whole). */
    peak(): number {
      let kb = 0;
      for (const pid of descendants()) kb += Math.max(0, statusKb(pid, 'VmHWM') - (base.get(pid) ?? 0));
      return kb * 1024;
    },
  };
}
