import { describe, expect, it } from 'vitest'
import { DiscoveryConfigError } from '../../../src/client/errors.ts'
import { NodeList, nodesFromInfra, parseNode, parseNodes } from '../../../src/client/nodes.ts'
import { anInstance, infraInstances } from './fakes.ts'

/** A random source that keeps Fisher–Yates from swapping anything: the given order stays. */
const keepOrder = () => 0.999

describe('parseNode', () => {
  it('reads host:port as http and keeps URLs, their path prefix and scheme', () => {
    expect(parseNode('127.0.0.1:7171')).toEqual({
      url: 'http://127.0.0.1:7171',
      key: '127.0.0.1:7171',
    })
    expect(parseNode('https://d.example.com/')).toEqual({
      url: 'https://d.example.com',
      key: 'd.example.com:443',
    })
    expect(parseNode('http://[::1]:7171/t/abc')).toEqual({
      url: 'http://[::1]:7171/t/abc',
      key: '[::1]:7171',
    })
  })

  it('reads a bare host:443 as https, unless the scheme says http', () => {
    expect(parseNode('d.example.com:443')).toEqual({
      url: 'https://d.example.com',
      key: 'd.example.com:443',
    })
    expect(parseNode('http://d.example.com:443').url).toBe('http://d.example.com:443')
  })

  it('moves a token@ user part out of the URL', () => {
    expect(parseNode('s3cret@10.0.0.1:7171')).toEqual({
      url: 'http://10.0.0.1:7171',
      key: '10.0.0.1:7171',
      token: 's3cret',
    })
  })

  it('refuses what it cannot use', () => {
    expect(() => parseNode('ftp://x:1')).toThrow(DiscoveryConfigError)
    expect(() => parseNode('http://')).toThrow(DiscoveryConfigError)
  })

  it('splits comma-separated lists and drops empty entries', () => {
    expect(parseNodes('a:1, b:2,,').map((n) => n.key)).toEqual(['a:1', 'b:2'])
  })
})

describe('NodeList', () => {
  const seeds = parseNodes(['a:1', 'b:2', 'c:3'])

  it('moves to the next node after a failure and wraps around', () => {
    const list = new NodeList(seeds, keepOrder)
    expect(list.current().key).toBe('a:1')
    list.failed(list.current())
    expect(list.current().key).toBe('b:2')
    list.failed(list.current())
    list.failed(list.current())
    expect(list.current().key).toBe('a:1')
  })

  it('ignores a failure of a node that is no longer current (two callers failing at once)', () => {
    const list = new NodeList(seeds, keepOrder)
    const a = list.current()
    list.failed(a)
    list.failed(a)
    expect(list.current().key).toBe('b:2')
  })

  it('shuffles the seeds with the random source, so clients spread over nodes', () => {
    const firsts = new Set<string>()
    for (const r of [0, 0.34, 0.67, 0.999]) firsts.add(new NodeList(seeds, () => r).current().key)
    expect(firsts.size).toBeGreaterThan(1)
  })

  it('learns the registry list, keeps the current node when listed, and ignores empty or unchanged lists', () => {
    const list = new NodeList(parseNodes(['b:2']), keepOrder)
    expect(list.learn([])).toBe(false)
    expect(list.learn(parseNodes(['a:1', 'b:2']))).toBe(true)
    expect(list.current().key).toBe('b:2')
    expect(list.learn(parseNodes(['b:2', 'a:1']))).toBe(false)
    expect(list.nodes.map((n) => n.key).sort()).toEqual(['a:1', 'b:2'])
  })

  it('adds the seeds back when every known node has failed in a row', () => {
    const list = new NodeList(parseNodes(['seed:1', 'other:2']), keepOrder)
    list.learn(parseNodes(['learned:3']))
    expect(list.nodes.map((n) => n.key)).toEqual(['learned:3'])
    list.failed(list.current())
    expect(list.nodes.map((n) => n.key)).toEqual(['learned:3', 'seed:1', 'other:2'])
    expect(list.current().key).toBe('seed:1')
  })

  it('needs at least one seed', () => {
    expect(() => new NodeList([], Math.random)).toThrow(DiscoveryConfigError)
  })
})

describe('nodesFromInfra', () => {
  const seeds = parseNodes(['https://d.example.com/t/tok', '10.0.0.1:7171'])

  it('uses the nodes of the client zone, else every zone', () => {
    const infra = [
      ...infraInstances(['10.0.0.1:7171'], 'sh001'),
      ...infraInstances(['10.0.0.2:7171'], 'sh002'),
    ]
    expect(nodesFromInfra(infra, 'sh002', seeds).map((n) => n.key)).toEqual(['10.0.0.2:7171'])
    expect(nodesFromInfra(infra, 'sh009', seeds).map((n) => n.key)).toEqual([
      '10.0.0.1:7171',
      '10.0.0.2:7171',
    ])
  })

  it('keeps a seed form (https, path token) for a node the registry names by host', () => {
    const infra = [anInstance({ appid: 'infra.discovery', addrs: ['http://d.example.com'] })]
    expect(nodesFromInfra(infra, 'sh001', seeds)).toEqual([seeds[0]])
    const on443 = [
      anInstance({ appid: 'infra.discovery', addrs: ['http://other.example.com:443'] }),
    ]
    expect(nodesFromInfra(on443, 'sh001', seeds)[0]?.url).toBe('https://other.example.com')
  })

  it('skips addresses it must not switch to (http+token://, other schemes)', () => {
    const infra = [
      anInstance({
        appid: 'infra.discovery',
        addrs: ['http+token://10.0.0.9:7171', 'grpc://10.0.0.9:9000'],
      }),
    ]
    expect(nodesFromInfra(infra, 'sh001', seeds)).toEqual([])
  })
})
