/**
 * CPU seconds per process from /proc/<pid>/stat (utime + stime), for the
 * runner bench's "CPU ms per execution" breakdown. Wall-clock throughput on a
 * shared 2-core machine is noisy; CPU consumed per execution is not, and it
 * tells where to cut (1,000 executions/s on 2 cores = 2 ms of CPU per
 * execution across every process). Linux only.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second of /proc times (CLK_TCK; 100 on Linux x86-64/arm64). */
const TICKS = 100;

/** CPU seconds used so far by a process (all threads), or undefined once it is gone. */
export function processCpuSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command (which may hold spaces) start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15 of the full line: 12 and 13 after the command.
    return (Number(fields[11]) + Number(fields[12])) / TICKS;
  } catch {
    return undefined;
  }
}

/** Pids of the running processes whose command name (comm) is `name`. */
export function pidsNamed(name: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === name) pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

/**
 * Accumulates CPU per group of processes over a window. Groups whose members
 * come and go (database backends) are re-listed at every sample; a process
 * that exits between two samples loses at most one interval of its CPU.
 */
export interface CpuMeter {
  /** Reads every group now (call it on an interval while the window is open). */
  sample(): Promise<void>;
  /** CPU seconds per group since the meter was created. */
  totals(): Map<string, number>;
}

export type PidSource = () => number[] | Promise<number[]>;

export async function createCpuMeter(groups: Record<string, PidSource>): Promise<CpuMeter> {
  // Per group, per pid: [CPU at first sight, CPU at last sight].
  const seen = new Map<string, Map<number, [number, number]>>();
  let first = true;
  const sample = async () => {
    for (const [group, source] of Object.entries(groups)) {
      const pids = await source();
      const byPid = seen.get(group) ?? new Map<number, [number, number]>();
      seen.set(group, byPid);
      for (const pid of pids) {
        const cpu = processCpuSeconds(pid);
        if (cpu === undefined) continue;
        const known = byPid.get(pid);
        if (known) known[1] = cpu;
        // A process born inside the window counts from zero (its start-up is part of the cost).
        else byPid.set(pid, [first ? cpu : 0, cpu]);
      }
    }
    first = false;
  };
  await sample();
  return {
    sample,
    totals() {
      const result = new Map<string, number>();
      for (const [group, byPid] of seen) {
        let total = 0;
        for (const [first, last] of byPid.values()) total += last - first;
        result.set(group, total);
      }
      return result;
    },
  };
}
