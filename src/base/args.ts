import {Args} from '@oclif/core'

/*
 * String arguments that never read stdin. oclif fills a missing argument from piped stdin by
 * default, which would swallow the password lines mqctl reads from stdin itself.
 */
export const requiredArg = (description: string) => Args.string({description, required: true, ignoreStdin: true})
export const optionalArg = (description: string) => Args.string({description, ignoreStdin: true})
