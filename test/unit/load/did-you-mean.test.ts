import {describe, expect, it} from 'vitest'
import {editDistance, suggest} from '../../../src/util/did-you-mean.js'

describe('suggest', () => {
  const keys = ['generation', 'processors', 'memory', 'bootDisk', 'dataDisks', 'networkAdapters']
  it('finds one-edit typos, swaps included, case-insensitively', () => {
    expect(suggest('procesors', keys)).toBe('processors')
    expect(suggest('proecssors', keys)).toBe('processors')
    expect(suggest('BootDisk', keys)).toBe('bootDisk')
    expect(suggest('datadisk', keys)).toBe('dataDisks')
  })
  it('says nothing when nothing is close', () => {
    expect(suggest('cpu', keys)).toBeUndefined()
    expect(suggest('ram', keys)).toBeUndefined()
    expect(suggest('processors', keys)).toBeUndefined() // an exact match is not a typo
  })
  it('keeps short words to one edit', () => {
    expect(suggest('vlam', ['vlan', 'vmq'])).toBe('vlan')
    expect(suggest('xy', ['vmq'])).toBeUndefined()
  })
})

describe('editDistance', () => {
  it('counts a transposition as one edit', () => {
    expect(editDistance('ab', 'ba')).toBe(1)
    expect(editDistance('kitten', 'sitting')).toBe(3)
    expect(editDistance('', 'abc')).toBe(3)
  })
})
