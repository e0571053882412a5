import {Flags} from '@oclif/core'

import {MqctlCommand} from '../base/command.js'
import {connectFromFlags} from '../base/connect.js'
import {connectionFlagsWithLetters, connectionManual} from '../base/connection-flags.js'
import type {Verdict} from '../lib/output/verdict.js'

export default class Probe extends MqctlCommand {
  static override summary = 'Connect as a user and report what the broker really allows (MQTT reason codes).'

  static override description = `Connects as the given identity (every connection option of the dynsec commands, options files and profiles too), with MQTT 5 unless -V 311 or -V 31 says otherwise, then reports the CONNACK result, the SUBACK reason code for each --sub filter, the PUBACK reason code for each --pub topic (QoS 1), and with --loopback whether a message published to a topic it subscribed to comes back (a denied delivery is silent, so only this shows it).

Under MQTT 3.1.1 and 3.1 a denied publish is acknowledged like an allowed one: its result is "unknown" unless --loopback sees the message come back.

With --expect allow|deny, every judged check must have that outcome: exit 1 when one does not. The login is judged only when it is refused or when nothing else is asked (--expect deny with --pub passes when the user logs in and the publish is refused); the loopback's own subscriptions are never judged; an unknown result fails "allow" but not "deny". Without --expect, exit 0 whatever the broker answers (3 when it cannot be reached or hangs up, 4 on timeout).

Under --json the result is {"verdict": "allow"|"deny", "checks": [...]} (the verdict is "allow" when every judged check was allowed), plus "expect" and "failed" with --expect.

With TLS the certificate chain and dates are always verified, and the host (-h) must be one of the certificate's IP SANs (for an IP address) or match a DNS SAN (for a name); --insecure skips only that name check. A broker that hangs up is reported at once (exit 3).

Where an MQTT 3.1.1 client would get no answer at all (a denied publish is acknowledged normally and dropped), the MQTT 5 output says so.`

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
      ['3', 'The broker could not be reached, refused TLS, or closed the connection.'],
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
    const {judgedChecks, probeVerdict, runProbe, unmetExpectations, validateProbeRequest} =
      await import('../lib/probe.js')
    const request = {subscribe: flags.sub, publish: flags.pub, loopback: flags.loopback, waitMs: flags.wait}
    validateProbeRequest(request)
    const connection = await connectFromFlags(flags, this.io)
    const checks = await runProbe(connection, request)
    const expect = flags.expect as Verdict | undefined
    const failed = expect === undefined ? [] : unmetExpectations(checks, expect)
    const judged = new Set(judgedChecks(checks))
    if (failed.length > 0) process.exitCode = 1
    if (this.jsonEnabled()) {
      const verdict = probeVerdict(checks)
      return expect === undefined ? {verdict, checks} : {verdict, checks, expect, failed: failed.length}
    }

    const hex = (n?: number) => (n === undefined ? '' : `0x${n.toString(16).padStart(2, '0')}`)
    const verdict = (c: (typeof checks)[number]) =>
      c.allowed === undefined ? 'unknown' : c.allowed ? 'allowed' : 'denied'
    const rows = checks.map((c) => [
      c.kind,
      c.target,
      verdict(c),
      hex(c.reasonCode),
      c.reason,
      expect === undefined || !judged.has(c) ? '' : failed.includes(c) ? 'UNEXPECTED' : 'ok',
    ])
    const header = ['check', 'target', 'result', 'code', 'reason', expect === undefined ? '' : 'expect']
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
