/**
 * How busy the rest of the machine was: CPU time used by every process except the benchmark,
 * its server process and workerd, from /proc/stat and /proc/<pid>/stat, in cores. The machine
 * is shared; a step during which others used much CPU should be rerun.
 */
import { readFileSync } from 'node:fs'

const TICKS_PER_SECOND = 100

/** Busy ticks of the whole machine (user, nice, system, irq, softirq, steal). */
function machineBusy(): number {
  const cpuLine = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? ''
  const [, user, nice, system, , , irq, softirq, steal] = cpuLine.trim().split(/\s+/).map(Number)
  return (user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0) + (steal ?? 0)
}

/** utime + stime of `pid` and its reaped children, in ticks (0 once it is gone). */
function processBusy(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? []
    return [11, 12, 13, 14].reduce((sum, i) => sum + Number(fields[i] ?? 0), 0)
  } catch {
    return 0
  }
}

export interface CpuMark {
  at: number
  machine: number
  ours: number
}

export class CpuMeter {
  readonly #ours: () => number[]

  /** `ours`: the pids that belong to the benchmark (read at each mark: the server restarts). */
  constructor(ours: () => number[]) {
    this.#ours = ours
  }

  mark(): CpuMark {
    const ours = this.#ours().reduce((sum, pid) => sum + processBusy(pid), 0)
    return { at: performance.now(), machine: machineBusy(), ours }
  }

  /** Cores the other processes used on average since `from`. */
  othersSince(from: CpuMark): number {
    const to = this.mark()
    const seconds = (to.at - from.at) / 1000
    if (seconds <= 0) return 0
    const others = to.machine - from.machine - (to.ours - from.ours)
    return Math.max(0, others / TICKS_PER_SECOND / seconds)
  }
}
