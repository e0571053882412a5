/* Cases from the MQTT 5.0 specification, section 4.7 (topic names and filters). */
import {describe, expect, it} from 'vitest'

import {checkTopicFilter, checkTopicName, substitutePattern, topicMatches} from '../../src/lib/topic.js'

describe('topicMatches (MQTT 5.0 §4.7.1)', () => {
  it('"#" matches the parent and every level below', () => {
    for (const t of ['sport/tennis/player1', 'sport/tennis/player1/ranking', 'sport/tennis/player1/score/wimbledon'])
      expect(topicMatches('sport/tennis/player1/#', t)).toBe(true)
    expect(topicMatches('sport/#', 'sport')).toBe(true)
    expect(topicMatches('#', 'any/thing')).toBe(true)
  })

  it('"+" matches exactly one level, also an empty one', () => {
    expect(topicMatches('sport/tennis/+', 'sport/tennis/player1')).toBe(true)
    expect(topicMatches('sport/tennis/+', 'sport/tennis/player1/ranking')).toBe(false)
    expect(topicMatches('sport/+', 'sport')).toBe(false)
    expect(topicMatches('sport/+', 'sport/')).toBe(true)
    expect(topicMatches('+/+', '/finance')).toBe(true)
    expect(topicMatches('/+', '/finance')).toBe(true)
    expect(topicMatches('+', '/finance')).toBe(false)
  })

  it('wildcards in the first level do not match topics starting with $ (§4.7.2)', () => {
    expect(topicMatches('#', '$SYS/broker')).toBe(false)
    expect(topicMatches('+/monitor/Clients', '$SYS/monitor/Clients')).toBe(false)
    expect(topicMatches('$SYS/#', '$SYS/monitor/Clients')).toBe(true)
    expect(topicMatches('$SYS/monitor/+', '$SYS/monitor/Clients')).toBe(true)
  })
})

describe('filter and name validity (§4.7.1, §4.7.3)', () => {
  it('accepts whole-level wildcards and refuses the rest', () => {
    for (const ok of ['#', 'sport/#', '+', '+/tennis/#', 'sport/+/player1'])
      expect(checkTopicFilter(ok)).toBeUndefined()
    expect(checkTopicFilter('sport/tennis#')).toBe('misplaced-hash')
    expect(checkTopicFilter('sport/tennis/#/ranking')).toBe('misplaced-hash')
    expect(checkTopicFilter('sport+')).toBe('misplaced-plus')
    expect(checkTopicFilter('')).toBe('empty')
    expect(checkTopicName('a/+')).toBe('wildcard-in-name')
    expect(checkTopicName('a\u0000b')).toBe('null-character')
  })
})

describe('substitutePattern (mosquitto acl_file %c/%u)', () => {
  it('replaces whole levels only and gives up without the value', () => {
    expect(substitutePattern('devices/%c/%u', 'c1', 'u1')).toBe('devices/c1/u1')
    expect(substitutePattern('devices/x%c', 'c1', 'u1')).toBe('devices/x%c')
    expect(substitutePattern('users/%u/#', 'c1', undefined)).toBeUndefined()
  })
})
