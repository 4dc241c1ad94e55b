/**
 * Test data builders: a valid value with every field filled, overridden per test, so a test
 * shows only what matters to it.
 */

import type { Form } from '../../src/protocol/form.ts'
import type {
  CancelInput,
  Instance,
  RegisterInput,
  RenewInput,
  SetInput,
  StoredInstance,
} from '../../src/registry/model.ts'
import type { RegistryOptions } from '../../src/registry/registry.ts'

/** The upstream constants (docs/protocol.md). */
export const REGISTRY_OPTIONS: RegistryOptions = {
  evictAfterMs: 90_000,
  renewIntervalMs: 30_000,
  selfPreservation: true,
  maxSilenceMs: 3_600_000,
  maxInstances: 50_000,
  maxSkewMs: 60_000,
  maxMetadataBytes: 8 * 1024,
  maxBytes: Number.POSITIVE_INFINITY,
  sizeOf: () => 0,
}

export function aRegistryOptions(overrides: Partial<RegistryOptions> = {}): RegistryOptions {
  return { ...REGISTRY_OPTIONS, ...overrides }
}

export function aRegisterInput(overrides: Partial<RegisterInput> = {}): RegisterInput {
  return {
    appid: 'demo.a',
    env: 'dev',
    zone: 'sh001',
    hostname: 'h1',
    region: 'sh',
    addrs: ['grpc://10.0.0.1:9000'],
    version: 'v1',
    metadata: null,
    status: 1,
    dirtyTimestamp: 0n,
    ...overrides,
  }
}

export function aRenewInput(overrides: Partial<RenewInput> = {}): RenewInput {
  return {
    appid: 'demo.a',
    env: 'dev',
    zone: 'sh001',
    hostname: 'h1',
    replication: false,
    dirtyTimestamp: 0n,
    ...overrides,
  }
}

export function aCancelInput(overrides: Partial<CancelInput> = {}): CancelInput {
  return {
    appid: 'demo.a',
    env: 'dev',
    zone: 'sh001',
    hostname: 'h1',
    latestTimestamp: 0n,
    ...overrides,
  }
}

export function aSetInput(overrides: Partial<SetInput> = {}): SetInput {
  return {
    appid: 'demo.a',
    env: 'dev',
    zone: 'sh001',
    hostnames: ['h1'],
    statuses: [],
    metadata: [],
    setTimestamp: 0n,
    ...overrides,
  }
}

/** The five timestamps of an instance, all set to `at`. */
export function timestampsAt(
  at: bigint
): Pick<
  Instance,
  'regTimestamp' | 'upTimestamp' | 'renewTimestamp' | 'dirtyTimestamp' | 'latestTimestamp'
> {
  return {
    regTimestamp: at,
    upTimestamp: at,
    renewTimestamp: at,
    dirtyTimestamp: at,
    latestTimestamp: at,
  }
}

export function anInstance(overrides: Partial<Instance> = {}): Instance {
  return {
    region: 'sh',
    zone: 'sh001',
    env: 'dev',
    appid: 'demo.a',
    hostname: 'h1',
    addrs: ['grpc://10.0.0.1:9000'],
    version: 'v1',
    metadata: null,
    status: 1,
    ...timestampsAt(1_700_000_000_000_000_000n),
    ...overrides,
  }
}

export function aStoredInstance(
  persistedRenewMs: number,
  overrides: Partial<Instance> = {}
): StoredInstance {
  return { instance: anInstance(overrides), persistedRenewMs }
}

/** A decoded form from name/value pairs, repeated names kept in order. */
export function aForm(pairs: Record<string, string | string[]>): Form {
  const form: Form = new Map()
  for (const [name, value] of Object.entries(pairs))
    form.set(name, Array.isArray(value) ? value : [value])
  return form
}

type FormPairs = Record<string, string | string[] | undefined>

/** `base` with `overrides` applied; an override of `undefined` removes that parameter. */
function formOf(base: Record<string, string | string[]>, overrides: FormPairs): Form {
  const pairs: Record<string, string | string[]> = {}
  for (const [name, value] of Object.entries({ ...base, ...overrides }))
    if (value !== undefined) pairs[name] = value
  return aForm(pairs)
}

const INSTANCE_KEY = { appid: 'demo.a', env: 'dev', zone: 'sh001', hostname: 'h1' }

/** A valid register form (what the Go SDK sends), with overrides. */
export const aRegisterForm = (overrides: FormPairs = {}): Form =>
  formOf(
    { ...INSTANCE_KEY, region: 'sh', status: '1', addrs: 'grpc://10.0.0.1:9000', version: 'v1' },
    overrides
  )

export const aRenewForm = (overrides: FormPairs = {}): Form => formOf(INSTANCE_KEY, overrides)

export const aCancelForm = (overrides: FormPairs = {}): Form => formOf(INSTANCE_KEY, overrides)

export const aSetForm = (overrides: FormPairs = {}): Form =>
  formOf({ appid: 'demo.a', env: 'dev', zone: 'sh001', hostname: 'h1' }, overrides)

export const aFetchForm = (overrides: FormPairs = {}): Form =>
  formOf({ appid: 'demo.a', env: 'dev', status: '1' }, overrides)

export const aPollForm = (overrides: FormPairs = {}): Form =>
  formOf({ appid: 'demo.a', env: 'dev', hostname: 'c1', latest_timestamp: '0' }, overrides)
