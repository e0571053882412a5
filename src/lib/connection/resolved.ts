import {z} from 'zod'

/** What resolveConnection returns (resolve.ts builds it; test/lib/connection/resolved.test.ts checks it against this). */
export const resolvedConnectionSchema = z.object({
  host: z.string(),
  port: z.number().int(),
  username: z.string().optional(),
  password: z.string().optional(),
  clientId: z.string().optional(),
  qos: z.union([z.literal(0), z.literal(1), z.literal(2)]),
  protocolVersion: z.union([z.literal(3), z.literal(4), z.literal(5)]),
  tls: z
    .object({
      cafile: z.string().optional(),
      capath: z.string().optional(),
      cert: z.string().optional(),
      key: z.string().optional(),
      ciphers: z.string().optional(),
      insecure: z.boolean(),
      minVersion: z.enum(['TLSv1.1', 'TLSv1.2', 'TLSv1.3']).optional(),
      useOsCerts: z.boolean(),
      alpn: z.string().optional(),
      psk: z.object({key: z.string(), identity: z.string()}).optional(),
    })
    .optional(),
  unix: z.string().optional(),
  proxy: z
    .object({
      host: z.string(),
      port: z.number().int(),
      username: z.string().optional(),
      password: z.string().optional(),
    })
    .optional(),
  bindAddress: z.string().optional(),
  nodelay: z.boolean(),
  debug: z.boolean(),
  quiet: z.boolean(),
  /** TLS-only options given for a connection that is plain text (they do nothing): warned about. */
  ignoredTlsOptions: z.array(z.string()),
  timeoutMs: z.number().positive(),
  /** Which layer each setting came from, for `profile show`. */
  sources: z.record(z.string(), z.string()),
  profile: z.string().optional(),
})

export type ResolvedConnection = z.infer<typeof resolvedConnectionSchema>
