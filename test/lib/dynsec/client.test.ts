import {describe, expect, it} from 'vitest'

import {classifyReply, endpointUnavailable} from '../../../src/lib/dynsec/client.js'

// A 2.1 broker without the plugin answers a $CONTROL request itself. No 2.1 broker is packaged
// here and a 2.0 broker never forwards $CONTROL publishes, so the reply handling is tested with
// the payload 2.1.2 sends: the literal of control__negative_reply() in src/control.c (v2.1.2),
// published at QoS 0 on "<request topic>/response" to the requesting client only. The session
// stops waiting as soon as a reply is classified "unavailable" (openDynsecSession).
// Captured on 2026-12-01 from a real 2.1.2 broker built by hand (mosquitto_rr to
// $CONTROL/dynamic-security/v1 without the plugin, and to $CONTROL/broker/v1 without
// enable_control_api): both replies were exactly these bytes.
const ENDPOINT_NOT_AVAILABLE_2_1_2 = Buffer.from('{"error": "endpoint not available"}', 'utf8')

describe('classifyReply', () => {
  it('recognises 2.1\'s top-level "endpoint not available" (no responses, no correlationData)', () => {
    expect(classifyReply(ENDPOINT_NOT_AVAILABLE_2_1_2)).toEqual({kind: 'unavailable', error: 'endpoint not available'})
    const error = endpointUnavailable('endpoint not available')
    expect([error.code, error.exit]).toEqual(['TIMEOUT_NO_PLUGIN', 4])
    expect(error.message).toBe(
      'the broker says the dynamic-security endpoint is not available ("endpoint not available")',
    )
    expect(error.hint).toContain('mosquitto_dynamic_security.so')
  })

  it('names the broker control API and enable_control_api when that endpoint is the one missing', async () => {
    const {BROKER_ENDPOINT} = await import('../../../src/lib/broker/control.js')
    const error = endpointUnavailable('endpoint not available', BROKER_ENDPOINT)
    expect([error.code, error.exit]).toEqual(['TIMEOUT_NO_PLUGIN', 4])
    expect(error.message).toBe(
      'the broker says the broker control endpoint is not available ("endpoint not available")',
    )
    expect(error.hint).toContain('enable_control_api true')
    expect(error.hint).not.toContain('mosquitto_dynamic_security.so')
  })

  it('passes plugin responses on and ignores junk', () => {
    const reply = (responses: unknown[]) => Buffer.from(JSON.stringify({responses}))
    expect(classifyReply(reply([{command: 'listRoles', correlationData: 'x-0', data: {}}]))).toEqual({
      kind: 'responses',
      responses: [{command: 'listRoles', correlationData: 'x-0', data: {}}],
    })
    for (const junk of ['not json', '[1,2]', '{"error": 5}', '"text"', '{}'])
      expect(classifyReply(Buffer.from(junk)), junk).toBeUndefined()
  })

  it('also recognises the error inside a response entry', () => {
    const payload = Buffer.from(JSON.stringify({responses: [{command: 'x', error: 'endpoint not available'}]}))
    expect(classifyReply(payload)).toEqual({kind: 'unavailable', error: 'endpoint not available'})
  })
})
