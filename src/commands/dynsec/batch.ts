import {Args} from '@oclif/core'

import {DynsecCommand} from '../../base/dynsec-command.js'
import {openBackendFromFlags} from '../../base/dynsec-backend.js'

export default class DynsecBatch extends DynsecCommand {
  static override summary = 'Run many dynsec commands, one per line, over one connection (or on a -f file).'

  static override description = `Each line is a mosquitto_ctrl dynsec command as typed after "dynsec" (createClient bob -p pw, addRoleACL r publishClientSend 'a b/#' allow 5), with shell-style quoting, # comments and blank lines. setClientPassword needs its password on the line (there is no prompt); the API-only modify* commands are not available.

Every line is parsed before connecting: a bad line is reported as FILE:LINE and exits 2 with nothing sent. Then all commands go in chunked requests over one connection, in order. Results are printed in mosquitto_ctrl's layout: a refused command on stderr as "FILE:LINE: <command>: Error: <text>" (the others still run), output of get/list commands on stdout under a "# FILE:LINE <command>" line. Exit 0 when every command succeeded, 1 when the plugin refused any.`

  static override examples = [
    '<%= config.bin %> dynsec batch provision.txt',
    'printf "createRole sensors\\naddRoleACL sensors publishClientSend sensors/# allow\\n" | <%= config.bin %> dynsec batch -',
    '<%= config.bin %> -f dynamic-security.json dynsec batch provision.txt',
  ]

  static override args = {
    file: Args.string({description: 'Batch file (- or nothing for standard input).', default: '-', ignoreStdin: true}),
  }

  async run(): Promise<unknown> {
    const {args, flags} = await this.parse(DynsecBatch)
    const {readInputText} = await import('../../lib/files/input.js')
    const {parseBatch} = await import('../../lib/dynsec/batch.js')
    const {formatResponse} = await import('../../lib/dynsec/format.js')
    const {sendGuarded} = await import('../../lib/dynsec/run.js')
    const {name, text} = readInputText(args.file, {allowStdin: true, label: 'batch file'})
    const lines = parseBatch(text, name)
    const {backend} = await openBackendFromFlags(flags)
    let responses
    try {
      responses = await sendGuarded(
        backend,
        lines.map((l) => l.request),
      )
    } finally {
      await backend.close()
    }

    const refused = responses.filter((r) => r.error !== undefined).length
    if (refused > 0) process.exitCode = 1
    const results = lines.map((l, i) => ({line: l.line, command: l.spec.name, response: responses[i]}))
    for (const r of results) {
      if (r.response.error !== undefined)
        this.io.stderr.write(`${name}:${r.line}: ${r.command}: Error: ${r.response.error}\n`)
    }

    if (this.jsonEnabled()) {
      return results.map((r) => ({
        line: r.line,
        command: r.command,
        ok: r.response.error === undefined,
        ...(r.response.error === undefined ? {} : {error: r.response.error}),
        ...(r.response.data === undefined ? {} : {data: r.response.data}),
      }))
    }

    for (const [i, r] of results.entries()) {
      if (r.response.error !== undefined || lines[i].spec.output === 'none') continue
      this.out(`# ${name}:${r.line} ${r.command}`)
      for (const line of formatResponse(lines[i].spec.output, r.command, r.response.data)) this.out(line)
    }

    this.io.stderr.write(`${results.length} commands: ${results.length - refused} succeeded, ${refused} refused.\n`)
    return undefined
  }
}
