/**
 * Process facts from /proc (Linux): the workerd process Miniflare started under the server
 * process, and its resident memory.
 */
import { readdirSync, readFileSync } from 'node:fs'

/** Parent pid and command name of `pid`, or undefined when it is gone. */
function stat(pid: number): { ppid: number; comm: string } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // pid (comm) state ppid …: comm may hold spaces or parentheses, so split at the last ')'
    const close = text.lastIndexOf(')')
    const comm = text.slice(text.indexOf('(') + 1, close)
    const ppid = Number(text.slice(close + 2).split(' ')[1])
    return { ppid, comm }
  } catch {
    return undefined
  }
}

/** Every descendant of `root` (pids), children before grandchildren. */
export function descendants(root: number): number[] {
  const children = new Map<number, number[]>()
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue
    const s = stat(Number(name))
    if (s) children.set(s.ppid, [...(children.get(s.ppid) ?? []), Number(name)])
  }
  const found: number[] = []
  const queue = [root]
  while (queue.length > 0) {
    const next = children.get(queue.shift() ?? -1) ?? []
    found.push(...next)
    queue.push(...next)
  }
  return found
}

/** Every workerd process below `root`. */
export const workerdsBelow = (root: number): number[] =>
  descendants(root).filter((pid) => stat(pid)?.comm === 'workerd')

/** The workerd process below `root` (the server process), or undefined. */
export const findWorkerd = (root: number): number | undefined => workerdsBelow(root)[0]

/** Resident set size of `pid` in KiB (VmRSS of /proc/<pid>/status). */
export function rssKb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const kb = Number(/^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1])
  if (!Number.isFinite(kb)) throw new Error(`no VmRSS for pid ${pid}`)
  return kb
}

/** Resident set size of `pid` in MiB. */
export const rssMb = (pid: number): number => rssKb(pid) / 1024
