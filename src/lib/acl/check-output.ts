import {MqctlError} from '../errors.js'

export interface AclCheckInput {
  file: string
  user?: string
  anonymous: boolean
  clientId: string
  topic: string
  access: 'read' | 'write'
  explain: boolean
}

/**
 * `acl check`'s decision, its --json document and its text lines: the oclif command and the fast
 * front end (src/cli/lint.ts) both print these.
 */
export async function aclCheckOutput(input: AclCheckInput) {
  if (!input.user && !input.anonymous) throw new MqctlError('USAGE_ACL_CHECK', 'give --user NAME or --anonymous')
  const {checkAclQuery, decisionJson, explainLines, readAcl, refuseBroken} = await import('./query.js')
  const query = {username: input.user, clientId: input.clientId, topic: input.topic, access: input.access}
  checkAclQuery(query)
  const {name, acl} = readAcl(input.file)
  refuseBroken(name, acl)
  const {evaluateAcl} = await import('./evaluate.js')
  const decision = evaluateAcl(acl, query)
  const result = decisionJson(decision, query)
  const {escapeForLine} = await import('../output/escape.js')
  const lines = [
    ...(input.explain ? explainLines(decision) : []),
    escapeForLine(`${result.verdict}: ${decision.reason}`),
  ]
  return {allowed: decision.allowed, result, lines}
}
