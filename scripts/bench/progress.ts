/**
 * Progress on stderr while the benchmark runs: one line per step, `[i/n] label`, with a live
 * elapsed-time counter on a terminal, and the step's result, duration and the CPU other
 * processes used meanwhile (`others 0.1 cores`) when it ends.
 */
import type { CpuMeter } from './noise.ts'

const TICK_MS = 250
const SPINNER = ['|', '/', '-', '\\']

export class Progress {
  readonly #total: number
  readonly #meter: CpuMeter
  #done = 0
  readonly #tty = process.stderr.isTTY === true
  /** Cores other processes used during each measured step. */
  readonly others: number[] = []

  constructor(total: number, meter: CpuMeter) {
    this.#total = total
    this.#meter = meter
  }

  /**
   * Run one step, showing it while it runs; `show` turns its result into a short text.
   * `measured: false` for set-up steps (and restarts), left out of `others`.
   */
  async step<T>(
    label: string,
    run: () => Promise<T>,
    show: (result: T) => string = () => 'done',
    measured = true
  ): Promise<T> {
    this.#done += 1
    const mark = this.#meter.mark()
    const count = String(this.#done).padStart(String(this.#total).length)
    const head = `[${count}/${this.#total}] ${label}`
    const started = performance.now()
    const elapsed = () => `${((performance.now() - started) / 1000).toFixed(1)} s`
    let tick = 0
    const spin = () => {
      process.stderr.write(`\r${head} ${SPINNER[tick++ % SPINNER.length]} ${elapsed()}   `)
    }
    const timer = this.#tty ? setInterval(spin, TICK_MS) : undefined
    if (!this.#tty) process.stderr.write(`${head} …\n`)
    try {
      const result = await run()
      const others = measured ? this.#meter.othersSince(mark) : undefined
      if (others !== undefined) this.others.push(others)
      const noise = others === undefined ? '' : `, others ${others.toFixed(2)} cores`
      this.#line(`${head}: ${show(result)} (${elapsed()}${noise})`)
      return result
    } catch (error) {
      this.#line(`${head}: FAILED after ${elapsed()}`)
      throw error
    } finally {
      clearInterval(timer)
    }
  }

  /** Count a step that cannot run in this run, saying why. */
  skip(label: string, why: string): void {
    this.#done += 1
    const count = String(this.#done).padStart(String(this.#total).length)
    this.#line(`[${count}/${this.#total}] ${label}: skipped (${why})`)
  }

  #line(text: string): void {
    process.stderr.write(this.#tty ? `\r\x1b[K${text}\n` : `${text}\n`)
  }
}
