import {z} from 'zod'

/** One profile: the connection flags' long names as keys, so the file reads like the command line. */
export const profileSchema = z
  .object({
    host: z.string().min(1),
    port: z.number().int().min(0).max(65_535),
    username: z.string(),
    pw: z.string(),
    password: z.string(),
    'password-file': z.string(),
    'password-env': z.string(),
    id: z.string(),
    qos: z.union([z.literal(0), z.literal(1), z.literal(2)]),
    'protocol-version': z.union([
      z.literal(5),
      z.literal(311),
      z.literal(31),
      z.enum(['5', '311', '31', 'mqttv5', 'mqttv311', 'mqttv31']),
    ]),
    url: z.string(),
    cafile: z.string(),
    capath: z.string(),
    cert: z.string(),
    key: z.string(),
    ciphers: z.string(),
    insecure: z.boolean(),
    'tls-version': z.enum(['tlsv1.3', 'tlsv1.2', 'tlsv1.1']),
    'tls-use-os-certs': z.boolean(),
    psk: z.string(),
    'psk-identity': z.string(),
    unix: z.string(),
    proxy: z.string(),
    'bind-address': z.string(),
    nodelay: z.boolean(),
    timeout: z.number().positive(),
  })
  .partial()
  .strict()

export const configFileSchema = z
  .object({
    default: z.string().optional(),
    // Each profile is checked against profileSchema only when it is used, so one broken
    // profile does not stop the commands that use another.
    profiles: z.record(z.string(), z.unknown()).default({}),
  })
  .strict()

export type Profile = z.infer<typeof profileSchema>
