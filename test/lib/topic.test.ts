import {describe, expect, it} from 'vitest'

import {checkAclFileTopic, checkPublishTopic, topicMatches} from '../../src/lib/topic.js'

describe('broker topic checks', () => {
  it('checkPublishTopic refuses what mosquitto_validate_utf8 and mosquitto_pub_topic_check refuse', () => {
    expect(checkPublishTopic('a/b')).toBeUndefined()
    expect(checkPublishTopic('a\tb')).toBe('control-character')
    expect(checkPublishTopic('a\u0085')).toBe('control-character')
    expect(checkPublishTopic('a\uFFFE')).toBe('invalid-utf8')
    expect(checkPublishTopic('a\uFDD0')).toBe('invalid-utf8')
    expect(checkPublishTopic('\uD800')).toBe('invalid-utf8')
    expect(checkPublishTopic('a/+')).toBe('wildcard-in-name')
    expect(checkPublishTopic('a/'.repeat(200) + 'a')).toBeUndefined()
    expect(checkPublishTopic('a/'.repeat(201) + 'a')).toBe('too-deep')
    expect(checkPublishTopic('\u{1F600}')).toBeUndefined()
  })

  it('checkAclFileTopic does not check UTF-8 (the broker loads such topics)', () => {
    expect(checkAclFileTopic('a/\uFFFD/#')).toBeUndefined()
    expect(checkAclFileTopic('a/#/b')).toBe('misplaced-hash')
    expect(checkAclFileTopic('x'.repeat(65_536))).toBe('too-long')
  })

  it('topicMatches keeps $ topics away from first-level wildcards', () => {
    expect(topicMatches('#', '$SYS/x')).toBe(false)
    expect(topicMatches('+/x', '$SYS/x')).toBe(false)
    expect(topicMatches('$SYS/#', '$SYS')).toBe(true)
  })
})
