/**
 * The validate stage: every rule, run over every resolved guest and then over the run.
 * The resolvers in layout/, network/ and integration/ report what they find while they
 * place devices; the rules here cover what is only visible once a guest is whole.
 */
import type {Diagnostic} from '../model/diagnostic.js'
import type {ResolvedGuest} from '../resolve/guest.js'
import type {Targets} from '../resolve/targets.js'
import {addressFirstBootRule, addressFitRule, addressNeedsMacRule, duplicateAddressRule} from './address-rules.js'
import {blockSizeRule, diskSizeRule, duplicatePathRule, gen2VhdBootRule} from './disk-rules.js'
import {domainControllerRule} from './domain-controller.js'
import {checkpointsHostRule, generationHostRule, guestNewerThanHostRule, nestedVirtHostRule, secureBootTemplateHostRule, vhdxHostRule} from './host-compat-rules.js'
import {syntheticDevicesRule} from './integration-rules.js'
import {floppyGen2Rule, generationLimitsRule, memoryRangeRule, nestedVirtRule, secureBootGen1Rule} from './machine-rules.js'
import {osRequirementsRule, tpmGen1Rule, tpmHostRule} from './os-requirement-rules.js'
import {duplicateMacRule, duplicateNameRule, guestNameRule, switchNameRule} from './run-rules.js'
import type {GuestRule, RunRule} from './types.js'

export const GUEST_RULES: readonly GuestRule[] = [
  guestNameRule,
  diskSizeRule,
  blockSizeRule,
  gen2VhdBootRule,
  duplicatePathRule,
  secureBootGen1Rule,
  floppyGen2Rule,
  nestedVirtRule,
  memoryRangeRule,
  generationLimitsRule,
  syntheticDevicesRule,
  domainControllerRule,
  vhdxHostRule,
  generationHostRule,
  guestNewerThanHostRule,
  checkpointsHostRule,
  secureBootTemplateHostRule,
  nestedVirtHostRule,
  osRequirementsRule,
  tpmGen1Rule,
  tpmHostRule,
  addressNeedsMacRule,
  addressFitRule,
  addressFirstBootRule,
]

export const RUN_RULES: readonly RunRule[] = [duplicateNameRule, duplicateMacRule, duplicateAddressRule, switchNameRule]

export function runRules(guests: readonly ResolvedGuest[], targets: Targets): Diagnostic[] {
  const out: Diagnostic[] = []
  for (const g of guests) for (const rule of GUEST_RULES) for (const d of rule(g)) out.push(d.host ? d : {...d, host: g.host.name})
  for (const rule of RUN_RULES) out.push(...rule(guests, targets))
  return out
}
