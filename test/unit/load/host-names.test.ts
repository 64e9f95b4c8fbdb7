/**
 * Inventory host names are computer names (DNS or NetBIOS): letters, digits and hyphens in dot-
 * separated labels of 1-63 characters, none starting with a hyphen, 253 characters at most. Anything
 * else is a `schema` error at the name's line and column (exit 2 through the CLI: test/e2e/emit.test.ts),
 * so a host name can never carry quotes, `#>` or a line break into a message or a script.
 */
import {describe, expect, it} from 'vitest'
import {stringify} from 'yaml'
import {formatDiagnostic} from '../../../src/model/diagnostic.js'
import {loadHostInventory} from '../../../src/load/load-files.js'
import {HOST_NAME_PATTERN} from '../../../src/model/schemas.js'
import {HOSTILE} from '../../fixtures/session/helpers.js'
import {tempDir} from '../render/_temp.js'

const write = tempDir()
let n = 0
/** An inventory with these host names (written with a YAML library: any string is a valid scalar). */
function inventory(...names: string[]): string {
  return write(`hosts-${n++}.yaml`, stringify({apiVersion: 'hvguest/v1', kind: 'HostInventory', hosts: names.map((name) => ({name, transport: 'local'}))}))
}

const GOOD = ['hv1', 'HV-EMU', 'localhost', 'hv1.lab.example.com', 'a', '10.0.0.5', 'x'.repeat(63), ['a'.repeat(63), 'b'.repeat(63), 'c'.repeat(63), 'd'.repeat(61)].join('.'), 'web-01']
const BAD: Record<string, string> = {
  'the emitted-script injection': 'hv1 #> Write-Output INJECTED <#',
  'block comment start': 'hv1<#',
  empty: '',
  space: 'hv 1',
  'leading hyphen': '-hv1',
  'leading hyphen in a label': 'hv1.-lab',
  'empty label': 'hv1..lab',
  'trailing dot': 'hv1.',
  underscore: 'hv_1',
  'label over 63': 'x'.repeat(64),
  'name over 253': ['a'.repeat(63), 'b'.repeat(63), 'c'.repeat(63), 'd'.repeat(62)].join('.'),
  'unicode quotes': '‘hv1’',
  'low quotes': '‚hv1‛ „hv1“',
  'command substitution': 'hv$(whoami)',
  backtick: 'hv`1',
  newline: 'hv1\nWrite-Output INJECTED',
  'non-ascii': 'hvü1',
}

describe('inventory host names', () => {
  it('computer names pass (the near misses of the bad ones included)', () => {
    for (const name of GOOD) {
      const r = loadHostInventory(inventory(name))
      expect(r.diagnostics, name).toEqual([])
      expect(r.inventory?.hosts[0].name).toBe(name)
    }
  })

  it('anything else is a schema error at the name, with file:line:column', () => {
    for (const [label, name] of Object.entries(BAD)) {
      const file = inventory('hv0', name)
      const r = loadHostInventory(file)
      expect(r.inventory, label).toBeUndefined()
      expect(r.diagnostics, label).toHaveLength(1)
      const d = r.diagnostics[0]
      expect(d.code, label).toBe('schema')
      expect(d.severity).toBe('error')
      expect(d.message, label).toMatch(/^hosts\[1\]\.name: a host name is a computer name: letters, digits and hyphens/)
      // the second host's name: line 6 (`  - name: ...`), column 11, however YAML wrote the value
      expect(d.source, label).toMatchObject({file, line: 6, column: 11})
      expect(formatDiagnostic(d), label).toMatch(/hosts-\d+\.yaml:6:11: error \[schema\] hosts\[1\]\.name: /)
      // one line, whatever the value held
      expect(formatDiagnostic(d).includes('\n'), label).toBe(false)
    }
  })

  it('every value of the hostile corpus is refused', () => {
    for (const h of HOSTILE) expect(HOST_NAME_PATTERN.test(h), JSON.stringify(h)).toBe(false)
    expect(loadHostInventory(inventory(...HOSTILE.map((h, i) => `${h}${i}`))).diagnostics.map((d) => d.source?.line)).toHaveLength(HOSTILE.length)
  })
})
