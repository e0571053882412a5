import {describe, expect, it} from 'vitest'

import {ReplyCollector, RESPONSE_TOPIC} from '../../../src/lib/dynsec/client.js'

// A 2.1 broker without the plugin answers a $CONTROL request itself. No 2.1 broker is packaged
// here and a 2.0 broker never forwards $CONTROL publishes, so the reply handling is tested with
// the payload 2.1.2 sends: the literal of control__negative_reply() in src/control.c (v2.1.2),
// published at QoS 0 on "<request topic>/response" to the requesting client only.
const ENDPOINT_NOT_AVAILABLE_2_1_2 = Buffer.from('{"error": "endpoint not available"}', 'utf8')

describe('ReplyCollector', () => {
  it('ends at once on 2.1\'s top-level "endpoint not available", with the exit-4 hint to load the plugin', () => {
    const replies = new ReplyCollector('mqctl-abc-', 3)
    expect(replies.done).toBe(false)
    replies.accept(RESPONSE_TOPIC, ENDPOINT_NOT_AVAILABLE_2_1_2)
    expect(replies.done).toBe(true)
    const error = replies.failure()!
    expect([error.code, error.exit]).toEqual(['TIMEOUT_NO_PLUGIN', 4])
    expect(error.message).toBe(
      'the broker says the dynamic-security endpoint is not available ("endpoint not available")',
    )
    expect(error.hint).toContain('mosquitto_dynamic_security.so')
  })

  it('matches responses by correlationData and ignores other admins, other topics and junk', () => {
    const replies = new ReplyCollector('mqctl-abc-', 2)
    const reply = (responses: unknown[]) => Buffer.from(JSON.stringify({responses}))
    replies.accept(RESPONSE_TOPIC, reply([{command: 'listRoles', correlationData: 'other-admin-0', data: {}}]))
    replies.accept('$CONTROL/dynamic-security/v1', ENDPOINT_NOT_AVAILABLE_2_1_2)
    replies.accept(RESPONSE_TOPIC, Buffer.from('not json'))
    replies.accept(RESPONSE_TOPIC, Buffer.from('[1,2]'))
    replies.accept(RESPONSE_TOPIC, Buffer.from('{"error": 5}'))
    expect([replies.done, replies.answers.size, replies.failure()]).toEqual([false, 0, undefined])
    replies.accept(RESPONSE_TOPIC, reply([{command: 'listRoles', correlationData: 'mqctl-abc-0', data: {}}]))
    expect(replies.done).toBe(false)
    replies.accept(
      RESPONSE_TOPIC,
      reply([{command: 'getRole', correlationData: 'mqctl-abc-1', error: 'Role not found'}]),
    )
    expect([replies.done, replies.failure(), replies.answers.get('mqctl-abc-1')?.error]).toEqual([
      true,
      undefined,
      'Role not found',
    ])
  })

  it('also recognises the error inside a response entry', () => {
    const replies = new ReplyCollector('mqctl-abc-', 2)
    replies.accept(
      RESPONSE_TOPIC,
      Buffer.from(
        JSON.stringify({responses: [{command: 'x', error: 'endpoint not available', correlationData: 'mqctl-abc-0'}]}),
      ),
    )
    expect([replies.done, replies.failure()?.exit]).toEqual([true, 4])
  })
})
