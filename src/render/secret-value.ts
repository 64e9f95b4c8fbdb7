/**
 * A secret parameter's value as a first-boot template sees it. The same template is rendered in
 * three modes, and only the value object knows which:
 *  - `redacted`: for the plan and everything printed or written from it: every form is (secret);
 *  - `real`: for the seed media, when it is written: the value, or its hash or encoding;
 *  - `placeholder`: for a script that asks for the secrets when it runs on the host
 *    (create --emit --no-secrets): a token `@@HVGUEST-SECRET:<parameter>:<form>@@` per use, which
 *    the script replaces with the form it computes from what it was told;
 *  - `check`: at plan time, the value where it is written as it is (so that the format's escaping
 *    refuses what it cannot hold, as it would when the media is written) and (secret) for its
 *    hashes and encodings, which any value fits; the output is thrown away.
 * A template writes the value as it is (`{{adminPassword}}`, form `plain`), as a SHA-512 crypt
 * hash (`{{sha512crypt adminPassword}}`) or as the answer file's encoding
 * (`{{unattendPassword adminPassword "AdministratorPassword"}}`). Each use is recorded, so the
 * run knows whether the media carries a secret and in which forms.
 */
import {sha512} from 'sha512-crypt-ts'

export type SecretMode = 'redacted' | 'real' | 'placeholder' | 'check'

/** How a secret is written into a first-boot file. */
export type SecretForm = 'sha512crypt' | 'unattend-Password' | 'unattend-AdministratorPassword' | 'plain'

export const REDACTED_TEXT = '(secret)'

/** The element names whose password Windows Setup reads in the encoded form (the suffix it appends before encoding). */
export const UNATTEND_PASSWORD_ELEMENTS = ['Password', 'AdministratorPassword'] as const
export type UnattendPasswordElement = (typeof UNATTEND_PASSWORD_ELEMENTS)[number]

export const secretToken = (parameter: string, form: SecretForm): string => `@@HVGUEST-SECRET:${parameter}:${form}@@`

/** Every use of a secret (or of a hash) in one render; parameter null: a hash of a value that is not a parameter's secret. */
export type SecretUses = Array<{parameter: string | null; form: SecretForm}>

export class SecretValue {
  // Real private fields: a template can read a property of an object (`{{adminPassword.value}}`),
  // console.log (`{{log adminPassword}}`) prints an object's properties; neither sees these.
  readonly #value: string
  readonly #mode: SecretMode
  readonly #uses: SecretUses

  constructor(
    readonly parameter: string,
    value: string,
    mode: SecretMode,
    uses: SecretUses,
  ) {
    this.#value = value
    this.#mode = mode
    this.#uses = uses
  }

  get mode(): SecretMode {
    return this.#mode
  }

  toJSON(): string {
    return REDACTED_TEXT
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return REDACTED_TEXT
  }

  /** The value written as it is. */
  toString(): string {
    return this.form('plain', (v) => v)
  }

  /** One form of the value: computed from it in `real` mode only. */
  form(form: SecretForm, compute: (value: string) => string): string {
    this.#uses.push({parameter: this.parameter, form})
    if (this.#mode === 'real') return compute(this.#value)
    if (this.#mode === 'check') return form === 'plain' ? this.#value : REDACTED_TEXT
    return this.#mode === 'redacted' ? REDACTED_TEXT : secretToken(this.parameter, form)
  }
}

/**
 * SHA-512 crypt (`$6$`, 5000 rounds, a random 16-character salt): what cloud-init `passwd` and
 * kickstart `--iscrypted` take. The library hashes a string's char codes as bytes, so it gets the
 * password's UTF-8 bytes as a binary string, which is what glibc's crypt hashes; it cannot hash
 * the empty password, which hvguest never writes (an empty secret is no secret: the templates
 * lock the account instead).
 */
export function sha512crypt(value: string, salt: string = randomSalt()): string {
  if (value === '') throw new EmptyPasswordError('an empty password cannot be hashed: leave the parameter unset, and the account is locked')
  return sha512.crypt(Buffer.from(value, 'utf8').toString('latin1'), salt)
}

export class EmptyPasswordError extends Error {}

const SALT_ALPHABET = './0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'

function randomSalt(): string {
  // 64 symbols: a byte's low 6 bits pick one without bias
  return Array.from(globalThis.crypto.getRandomValues(new Uint8Array(16)), (b) => SALT_ALPHABET[b & 63]).join('')
}

/**
 * The answer file's encoded password (`<PlainText>false</PlainText>`): base64 of the UTF-16LE
 * bytes of the password followed by the element's name, as Windows System Image Manager writes it
 * (AdministratorPassword → "AdministratorPassword", LocalAccount and AutoLogon Password → "Password").
 * An encoding, not protection: anyone who reads the media can decode it.
 */
export function unattendPassword(value: string, element: UnattendPasswordElement): string {
  return Buffer.from(value + element, 'utf16le').toString('base64')
}
