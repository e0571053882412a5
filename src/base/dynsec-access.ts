import {Flags} from '@oclif/core'

import {connectFromFlags} from './connect.js'
import {createIO} from './io.js'
import type {IO} from '../lib/io.js'
import type {DynsecState} from '../lib/dynsec/state/model.js'

/** Flags shared by `dynsec check` and `dynsec who`. */
export const accessFlags = {
  file: Flags.string({
    char: 'f',
    description: 'Read the state from this dynamic-security.json instead of the broker.',
  }),
  topic: Flags.string({
    description: 'Topic name (publish*) or subscription filter (subscribe, unsubscribe).',
    required: true,
  }),
  access: Flags.string({
    description: 'What the client does.',
    options: ['publishClientSend', 'publishClientReceive', 'subscribe', 'unsubscribe'],
    required: true,
  }),
}

export interface AccessState {
  state: DynsecState
  layout: '2.0' | '2.1'
  /** A file has the stored passwords; a broker never reveals whether a client has one. */
  passwordsKnown: boolean
  source: string
  warnings: string[]
}

/** Reads the state from -f FILE, or from the broker the connection flags name (read-only requests). */
export async function loadAccessState(
  flags: Record<string, unknown>,
  io: IO = createIO({json: false}),
): Promise<AccessState> {
  if (typeof flags.file === 'string') {
    const {readDynsecStateFile} = await import('../lib/dynsec/state/read-file.js')
    const f = readDynsecStateFile(flags.file)
    return {state: f.state, layout: f.layout, passwordsKnown: true, source: f.name, warnings: f.warnings}
  }

  const {readBrokerState} = await import('../lib/dynsec/state/read-broker.js')
  const {openDynsecSession} = await import('../lib/dynsec/client.js')
  const connection = await connectFromFlags(flags, io)
  const log = connection.debug ? (line: string) => io.debug(line) : undefined
  const session = await openDynsecSession(connection, {log})
  try {
    const state = await readBrokerState(session)
    // Only 2.1 reports allowwildcardsubs; it is also the only version that substitutes %u/%c.
    const layout = state.roles.some((r) => r.allowwildcardsubs !== undefined) ? '2.1' : '2.0'
    const where = connection.unix ?? `${connection.host}:${connection.port}`
    return {state, layout, passwordsKnown: false, source: `broker ${where}`, warnings: []}
  } finally {
    await session.close()
  }
}

/** The topic flag checked as the access needs it: a name to publish, a filter to subscribe. */
export async function checkAccessTopic(topic: string, access: string): Promise<void> {
  const {checkTopicFilter, checkTopicName, describeTopicProblem} = await import('../lib/topic.js')
  const {MqctlError} = await import('../lib/errors.js')
  const publish = access.startsWith('publish')
  const problem = publish ? checkTopicName(topic) : checkTopicFilter(topic)
  if (problem) throw new MqctlError('USAGE_TOPIC', `--topic "${topic}": ${describeTopicProblem(problem)}`)
}
