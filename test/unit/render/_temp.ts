/** Test helper: write inline YAML to a fresh temp dir (removed after each file's tests). */
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, expect} from 'vitest'
import type {LoadedTemplate} from '../../../src/load/loaded-template.js'
import {loadGuestTemplate} from '../../../src/render/template-file.js'

export function tempDir(): (name: string, text: string) => string {
  const dir = mkdtempSync(join(tmpdir(), 'hvguest-test-'))
  afterAll(() => rmSync(dir, {recursive: true, force: true}))
  return (name, text) => {
    const file = join(dir, name)
    writeFileSync(file, text)
    return file
  }
}

/** A guest template around a `spec` (and optional `parameters`) block, both given as indented YAML. */
export function guestTemplate(spec: string, parameters = ''): string {
  return [
    'apiVersion: hvguest/v1',
    'kind: GuestTemplate',
    'metadata:',
    '  name: lab',
    ...(parameters ? ['parameters:', parameters.replace(/\n$/, '')] : []),
    'spec:',
    spec.replace(/\n$/, ''),
    '',
  ].join('\n')
}

/** A loader of inline template texts (each written to the temp dir under a new name) that expects no diagnostics. */
export function templateLoader(): (text: string) => LoadedTemplate {
  const write = tempDir()
  let n = 0
  return (text) => {
    const r = loadGuestTemplate(write(`t${n++}.yaml`, text))
    expect(r.diagnostics).toEqual([])
    return r.template!
  }
}

/** The host context the render tests plan for. */
export const RENDER_HOST = {name: 'hv1', os: 'windows-server-2022', vmRoot: 'D:\\VMs', imageRoot: 'E:\\img', isoRoot: 'E:\\iso', cluster: null, transport: 'local'}
