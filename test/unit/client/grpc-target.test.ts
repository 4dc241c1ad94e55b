import { describe, expect, it } from 'vitest'
import { instanceAddress } from '../../../src/client/addrs.ts'
import { grpcAuthority, grpcEndpoints, parseGrpcTarget } from '../../../src/client/grpc-target.ts'
import { anInstance } from './fakes.ts'

describe('parseGrpcTarget', () => {
  it('reads the appid and the optional zone and cluster filter', () => {
    expect(parseGrpcTarget('demo.echo')).toEqual({ appid: 'demo.echo', clusters: [] })
    expect(parseGrpcTarget('/demo.echo?zone=sh002&cluster=c1&cluster=c2')).toEqual({
      appid: 'demo.echo',
      zone: 'sh002',
      clusters: ['c1', 'c2'],
    })
  })
})

describe('instanceAddress', () => {
  it('takes the host and port of the last address of the scheme', () => {
    const i = { addrs: ['grpc://10.0.0.1:9000', 'http://10.0.0.1:8000', 'grpc://10.0.0.2:9001'] }
    expect(instanceAddress(i)).toEqual({ host: '10.0.0.2', port: 9001 })
    expect(instanceAddress(i, 'http')).toEqual({ host: '10.0.0.1', port: 8000 })
    expect(instanceAddress({ addrs: ['grpc://[fe80::1]:9000/x'] })).toEqual({
      host: 'fe80::1',
      port: 9000,
    })
    expect(instanceAddress({ addrs: ['http://x:1'] })).toBeUndefined()
    expect(instanceAddress({ addrs: ['grpc://no-port'] })).toBeUndefined()
  })
})

describe('grpcEndpoints', () => {
  const a = anInstance({
    hostname: 'a',
    zone: 'sh001',
    addrs: ['grpc://10.0.0.1:9000'],
    metadata: { cluster: 'c1' },
  })
  const b = anInstance({
    hostname: 'b',
    zone: 'sh002',
    addrs: ['grpc://10.0.0.2:9000'],
    metadata: { cluster: 'c2' },
  })
  const httpOnly = anInstance({ hostname: 'h', zone: 'sh001', addrs: ['http://10.0.0.3:80'] })
  const waiting = anInstance({
    hostname: 'w',
    zone: 'sh001',
    addrs: ['grpc://10.0.0.4:9000'],
    status: 2,
  })

  it('uses the zone when it has instances, else every zone', () => {
    const snapshot = { instances: { sh001: [a, httpOnly, waiting], sh002: [b] } }
    expect(grpcEndpoints(snapshot, 'sh001')).toEqual([{ host: '10.0.0.1', port: 9000 }])
    expect(grpcEndpoints(snapshot, 'sh009')).toEqual([
      { host: '10.0.0.1', port: 9000 },
      { host: '10.0.0.2', port: 9000 },
    ])
  })

  it('filters by metadata.cluster and drops duplicates', () => {
    const twin = { ...a, hostname: 'a2' }
    expect(grpcEndpoints({ instances: { sh001: [a, twin], sh002: [b] } }, 'x', ['c2'])).toEqual([
      { host: '10.0.0.2', port: 9000 },
    ])
    expect(grpcEndpoints({ instances: { sh001: [a, twin] } }, 'sh001')).toHaveLength(1)
  })
})

describe('grpcAuthority', () => {
  it('is the appid when it is a valid host, else a fixed name grpc-js can put in a URL', () => {
    expect(grpcAuthority('demo.echo')).toBe('demo.echo')
    expect(grpcAuthority('main.arch_web-svc')).toBe('main.arch_web-svc')
    expect(grpcAuthority('demo.app.1')).toBe('discovery') // a numeric last label is read as IPv4
    expect(grpcAuthority('has space')).toBe('discovery')
  })
})
