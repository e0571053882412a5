import {MqctlError} from '../lib/errors.js'
import type {PromptFn} from '../lib/secrets/password.js'

/** True when a person can answer a prompt. */
export const canPrompt = (): boolean => Boolean(process.stdin.isTTY)

/**
 * Masked password prompt on the terminal. It draws on stderr so stdout stays clean for
 * output that scripts capture (`passwd -c -`, `hash`).
 */
export const promptPassword: PromptFn = async (message) => {
  const {password} = await import('@inquirer/prompts')
  try {
    return await password({message, mask: '*'}, {output: process.stderr})
  } catch (error) {
    if ((error as Error).name === 'ExitPromptError') {
      throw new MqctlError('REFUSED_INTERRUPTED', 'interrupted', {exit: 130})
    }

    throw error
  }
}
