import {MqctlError} from '../errors.js'
import type {Layout} from './format.js'

export const LAYOUTS = ['2.0', '2.1', 'auto'] as const

/** "mosquitto version 2.1.2" → '2.1'; anything before 2.1 (or unknown) → '2.0'. */
export function layoutOfVersion(version: string | undefined): Layout {
  const m = /(\d+)\.(\d+)/.exec(version ?? '')
  if (!m) return '2.0'
  const [major, minor] = [Number(m[1]), Number(m[2])]
  return major > 2 || (major === 2 && minor >= 1) ? '2.1' : '2.0'
}

/**
 * The getClient layout for `--layout`: 2.0 (default), 2.1, or auto, which asks the broker's
 * `$SYS/broker/version` once (a user without access to $SYS gets 2.0's layout).
 */
export async function pickLayout(flag: unknown, brokerVersion: () => Promise<string | undefined>): Promise<Layout> {
  if (flag === undefined || flag === '2.0') return '2.0'
  if (flag === '2.1') return '2.1'
  if (flag === 'auto') return layoutOfVersion(await brokerVersion())
  throw new MqctlError('USAGE_DYNSEC', `--layout must be one of ${LAYOUTS.join(', ')}, not "${String(flag)}"`)
}
