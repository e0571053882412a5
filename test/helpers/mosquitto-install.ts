import {execFileSync, spawnSync} from 'node:child_process'
import {existsSync, readdirSync} from 'node:fs'
import {delimiter, join} from 'node:path'

export interface MosquittoTools {
  broker: string
  passwd: string
  ctrl: string
  pub: string
  sub: string
  dynsecPlugin: string
}

function which(name: string, extra: string[] = []): string | undefined {
  for (const dir of [...(process.env.PATH ?? '').split(delimiter), ...extra]) {
    const path = join(dir, name)
    if (dir && existsSync(path)) return path
  }

  return undefined
}

function findPlugin(): string | undefined {
  const roots = ['/usr/lib', '/usr/local/lib']
  for (const root of roots) {
    if (!existsSync(root)) continue
    for (const sub of ['', ...readdirSync(root)]) {
      for (const path of [join(root, sub, 'mosquitto_dynamic_security.so'), join(root, sub, 'mosquitto', 'mosquitto_dynamic_security.so')]) {
        if (existsSync(path)) return path
      }
    }
  }

  return undefined
}

/** Absolute paths of the mosquitto programs the tests use, or undefined for a missing one. */
export function locateMosquittoTools(): Partial<MosquittoTools> {
  return {
    broker: which('mosquitto', ['/usr/sbin', '/usr/local/sbin']),
    passwd: which('mosquitto_passwd'),
    ctrl: which('mosquitto_ctrl'),
    pub: which('mosquitto_pub'),
    sub: which('mosquitto_sub'),
    dynsecPlugin: findPlugin(),
  }
}

export function findMosquittoTools(): MosquittoTools {
  const tools = locateMosquittoTools()
  const missing = Object.entries(tools).filter(([, v]) => !v).map(([k]) => k)
  if (missing.length > 0) throw new Error(`mosquitto tools missing (${missing.join(', ')}): run "sudo apt-get install -y mosquitto mosquitto-clients"`)
  return tools as MosquittoTools
}

/** Installs mosquitto with apt when running as root; otherwise fails with one line saying how. */
export function ensureMosquitto(): MosquittoTools {
  const missing = Object.values(locateMosquittoTools()).some((v) => !v)
  if (missing) {
    const root = process.getuid?.() === 0
    const apt = spawnSync('sh', ['-c', 'command -v apt-get']).status === 0
    if (!root || !apt) {
      throw new Error('mosquitto is not installed: run "sudo apt-get install -y mosquitto mosquitto-clients" and run the tests again')
    }

    const env = {...process.env, DEBIAN_FRONTEND: 'noninteractive'}
    try {
      execFileSync('apt-get', ['update'], {env, stdio: 'pipe'})
      execFileSync('apt-get', ['install', '-y', 'mosquitto', 'mosquitto-clients'], {env, stdio: 'pipe'})
    } catch (error) {
      const e = error as {stdout?: Buffer; stderr?: Buffer}
      throw new Error(`apt-get install mosquitto failed: ${String(e.stderr ?? e.stdout ?? error).split('\n').slice(-3).join(' ')}`)
    }
  }

  return findMosquittoTools()
}
