import {MqctlError} from '../errors.js'
import type {ControlEndpoint} from '../dynsec/client.js'
import type {Sender} from '../dynsec/run.js'

/**
 * mosquitto 2.1's broker control API (`$CONTROL/broker/v1`, spec 2.6): listPlugins and
 * listListeners, and mosquitto_ctrl 2.1's text for their replies. A 2.0 broker has no such
 * API and never answers, hence the hint.
 */
export const BROKER_ENDPOINT: ControlEndpoint = {
  request: '$CONTROL/broker/v1',
  response: '$CONTROL/broker/v1/response',
  what: 'the broker control API ($CONTROL/broker/v1)',
  name: 'broker control',
  noReplyHint:
    'the broker commands need mosquitto 2.1 or later with "enable_control_api true" in mosquitto.conf (2.0 brokers never answer), and an admin allowed $CONTROL/broker/#',
  accessHint: (verb) =>
    `this user may not use the broker control API: it needs to ${verb === 'subscribe' ? 'subscribe to and receive' : 'publish to'} $CONTROL/broker/#`,
}

/** The broker commands: `summary` for the shell's help, `commandSummary` for `mqctl broker <name> --help`. */
export const BROKER_COMMANDS = [
  {
    name: 'listPlugins',
    summary: 'List the plugins the broker has loaded and their control endpoints (2.1).',
    commandSummary:
      'List the plugins the broker has loaded, with their versions and control endpoints (mosquitto 2.1).',
  },
  {
    name: 'listListeners',
    summary: "List the broker's listeners: port, protocol, socket, bind address, TLS (2.1).",
    commandSummary: "List the broker's listeners: port, protocol, socket path, bind address and TLS (mosquitto 2.1).",
  },
] as const

export type BrokerCommand = (typeof BROKER_COMMANDS)[number]['name']

export const findBrokerCommand = (name: string): BrokerCommand | undefined =>
  BROKER_COMMANDS.find((c) => c.name.toLowerCase() === name.toLowerCase())?.name

const invalid = () => new MqctlError('REFUSED_BAD_RESPONSE', 'Error: Invalid response from server.')
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

/** mosquitto_ctrl 2.1's `broker listListeners` text. */
export function formatListeners(data: unknown): string[] {
  if (!isObject(data) || !Array.isArray(data.listeners)) throw invalid()
  const lines: string[] = []
  data.listeners.forEach((listener: unknown, i) => {
    const l = isObject(listener) ? listener : {}
    lines.push(`Listener ${i + 1}:`)
    if (typeof l.port === 'number') lines.push(`  Port:              ${Math.trunc(l.port)}`)
    if (typeof l.protocol === 'string') lines.push(`  Protocol:          ${l.protocol}`)
    if (typeof l['socket-path'] === 'string') lines.push(`  Socket path:       ${l['socket-path']}`)
    if (typeof l['bind-address'] === 'string') lines.push(`  Bind address:      ${l['bind-address']}`)
    lines.push(`  TLS:               ${l.tls === true ? 'true' : 'false'}`, '')
  })
  return lines
}

/** mosquitto_ctrl 2.1's `broker listPlugins` text. */
export function formatPlugins(data: unknown): string[] {
  if (!isObject(data) || !Array.isArray(data.plugins)) throw invalid()
  const lines: string[] = []
  for (const plugin of data.plugins as unknown[]) {
    if (!isObject(plugin) || typeof plugin.name !== 'string') throw invalid()
    lines.push(`Plugin:            ${plugin.name}`)
    if (typeof plugin.version === 'string') lines.push(`Version:           ${plugin.version}`)
    const endpoints = Array.isArray(plugin['control-endpoints']) ? plugin['control-endpoints'] : []
    endpoints
      .filter((e): e is string => typeof e === 'string')
      .forEach((e, i) => lines.push(`${i === 0 ? 'Control endpoints:' : '                  '} ${e}`))
  }

  return lines
}

/** Sends one broker command over a session opened on BROKER_ENDPOINT. */
export async function runBrokerCommand(
  session: Sender,
  command: BrokerCommand,
): Promise<{data: unknown; lines: string[]}> {
  const [response] = await session.send([{command}])
  if (response.error !== undefined) {
    // 2.1's mosquitto_ctrl ends the broker module's errors with a full stop.
    const text = `${command}: Error: ${response.error}.`
    throw new MqctlError('REFUSED_BROKER', text, {verbatim: text})
  }

  return {
    data: response.data,
    lines: command === 'listPlugins' ? formatPlugins(response.data) : formatListeners(response.data),
  }
}
