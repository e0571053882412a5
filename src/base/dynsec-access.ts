import {Flags} from '@oclif/core'

import {connectFromFlags} from './connect.js'
import type {AccessState} from '../lib/dynsec/access-state.js'

/** Flags shared by `dynsec check` and `dynsec who`. */
export const accessFlags = {
  file: Flags.string({
    char: 'f',
    description: 'Read the state from this dynamic-security.json (- for stdin) instead of the broker.',
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

/** Reads the state from -f FILE, or from the broker the connection flags name. */
export async function loadAccessState(flags: Record<string, unknown>): Promise<AccessState> {
  const lib = await import('../lib/dynsec/access-state.js')
  if (typeof flags.file === 'string') return lib.accessStateFromFile(flags.file)
  return lib.accessStateFromBroker(await connectFromFlags(flags))
}

/** The topic flag checked as the access needs it: a name to publish, a filter to subscribe. */
export async function checkAccessTopic(topic: string, access: string): Promise<void> {
  const {checkTopicFilter, checkTopicName, describeTopicProblem} = await import('../lib/topic.js')
  const {MqctlError} = await import('../lib/errors.js')
  const publish = access.startsWith('publish')
  const problem = publish ? checkTopicName(topic) : checkTopicFilter(topic)
  if (problem) throw new MqctlError('USAGE_TOPIC', `--topic "${topic}": ${describeTopicProblem(problem)}`)
}
