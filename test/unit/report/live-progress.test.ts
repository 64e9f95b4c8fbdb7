/**
 * The progress of create and lab up (src/report/live-progress.ts): plain lines where there is no terminal, and the
 * live display (listr2) drawing every host and guest line on the stream it is given (stderr in
 * the command), never on stdout.
 */
import {Writable} from 'node:stream'
import {describe, expect, it, vi} from 'vitest'
import {liveProgress} from '../../../src/report/live-progress.js'

const stripAnsi = (s: string) => s.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '')

describe('lab up progress', () => {
  it('without a terminal: the plain progress lines, one per event', async () => {
    const lines: string[] = []
    const p = await liveProgress((l) => lines.push(l), {live: false})
    p.onEvent({type: 'host', host: 'hv1', message: 'connecting (emulator)'})
    p.onEvent({type: 'work', hosts: ['hv1'], guests: [{host: 'hv1', guest: 'web1'}], hostWork: 'networks, record and commit'})
    p.onEvent({type: 'step', host: 'hv1', guest: 'web1', step: 'new-vm', detail: 'web1'})
    p.onEvent({type: 'guest', host: 'hv1', guest: 'web1', status: 'created'})
    await p.stop()
    expect(lines.map((l) => l.replace(/^\s*[\d.]+s\s+/, ''))).toEqual(['hv1: connecting (emulator)', 'hv1/web1: new-vm web1', 'hv1/web1: created'])
  })

  it('live: a line per host and guest on the given stream, each finished when its guest is, and nothing on stdout', async () => {
    let drawn = ''
    const stream = Object.assign(
      new Writable({
        write(chunk, _enc, done) {
          drawn += String(chunk)
          done()
        },
      }),
      {isTTY: false, columns: 100, rows: 40},
    ) as unknown as NodeJS.WriteStream
    const stdout = vi.spyOn(process.stdout, 'write')
    const p = await liveProgress(() => {
      throw new Error('a live display prints no plain line after the work is known')
    }, {live: true, stream})
    p.onEvent({type: 'work', hosts: ['hv1'], guests: [{host: 'hv1', guest: 'web1'}, {host: 'hv1', guest: 'web2'}], hostWork: 'networks, record and commit'})
    p.onEvent({type: 'host', host: 'hv1', message: 'network lan: switch lab-lan (internal)'})
    p.onEvent({type: 'step', host: 'hv1', guest: 'web1', step: 'new-vm', detail: 'web1'})
    p.onEvent({type: 'guest', host: 'hv1', guest: 'web1', status: 'created'})
    p.onEvent({type: 'guest', host: 'hv1', guest: 'web2', status: 'failed', message: 'New-VM failed'})
    await p.stop()
    const writes = stdout.mock.calls.length
    stdout.mockRestore()
    expect(writes, 'nothing drawn on stdout').toBe(0)
    const text = stripAnsi(drawn)
    for (const title of ['hv1: networks, record and commit', 'hv1/web1', 'hv1/web2']) expect(text).toContain(title)
    expect(text).toContain('New-VM failed')
  })
})
