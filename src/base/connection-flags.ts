import {Flags} from '@oclif/core'

/**
 * Connection flags shared by every command that talks to a broker. Long names only: the
 * mosquitto_ctrl short forms (-h -p -u -P -i …) are accepted before the command word and
 * rewritten to these by src/hooks/ctrl-argv.ts, because after the command the short letters
 * belong to it (`createClient -p` is the new client's password).
 */
const group = 'CONNECTION'
const s = (description: string) => Flags.string({description, helpGroup: group})
const b = (description: string) => Flags.boolean({description, helpGroup: group})

export const connectionFlags = {
  host: s('Broker host (default localhost). Before the command also -h.'),
  port: s('Broker port (default 1883, 8883 with TLS). Before the command also -p.'),
  username: s('Username to connect as. Before the command also -u.'),
  pw: s(
    'Password to connect with (visible in the process list; prefer MQCTL_PASSWORD, a profile or --admin-password-stdin). Before the command also -P.',
  ),
  'admin-password-stdin': b('Read the connection password as one line from standard input.'),
  id: s('MQTT client id (default: assigned by the broker). Before the command also -i.'),
  qos: s('QoS for the request and the reply subscription (0-2, default 1). Before the command also -q.'),
  'protocol-version': s('MQTT version: 5 (default), 311 or 31. Before the command also -V.'),
  url: s('mqtt(s)://[user[:password]@]host[:port][/topic]. Before the command also -L.'),
  cafile: s('CA certificates (PEM) to verify the broker with; enables TLS.'),
  capath: s('Directory of CA certificates (PEM); enables TLS.'),
  cert: s('Client certificate (PEM), with --key.'),
  key: s('Client private key (PEM), with --cert.'),
  keyform: s('Key format: pem.'),
  ciphers: s('OpenSSL cipher list.'),
  insecure: b(
    "Do not check that the broker's certificate names the host (-h); the certificate chain and dates are still verified.",
  ),
  'tls-version': s('Minimum TLS version: tlsv1.3, tlsv1.2 or tlsv1.1.'),
  'tls-use-os-certs': b("Trust the system's CA certificates (also implied by port 8883)."),
  'tls-alpn': s('TLS ALPN protocol to offer.'),
  psk: s('TLS pre-shared key, hexadecimal (TLS 1.2).'),
  'psk-identity': s('Identity for --psk.'),
  unix: s('Connect through this Unix socket instead of TCP.'),
  proxy: s('SOCKS5 proxy: socks5h://[user[:password]@]host[:port].'),
  'bind-address': s('Local address to connect from. Before the command also -A.'),
  nodelay: b("Disable Nagle's algorithm."),
  debug: b('Log MQTT packets to stderr. Before the command also -d.'),
  quiet: b('Do not print the unencrypted-connection warning.'),
  'options-file': s(
    'mosquitto_ctrl options file to read instead of ~/.config/mosquitto_ctrl. Before the command also -o.',
  ),
  timeout: s('Seconds to wait for the broker and the plugin (default 10).'),
  profile: s('Profile of ~/.config/mqctl/config.yaml to use (or MQCTL_PROFILE).'),
}

export const CONNECTION_FLAG_NAMES = new Set(Object.keys(connectionFlags))

/** Man page metadata shared by the commands that connect (see scripts/man.js). */
export const connectionManual = {
  environment: [
    [
      'MQCTL_HOST, MQCTL_PORT, MQCTL_USERNAME, MQCTL_PASSWORD',
      'Connection settings, below flags and above profiles and the options file.',
    ],
    ['MQCTL_PROFILE', 'Profile to use when --profile is not given.'],
    ['MQCTL_CONFIG_DIR, XDG_CONFIG_HOME', 'Where the profile file and the mosquitto_ctrl options file are looked for.'],
  ] as Array<[string, string]>,
  files: [
    [
      '$MQCTL_CONFIG_DIR/config.yaml, $XDG_CONFIG_HOME/mqctl/config.yaml, ~/.config/mqctl/config.yaml',
      'Connection profiles.',
    ],
    [
      '$XDG_CONFIG_HOME/mosquitto_ctrl, ~/.config/mosquitto_ctrl',
      "mosquitto_ctrl's options file, one option per line.",
    ],
  ] as Array<[string, string]>,
  seeAlso: ['mosquitto_ctrl(1)'],
}

/** mosquitto_ctrl's short letters (spec 2.2), by long flag name. */
const CTRL_LETTERS: Partial<Record<keyof typeof connectionFlags, string>> = {
  host: 'h',
  port: 'p',
  username: 'u',
  pw: 'P',
  id: 'i',
  qos: 'q',
  'protocol-version': 'V',
  url: 'L',
  'bind-address': 'A',
  debug: 'd',
  'options-file': 'o',
}

/**
 * The connection flags with mosquitto_ctrl's short letters, for a command with no short flags
 * of its own (probe), where `mqctl probe -h host -u alice` is what a mosquitto_sub user types.
 */
export const connectionFlagsWithLetters = Object.fromEntries(
  Object.entries(connectionFlags).map(([name, flag]) => {
    const char = CTRL_LETTERS[name as keyof typeof connectionFlags]
    return [
      name,
      char ? {...flag, char, description: flag.description!.replace(/ Before the command also -\w\.$/, '')} : flag,
    ]
  }),
) as typeof connectionFlags
