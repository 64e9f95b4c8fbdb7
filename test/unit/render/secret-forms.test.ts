/**
 * The forms a password takes on seed media, checked against implementations that are not
 * hvguest's: SHA-512 crypt against `openssl passwd -6` for every length around a block boundary up to 256 bytes
 * (a library that got lengths of 64 bytes wrong was caught this way) and for non-ASCII values; the
 * answer file's encoding against Microsoft's documented example.
 */
import {describe, expect, it} from 'vitest'
import {sha512crypt, unattendPassword} from '../../../src/render/secret-value.js'
import {opensslSha512Crypt} from '../../helpers/independent-tools.js'

describe('sha512crypt', () => {
  // The scheme's block boundaries (SHA-512 takes 128-byte blocks, the library's buffers 64):
  // every length around them, up to openssl's limit of 256 characters. A hash takes about 0.2 s.
  const LENGTHS = [1, 2, 15, 16, 17, 31, 32, 33, 63, 64, 65, 127, 128, 129, 191, 192, 193, 255, 256]
  it('agrees with openssl for every length around a block boundary, up to 256 bytes', {timeout: 60_000}, () => {
    const wrong: number[] = []
    for (const n of LENGTHS) {
      const value = 'p'.repeat(n)
      const hash = sha512crypt(value, 'abcdefgh12345678')
      if (hash !== opensslSha512Crypt(value, 'abcdefgh12345678')) wrong.push(n)
    }
    expect(wrong).toEqual([])
  })

  it('hashes the UTF-8 bytes, as glibc does: non-ASCII, quotes, a line break, a leading dash', () => {
    for (const value of ['Zoë 日本 😀', 'it\'s "q" $(id) `x`', 'line1\nline2', '-leading', 'é'.repeat(32), '\t', 'Å'.repeat(100)]) {
      const hash = sha512crypt(value)
      expect(hash, value).toMatch(/^\$6\$[./0-9A-Za-z]{16}\$[./0-9A-Za-z]{86}$/)
      expect(hash, value).toBe(opensslSha512Crypt(value, hash.split('$')[2]))
    }
  })

  it('draws a fresh salt each time, and refuses the empty password', () => {
    const salts = new Set(Array.from({length: 20}, () => sha512crypt('same').split('$')[2]))
    expect(salts.size).toBe(20)
    expect(() => sha512crypt('')).toThrow(/empty password/)
  })
})

describe('unattendPassword', () => {
  it('is the form of Microsoft\'s example: "pw" for AdministratorPassword', () => {
    // learn.microsoft.com, unattend: Microsoft-Windows-Shell-Setup | UserAccounts | AdministratorPassword | Value
    expect(unattendPassword('pw', 'AdministratorPassword')).toBe('cAB3AEEAZABtAGkAbgBpAHMAdAByAGEAdABvAHIAUABhAHMAcwB3AG8AcgBkAA==')
  })

  it('appends "Password" for a local account or autologon password, in UTF-16LE', () => {
    expect(Buffer.from(unattendPassword('Zoë😀', 'Password'), 'base64').toString('utf16le')).toBe('Zoë😀Password')
  })
})

describe('a secret is not readable around its forms', () => {
  it('a template cannot read the value as a property, nor print it with log or JSON', async () => {
    const {SecretValue} = await import('../../../src/render/secret-value.js')
    const {inspect} = await import('node:util')
    const v = new SecretValue('adminPassword', 'hunter2', 'redacted', [])
    expect(Object.values(v)).not.toContain('hunter2')
    expect((v as unknown as Record<string, unknown>).value).toBeUndefined()
    expect(inspect(v)).toBe('(secret)')
    expect(JSON.stringify({v})).toBe('{"v":"(secret)"}')
    expect(String(v)).toBe('(secret)')
  })
})
