import {describe, expect, it, vi} from 'vitest'

// The wizard's questions are answered from a script, by message, in the order they are asked.
const asked: string[] = []
let answers: Record<string, unknown> = {}
const answer = async ({message, default: fallback}: {message: string; default?: unknown}) => {
  asked.push(message)
  const key = Object.keys(answers).find((k) => message.startsWith(k))
  const value = key === undefined ? fallback : answers[key]
  if (value instanceof Error) throw value
  return value
}

vi.mock('@inquirer/prompts', () => ({input: answer, confirm: answer, select: answer}))

const {configWizard} = await import('../../src/base/config-wizard.js')
const gen = await import('../../src/lib/conf/generate.js')

describe('configWizard', () => {
  it('asks for each listener kind in order and builds the request the flags would', async () => {
    asked.length = 0
    answers = {
      'Start from a preset': '',
      'Plain MQTT listeners': '1883:127.0.0.1',
      'TLS listeners': '8883',
      'WebSockets listeners': '',
      'Unix socket paths': '/run/m.sock',
      Directory: '/etc/certs',
      'Require client certificates?': false,
      Authentication: 'password-file',
      'Password file': '/etc/mosquitto/passwd',
      'ACL file': '',
      'Allow clients without a username?': false,
      'Keep retained messages': false,
    }
    const r = await configWizard({}, gen)
    expect(asked.slice(1, 5).map((m) => m.split(' (')[0])).toEqual([
      'Plain MQTT listeners',
      'TLS listeners',
      'WebSockets listeners',
      'Unix socket paths',
    ])
    expect(r).toMatchObject({
      listener: ['1883:127.0.0.1'],
      tlsListener: ['8883'],
      websocketsListener: [],
      unixSocket: ['/run/m.sock'],
      certDir: '/etc/certs',
      passwordFile: '/etc/mosquitto/passwd',
      persistence: 'none',
    })
    expect(() => gen.resolveGenOptions(r, {cwd: '/', found: {}})).not.toThrow()
  })

  it('drops every TLS key of the preset when no TLS listener is left', async () => {
    answers = {'Start from a preset': 'production', 'TLS listeners': '', 'Plain MQTT listeners': '1883'}
    const r = await configWizard({}, gen)
    for (const key of gen.TLS_KEYS) expect(r).not.toHaveProperty(key)
    expect(r.listener).toEqual(['1883'])
  })

  it('Ctrl-C in a prompt is REFUSED_INTERRUPTED', async () => {
    answers = {'Start from a preset': Object.assign(new Error('x'), {name: 'ExitPromptError'})}
    await expect(configWizard({}, gen)).rejects.toMatchObject({code: 'REFUSED_INTERRUPTED'})
  })
})
