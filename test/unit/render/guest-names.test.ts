import {describe, expect, it} from 'vitest'
import {checkGuestName, expandGuestNames} from '../../../src/render/guest-names.js'

describe('expandGuestNames', () => {
  const context = {host: {name: 'hv1'}, env: 'lab'}
  it('renders --name per guest with index 1..N', () => {
    expect(expandGuestNames({name: 'web{{index}}', count: 3, defaultName: 't', context})).toEqual({names: ['web1', 'web2', 'web3'], diagnostics: []})
    expect(expandGuestNames({name: '{{env}}-{{pad index 2}}', count: 2, defaultName: 't', context}).names).toEqual(['lab-01', 'lab-02'])
  })
  it('numbers a plain name when count > 1, keeps it when count is 1', () => {
    expect(expandGuestNames({name: 'db', count: 3, defaultName: 't', context}).names).toEqual(['db-1', 'db-2', 'db-3'])
    expect(expandGuestNames({name: 'db', count: 1, defaultName: 't', context}).names).toEqual(['db'])
  })
  it("falls back to the template's name", () => {
    expect(expandGuestNames({count: 2, defaultName: 'ubuntu-lab', context}).names).toEqual(['ubuntu-lab-1', 'ubuntu-lab-2'])
  })
  it('reports an undefined variable once', () => {
    const r = expandGuestNames({name: 'web{{idx}}', count: 3, defaultName: 't', context})
    expect(r.names).toEqual([])
    expect(r.diagnostics).toHaveLength(1)
    expect(r.diagnostics[0]).toMatchObject({code: 'template-undefined-variable'})
    expect(r.diagnostics[0].message).toMatch(/^--name "web\{\{idx\}\}": "idx" is not defined/)
  })
  it('reports a syntax error', () => {
    expect(expandGuestNames({name: 'web{{index', count: 1, defaultName: 't', context}).diagnostics[0].code).toBe('template-syntax')
  })
})

describe('checkGuestName', () => {
  const msgs = (name: string, family: 'windows' | 'linux' = 'linux') => checkGuestName(name, family).map((d) => d.message)
  it('accepts valid names', () => {
    expect(checkGuestName('web-01', 'windows')).toEqual([])
    expect(checkGuestName('a'.repeat(63), 'linux')).toEqual([])
    expect(checkGuestName('FIFTEEN-CHARSXX', 'windows')).toEqual([])
  })
  it('limits a Windows guest to 15 characters (NetBIOS), not a Linux one', () => {
    expect(msgs('sixteen-chars-xx', 'windows')).toEqual([
      'guest name "sixteen-chars-xx" is 16 characters; a Windows computer name (NetBIOS) has at most 15',
    ])
    expect(msgs('sixteen-chars-xx', 'linux')).toEqual([])
  })
  it('rejects reserved Windows device names', () => {
    for (const name of ['CON', 'nul', 'COM1', 'lpt9']) expect(msgs(name)).toEqual([expect.stringMatching(/reserved Windows device name/)])
    expect(msgs('COM10')).toEqual([])
  })
  it('rejects all digits, edge hyphens and long names', () => {
    expect(msgs('12345')).toEqual(['guest name "12345" is all digits; a host name needs at least one letter or hyphen'])
    expect(msgs('-web')).toEqual([expect.stringMatching(/starts or ends with a hyphen/)])
    expect(msgs('web-')).toEqual([expect.stringMatching(/starts or ends with a hyphen/)])
    expect(msgs('a'.repeat(64))).toEqual([expect.stringMatching(/is 64 characters; a host name has at most 63/)])
  })
  it('names the characters a host name or a Windows file name cannot hold, one line per rule', () => {
    expect(msgs('web_01')).toEqual(['guest name "web_01" has the character "_": a host name holds only letters, digits and hyphens'])
    expect(msgs('a:b')).toEqual([
      'guest name "a:b" has the character ":": a host name holds only letters, digits and hyphens',
      'guest name "a:b" has the character ":", not allowed in a Windows file name',
    ])
    expect(msgs('web.')).toHaveLength(2) // "." is not a host-name character, and Windows drops a trailing dot
    expect(msgs('')).toEqual(['a guest name cannot be empty'])
  })
  it('carries the source it is given', () => {
    expect(checkGuestName('CON', 'linux', {file: 'x', line: 3})[0]).toMatchObject({code: 'name-invalid', source: {file: 'x', line: 3}})
  })
})
