/** A guest template as the load stage hands it on: its header, its parameters and its YAML source. */
import type {ParameterDef} from '../model/schemas.js'
import type {YamlSource} from './yaml-source.js'

export interface LoadedTemplate {
  name: string
  description?: string
  file: string
  parameters: Record<string, ParameterDef>
  source: YamlSource
}
