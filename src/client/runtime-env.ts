/**
 * Node-only defaults, reached lazily and guarded: `process.env` and `os.hostname()` are read
 * only when an option is left out, through `globalThis` (never an import), so this module loads
 * unchanged in browsers and Workers, where both simply come back undefined.
 */

interface NodeProcessLike {
  env?: Record<string, string | undefined>
  getBuiltinModule?: (id: string) => unknown
}

const nodeProcess = (): NodeProcessLike | undefined =>
  (globalThis as { process?: NodeProcessLike }).process

/** An environment variable, or undefined outside Node (or when reading it is not allowed). */
export function environmentVariable(name: string): string | undefined {
  try {
    const value = nodeProcess()?.env?.[name]
    return value === undefined || value.trim() === '' ? undefined : value.trim()
  } catch {
    return undefined // Deno without --allow-env throws here: treat as unset
  }
}

/**
 * The machine's hostname: `os.hostname()` on Node ≥ 20.16 (process.getBuiltinModule), else the
 * HOSTNAME variable; undefined in browsers and Workers.
 */
export function machineHostname(): string | undefined {
  try {
    const os = nodeProcess()?.getBuiltinModule?.('node:os') as
      | { hostname?: () => string }
      | undefined
    const name = os?.hostname?.()
    if (name) return name
  } catch {
    // no usable os module: fall back to the variable
  }
  return environmentVariable('HOSTNAME')
}
