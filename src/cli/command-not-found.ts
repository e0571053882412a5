import type {Hook} from '@oclif/core'

/**
 * oclif's command_not_found: names the closest command ("mqctl acl lnt" → "acl lint") instead
 * of only "not found". Exit 2, as for every usage error.
 */
const hook: Hook<'command_not_found'> = async function (options) {
  const {closest} = await import('../lib/suggest.js')
  const typedWords = options.id.split(':')
  const commands = options.config.commandIDs.filter((id) => !options.config.findCommand(id)?.hidden)
  const candidates = [...commands, ...options.config.topics.map((t) => t.name)].map((id) => id.split(':'))
  // oclif folds every leading word into the id ("acl:lnt:file"): compare as many words as each candidate has.
  let best: string | undefined
  let bestTyped = typedWords.join(' ')
  for (const words of candidates) {
    const typed = typedWords.slice(0, words.length).join(' ')
    const guess = closest(typed, [words.join(' ')])
    if (guess && (!best || guess.split(' ').length > best.split(' ').length)) {
      best = guess
      bestTyped = typed
    }
  }

  const bin = options.config.bin
  process.stderr.write(`${bin}: "${bestTyped}" is not a ${bin} command (see "${bin} --help").\n`)
  if (best) process.stderr.write(`Did you mean "${best}"?\n`)
  this.exit(2)
}

export default hook
