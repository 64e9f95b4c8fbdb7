/**
 * Whether the module at moduleUrl is the build's (dist/, or a bundle of it) rather than its
 * TypeScript source, as the tests import it. What the build stored (dist/builtin-profiles.json,
 * dist/builtin-templates/) is used only by the build: code run from src/ may be newer than the
 * stored data (a schema changed since the last build), so it reads the YAML.
 */
import {fileURLToPath} from 'node:url'

export const runsFromBuild = (moduleUrl: string): boolean => !fileURLToPath(moduleUrl).endsWith('.ts')
