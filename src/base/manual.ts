/*
 * Texts of mqctl(1) that belong to no single command: the variables and files every command
 * that connects reads. Plain data (no oclif), read by scripts/man. The connection variables
 * belong next to the connection-option table (src/lib/connection) once it exists.
 */

/** Listed on mqctl(1) only, after the I/O variables; commands add theirs through `static manual`. */
export const OVERVIEW_ENVIRONMENT: ReadonlyArray<readonly [string, string]> = [
  [
    'MQCTL_HOST',
    'Broker host for the commands that connect. Connection settings are taken, highest first, from flags, these MQCTL_* variables, the selected profile, the mosquitto_ctrl options file, and defaults.',
  ],
  ['MQCTL_PORT', 'Broker port for the commands that connect.'],
  ['MQCTL_USERNAME', 'Username to connect as.'],
  ['MQCTL_PASSWORD', 'Password to connect with; unlike -P it stays out of the process list.'],
  ['MQCTL_PROFILE', 'Profile of the mqctl config file to use when --profile is not given.'],
  ['MQCTL_CONFIG_DIR', 'Directory holding the mqctl config file, config.yaml.'],
  [
    'SSL_CERT_FILE',
    "CA file of the system store (--tls-use-os-certs, port 8883, mqtts://) in place of OPENSSLDIR/cert.pem, as OpenSSL reads it for mosquitto's clients; set but empty: none. OPENSSLDIR is the system OpenSSL's: the first of /usr/lib/ssl, /etc/pki/tls, /etc/ssl, /usr/local/ssl that holds an openssl.cnf.",
  ],
  [
    'SSL_CERT_DIR',
    'Hashed CA directories of the system store (several separated by :) in place of OPENSSLDIR/certs; only files named <subject hash>.N are read (openssl rehash makes them); set but empty: none.',
  ],
  [
    'NODE_EXTRA_CA_CERTS',
    "A PEM file of CAs added wherever the system store is used (also with --tls-use-os-certs --cafile), never with --cafile or --capath alone; node's bundled CA list is never used.",
  ],
  [
    'XDG_CONFIG_HOME',
    'Base directory of the mqctl config file (when MQCTL_CONFIG_DIR is unset) and of the mosquitto_ctrl options file; ~/.config when unset.',
  ],
]

export const OVERVIEW_FILES: ReadonlyArray<readonly [string, string]> = [
  [
    '$MQCTL_CONFIG_DIR/config.yaml, $XDG_CONFIG_HOME/mqctl/config.yaml, ~/.config/mqctl/config.yaml',
    'Connection profiles: the first of these paths whose variable is set (the last one otherwise).',
  ],
  [
    '$XDG_CONFIG_HOME/mosquitto_ctrl, ~/.config/mosquitto_ctrl',
    "mosquitto_ctrl's options file, one option per line, read by the commands that connect (-o FILE names another).",
  ],
]

/** The --json contract, as mqctl(1) states it (the schemas are in docs/json/). */
export const JSON_OUTPUT_TEXT = `With --json, standard output carries exactly one JSON document and nothing else; warnings, prompts and progress stay on standard error. On success it is the command's data, whose JSON Schema is docs/json/<command>.json (for example docs/json/dynsec-getClient.json); objects may gain fields in later versions, but none is removed or changes type.

Commands that answer yes or no report it in one shared field, "verdict": "allow" or "deny" (docs/json/verdict.json), beside their data; "deny" goes with exit status 1.

On failure the document is {"error": {"code", "message", "exit", "hint"?, "location"?, "details"?}} (docs/json/error.json), and the process exits with the status in "exit".`
