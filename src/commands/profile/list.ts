import {escapeForLine} from '../../lib/output/escape.js'
import {MqctlCommand} from '../../base/command.js'
import {profileKeyNames} from '../../lib/connection/options-table.js'

export default class ProfileList extends MqctlCommand {
  static override summary = 'List the connection profiles of the mqctl config file.'

  static override description = `Profiles live in $MQCTL_CONFIG_DIR/config.yaml, else $XDG_CONFIG_HOME/mqctl/config.yaml, else ~/.config/mqctl/config.yaml:

  default: prod
  profiles:
    prod:
      host: broker.example.com
      port: 8883
      cafile: /etc/ssl/certs/my-ca.pem
      username: admin
      password-env: MQTT_ADMIN_PASSWORD
    local:
      unix: /run/mosquitto/mosquitto.sock

Keys are the connection flags' long names, with the same checks as on the command line (${profileKeyNames().join(', ')}). Select one with --profile NAME or MQCTL_PROFILE; "default" names the one used otherwise. Each profile is validated when it is used: a broken one stops only the commands that use it, and this list shows it with its problem.

The current profile (MQCTL_PROFILE, else the default) is marked with "*". Manage them with "profile add", "profile set", "profile use" and "profile remove".

Precedence: flags, then MQCTL_HOST/MQCTL_PORT/MQCTL_USERNAME/MQCTL_PASSWORD, then the profile, then the mosquitto_ctrl options file, then defaults.`

  async run(): Promise<unknown> {
    await this.parse(ProfileList)
    const {configFilePath, loadConfigFile} = await import('../../lib/connection/profiles.js')
    const path = configFilePath()
    const config = await loadConfigFile(path)
    const names = config?.names ?? []
    // A broken profile is listed with its problem rather than hiding the others.
    const problems: Record<string, string> = {}
    for (const name of names) {
      try {
        config!.profile(name)
      } catch (error) {
        problems[name] = (error as Error).message
      }
    }

    // The profile a command would use now (MQCTL_PROFILE, else the default), marked as kubectl marks its context.
    const wanted = process.env.MQCTL_PROFILE || config?.default
    const current = wanted !== undefined && names.includes(wanted) ? wanted : undefined
    if (!this.jsonEnabled()) {
      if (!config) this.io.stderr.write(`no config file at ${path}\n`)
      for (const name of names) {
        const notes = [
          name === config?.default ? 'default' : '',
          problems[name] ? `invalid: ${problems[name]}` : '',
        ].filter(Boolean)
        const mark = current === undefined ? '' : name === current ? '* ' : '  '
        // Names and problems come from the file: escaped so they cannot drive the terminal.
        this.out(`${mark}${escapeForLine(`${name}${notes.length > 0 ? ` (${notes.join('; ')})` : ''}`)}`)
      }
    }

    return {file: path, default: config?.default, current, profiles: names, invalid: problems}
  }
}
