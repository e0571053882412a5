/**
 * `mqctl config gen`: a validated options object → a complete, commented mosquitto.conf.
 *
 * - `GenOptionsSchema` (zod) is the model; `generateConf` and `reviewGenOptions` are pure.
 * - `resolveGenOptions` turns command-line words (a `GenRequest`, also what the wizard
 *   produces) plus a preset into options; it is pure too, given the plugin paths the caller
 *   found on disk.
 * - `findPlugins` and `checkGenPaths` are the only functions here that touch the filesystem.
 *
 * Broker facts this relies on (mosquitto-spec.md section 5, checked against 2.0.11):
 * per_listener_settings must precede every security option; 2.0 loads a `plugin` line once per
 * listener block, and two dynamic-security instances on one file duplicate its clients; 2.0 drops
 * root privileges right after reading the config, before it opens ports, password, ACL, key and
 * plugin files; 2.1 takes `plugin_load NAME PATH` globally and `plugin_use NAME` per listener.
 */
export * from './gen-schema.js'
export * from './gen-layout.js'
export * from './gen-print.js'
export * from './gen-request.js'
export * from './gen-files.js'
