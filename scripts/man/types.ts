/** The parts of oclif.manifest.json and package.json the man pages are made from. */

/** [term, text]: an exit status, a file, a variable. */
export type Pair = [string, string]

export interface ManifestFlag {
  name: string
  type: 'boolean' | 'option'
  char?: string
  charAliases?: string[]
  aliases?: string[]
  summary?: string
  description?: string
  helpGroup?: string
  helpValue?: string
  options?: string[]
  default?: unknown
  multiple?: boolean
  required?: boolean
  allowNo?: boolean
  env?: string
  exclusive?: string[]
  dependsOn?: string[]
  deprecated?: boolean | {message?: string}
  hidden?: boolean
}

export interface ManifestArg {
  name: string
  summary?: string
  description?: string
  required?: boolean
  multiple?: boolean
  options?: string[]
  default?: unknown
  hidden?: boolean
}

export type Example = string | {description?: string; command: string}

export interface ManifestCommand {
  id: string
  summary?: string
  description?: string
  usage?: string | string[]
  examples?: Example | Example[]
  flags?: Record<string, ManifestFlag>
  args?: Record<string, ManifestArg>
  aliases?: string[]
  hiddenAliases?: string[]
  hidden?: boolean
  state?: string
  manual?: unknown
}

export interface Manifest {
  commands?: Record<string, ManifestCommand>
}

export interface PackageJson {
  name: string
  version: string
  description?: string
  bin?: Record<string, string>
  oclif?: {bin?: string; topicSeparator?: string; topics?: Record<string, {description?: string}>; plugins?: string[]}
}

/** A command's `static manual` (see scripts/man.js), checked. */
export interface Manual {
  exitStatus?: Pair[]
  files?: Pair[]
  environment?: Pair[]
  seeAlso?: string[]
}

export interface Context {
  bin: string
  separator: string
  version: string
  description: string
  topics: Record<string, {description?: string}>
  hasHelpPlugin: boolean
  commandWords(id: string): string
  displayId(id: string): string
  pageName(id: string): string
}

/** A flag or an argument, as OPTIONS lists them. */
export type ManifestItem = ManifestArg & Partial<ManifestFlag>
