import {Flags} from '@oclif/core'

import {MqctlCommand} from '../base/command.js'
import {connectFromFlags} from '../base/connect.js'
import {connectionFlagsWithLetters, connectionManual} from '../base/connection-flags.js'

export default class Probe extends MqctlCommand {
  static override summary = 'Connect as a user and report what the broker really allows (MQTT 5 reason codes).'

  static override description = `Connects with MQTT 5 as the given identity (every connection option of the dynsec commands, options files and profiles too), then reports the CONNACK result, the SUBACK reason code for each --sub filter, the PUBACK reason code for each --pub topic (QoS 1), and with --loopback whether a message published to a topic it subscribed to comes back (a denied delivery is silent, so only this shows it).

With --expect allow|deny, every check must have that outcome: exit 1 when one does not. Without it, exit 0 whatever the broker answers (3 when it cannot be reached, 4 on timeout).

Where an MQTT 3.1.1 client would get no answer at all (a denied publish is acknowledged normally and dropped), the output says so.`

  static override examples = [
    '<%= config.bin %> probe -h broker -u alice --sub "alice/#" --pub alice/temp --loopback',
    'MQCTL_PASSWORD=x <%= config.bin %> probe --username sensor --pub other/topic --expect deny',
  ]

  static manual = {
    ...connectionManual,
    exitStatus: [
      ['0', 'Connected; every --expect met.'],
      ['1', 'An --expect was not met.'],
      ['2', 'Bad arguments.'],
      ['3', 'The broker could not be reached.'],
      ['4', 'Timeout.'],
    ] as Array<[string, string]>,
  }

  static override flags = {
    ...connectionFlagsWithLetters,
    sub: Flags.string({description: 'Filter to subscribe to; repeatable.', multiple: true, default: []}),
    pub: Flags.string({description: 'Topic to publish to at QoS 1; repeatable.', multiple: true, default: []}),
    loopback: Flags.boolean({
      description: 'Also subscribe to each --pub topic and report whether the message is delivered back.',
    }),
    wait: Flags.integer({description: 'Milliseconds to wait for a looped-back message.', default: 1000}),
    expect: Flags.string({
      description: 'Every check must have this outcome; exit 1 otherwise.',
      options: ['allow', 'deny'],
    }),
  }

  async run(): Promise<unknown> {
    const {flags} = await this.parse(Probe)
    const {runProbe, validateProbeRequest} = await import('../lib/probe.js')
    const request = {subscribe: flags.sub, publish: flags.pub, loopback: flags.loopback, waitMs: flags.wait}
    validateProbeRequest(request)
    const connection = await connectFromFlags(flags)
    const checks = await runProbe(connection, request)
    const wanted = flags.expect === undefined ? undefined : flags.expect === 'allow'
    const failed = wanted === undefined ? [] : checks.filter((c) => c.allowed !== wanted)
    if (failed.length > 0) process.exitCode = 1
    if (this.jsonEnabled()) return {checks, expect: flags.expect, failed: failed.length}

    const hex = (n?: number) => (n === undefined ? '' : `0x${n.toString(16).padStart(2, '0')}`)
    const verdict = (c: (typeof checks)[number]) =>
      c.allowed === undefined ? 'unknown' : c.allowed ? 'allowed' : 'denied'
    const rows = checks.map((c) => [
      c.kind,
      c.target,
      verdict(c),
      hex(c.reasonCode),
      c.reason,
      wanted === undefined ? '' : c.allowed === wanted ? 'ok' : 'UNEXPECTED',
    ])
    const header = ['check', 'target', 'result', 'code', 'reason', wanted === undefined ? '' : 'expect']
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)))
    for (const row of [header, ...rows])
      this.out(
        row
          .map((cell, i) => cell.padEnd(widths[i]))
          .join('  ')
          .trimEnd(),
      )
    for (const c of checks.filter((x) => x.v311))
      this.out(`note: ${c.kind} ${c.target}: an MQTT 3.1.1 client would get ${c.v311}`)
    return undefined
  }
}
