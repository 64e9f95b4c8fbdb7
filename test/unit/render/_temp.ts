/** Test helper: write inline YAML to a fresh temp dir (removed after each file's tests). */
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll} from 'vitest'

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
