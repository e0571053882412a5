import type {GenRequest, ListenerKind} from '../lib/conf/generate.js'

/*
 * config gen's --interactive questions, on inquirer (which src/lib never imports); the answers
 * make the same request the flags make, and lib/conf resolves it.
 */

const HINT = ' (PORT[:BIND][,anonymous], space-separated; empty for none)'

/** The question for each listener kind, asked in lib/conf's LISTENER_KINDS order. */
const LISTENER_PROMPTS: Record<ListenerKind, string> = {
  listener: `Plain MQTT listeners${HINT}`,
  tlsListener: `TLS listeners${HINT}`,
  websocketsListener: 'WebSockets listeners (PORT[:BIND][,tls][,anonymous]; empty for none)',
  unixSocket: 'Unix socket paths (empty for none)',
}

/** A short wizard: listeners, TLS, authentication, persistence. Prompts draw on stderr. */
export async function configWizard(
  start: GenRequest,
  gen: typeof import('../lib/conf/generate.js'),
): Promise<GenRequest> {
  const {confirm, input, select} = await import('@inquirer/prompts')
  const {MqctlError} = await import('../lib/errors.js')
  const ctx = {output: process.stderr}
  const words = (text: string) => text.split(/\s+/).filter(Boolean)
  const specs = (kind: ListenerKind) => (text: string) => {
    try {
      for (const spec of words(text)) gen.parseListenerSpec(spec, kind)
      return true
    } catch (error) {
      return (error as Error).message
    }
  }

  try {
    const preset = await select(
      {
        message: 'Start from a preset',
        choices: [
          {name: 'none', value: '', description: 'Answer every question'},
          ...gen.PRESET_NAMES.map((name) => ({name, value: name, description: gen.PRESETS[name].summary})),
        ],
        default: start.preset ?? '',
      },
      ctx,
    )
    const r: GenRequest = {
      ...(preset ? gen.PRESETS[preset as GenRequest['preset'] & string].request : {}),
      ...defined(start),
      preset: (preset || undefined) as GenRequest['preset'],
    }
    for (const kind of gen.LISTENER_KINDS) {
      const message = LISTENER_PROMPTS[kind]
      r[kind] = words(await input({message, default: (r[kind] ?? []).join(' '), validate: specs(kind)}, ctx))
    }

    const wsTls = (r.websocketsListener ?? []).some((s) => /,tls(,|$)/.test(s))
    if ((r.tlsListener ?? []).length > 0 || wsTls) {
      r.certDir = await input(
        {
          message: 'Directory with ca.crt, server.crt and server.key (from "mqctl cert server")',
          default: r.certDir ?? '/etc/mosquitto/certs',
          required: true,
        },
        ctx,
      )
      r.requireCertificate = await confirm(
        {message: 'Require client certificates?', default: r.requireCertificate ?? false},
        ctx,
      )
      r.useIdentityAsUsername = r.requireCertificate
        ? await confirm(
            {
              message: "Use the certificate's CN as the username (no password)?",
              default: r.useIdentityAsUsername ?? false,
            },
            ctx,
          )
        : false
    } else {
      for (const key of gen.TLS_KEYS) delete r[key]
    }

    const current = r.auth
      ? gen.parseAuthWords(r.auth)
      : r.dynsec
        ? {method: 'dynsec' as const, file: r.dynsec}
        : r.passwordFile
          ? {method: 'password-file' as const, file: r.passwordFile}
          : {method: 'none' as const}
    const method = await select(
      {
        message: 'Authentication',
        choices: [
          {
            name: 'password file',
            value: 'password-file',
            description: 'usernames and passwords in a file made by "mqctl passwd"',
          },
          {
            name: 'dynamic security',
            value: 'dynsec',
            description: 'clients, roles and ACLs managed at run time with "mqctl dynsec"',
          },
          {name: 'none', value: 'none', description: 'anonymous clients only (or client certificates)'},
        ],
        default: current?.method ?? 'none',
      },
      ctx,
    )
    delete r.auth
    delete r.passwordFile
    delete r.dynsec
    const currentFile = current && current.method === method && 'file' in current ? current.file : undefined
    if (method === 'password-file') {
      r.passwordFile = await input(
        {message: 'Password file', default: currentFile ?? '/etc/mosquitto/passwd', required: true},
        ctx,
      )
    }

    if (method === 'dynsec') {
      r.dynsec = await input(
        {
          message: 'Dynamic-security file',
          default: currentFile ?? '/var/lib/mosquitto/dynamic-security.json',
          required: true,
        },
        ctx,
      )
      delete r.aclFile
    } else {
      r.aclFile = (await input({message: 'ACL file (empty for none)', default: r.aclFile ?? ''}, ctx)) || undefined
    }

    r.allowAnonymous = await confirm(
      {message: 'Allow clients without a username?', default: r.allowAnonymous ?? method === 'none'},
      ctx,
    )
    const persist = await confirm(
      {
        message: 'Keep retained messages and sessions across restarts (persistence)?',
        default: r.persistence !== undefined && r.persistence !== 'none',
      },
      ctx,
    )
    const dir = r.persistence === undefined || r.persistence === 'none' ? '/var/lib/mosquitto' : r.persistence
    r.persistence = persist
      ? await input({message: 'Persistence directory', default: dir, required: true}, ctx)
      : 'none'
    return r
  } catch (error) {
    if ((error as Error).name === 'ExitPromptError') throw new MqctlError('REFUSED_INTERRUPTED', 'interrupted')
    throw error
  }
}

function defined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>
}
