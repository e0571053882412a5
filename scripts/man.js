#!/usr/bin/env node
/*
 * Generates the roff man pages in man/man1/ from oclif.manifest.json and package.json.
 *
 *   npm run build && npm run man        regenerate man/man1/ (pages of removed commands are deleted)
 *   node scripts/man.js --check         exit 1 and name the stale pages, 0 when they are current
 *   node scripts/man.js --out DIR       write into DIR instead of man/man1/ (with --check: compare DIR)
 *   node scripts/man.js --manifest F    read the manifest F instead of oclif.manifest.json
 *
 * Pages: mqctl.1 (overview: every command with its summary, exit statuses, environment, files)
 * and one page per visible command, mqctl-<id, every ':' replaced by '-'>.1 (mqctl-passwd-verify.1),
 * with NAME, SYNOPSIS, DESCRIPTION, OPTIONS, EXIT STATUS, FILES, ENVIRONMENT, EXAMPLES, SEE ALSO.
 * Everything on a command page comes from the command class through the manifest: summary,
 * description, usage (else a synopsis built from args and flags), flags (grouped by helpGroup)
 * and args, examples (`<%= config.bin %>` becomes mqctl; long commands are broken in shell
 * syntax). In descriptions, blank lines separate paragraphs, lines starting with "- " are
 * bullets, and indented lines are a preformatted block (a tagged list when its rows are
 * "term  text" and too wide for 80 columns).
 *
 * Per-command manual metadata
 * ---------------------------
 * oclif copies every static property of a command class it does not know into the manifest
 * (see @oclif/core lib/util/cache-command.js, "additionalProperties"), including properties
 * inherited from a base class. A command, or a base class for a whole family, may therefore
 * declare
 *
 *   static manual = {
 *     exitStatus?: Array<[string, string]>,   // [status, meaning]: replaces the shared table
 *     files?: Array<[string, string]>,        // [path, what it is]
 *     environment?: Array<[string, string]>,  // [VARIABLE, meaning]: added to NO_COLOR, MQCTL_DEBUG
 *     seeAlso?: string[],                     // ['mosquitto_passwd(1)', ...]: added to the automatic ones
 *   }
 *
 * It must be plain JSON (it is serialised into the manifest). A subclass's `manual` replaces
 * its base class's as a whole: spread the base's to extend it
 * (`static manual = {...DynsecCommand.manual, seeAlso: [...]}`). Texts are plain text (no roff);
 * blank lines separate paragraphs. Without `exitStatus` a page shows the shared table of
 * DESIGN.md section 4; SEE ALSO always names mqctl(1), the related mqctl pages (the parent
 * command, sub-commands, and siblings when the topic is small), the mosquitto tools the
 * description mentions, and mosquitto(8). Flags declaring `env` are listed under ENVIRONMENT.
 *
 * Output is deterministic: no date (the footer carries the package version), stable ordering.
 *
 * The generator is typed TypeScript in scripts/man/ (roff escaping, synopsis, options, examples,
 * pages), run through tsx; the exit table, the environment and the files texts are read from
 * src (src/cli/exit-policy.ts, src/lib/io.ts, src/base/manual.ts), the modules that act on them.
 */
import {register} from 'tsx/esm/api'

register()
const {main} = await import('./man/main.ts')
main()
