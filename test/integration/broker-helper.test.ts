import {execFileSync, spawn, spawnSync} from 'node:child_process'
import {existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs'
import {createServer} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath, pathToFileURL} from 'node:url'

import {afterAll, describe, expect, it} from 'vitest'

import {canConnect, freePort, mqttConnectCheck, startBroker, startRawBroker, type Broker} from '../helpers/broker.js'
import {findMosquittoTools} from '../helpers/mosquitto-install.js'

const tools = findMosquittoTools()
const brokers: Broker[] = []
const dirs: string[] = []

const tmp = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'mqctl-helper-it-'))
  dirs.push(dir)
  return dir
}

const started = async (options: Parameters<typeof startBroker>[0]): Promise<Broker> => {
  const broker = await startBroker(options)
  brokers.push(broker)
  return broker
}

/** Whether a process runs (a zombie left unreaped by a container's PID 1 does not count). */
const alive = (pid: number): boolean => {
  if (!existsSync('/proc/self/stat')) {
    try {
      process.kill(pid, 0)
      return true
    } catch {
      return false
    }
  }

  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return !/^Z/.test(stat.slice(stat.lastIndexOf(')') + 2))
  } catch {
    return false
  }
}

/** Runs a program to completion; the exit code and both outputs. */
function run(cmd: string, args: string[]): Promise<{code: number | null; output: string}> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {stdio: ['ignore', 'pipe', 'pipe']})
    let output = ''
    child.stdout.on('data', (d) => (output += d))
    child.stderr.on('data', (d) => (output += d))
    child.once('error', reject)
    child.once('close', (code) => resolve({code, output}))
  })
}

/** As root, mosquitto drops to user "mosquitto" before binding unix sockets and reading files in root's temp dirs. */
const asRoot = (): string[] => (process.getuid?.() === 0 ? ['user root'] : [])

const openssl = (args: string[], cwd: string) => execFileSync('openssl', args, {cwd, stdio: 'pipe'})

/** A CA, a server certificate for 127.0.0.1/localhost and a client certificate, with the openssl CLI. */
function makePki(dir: string): {
  ca: string
  caKey: string
  cert: string
  key: string
  clientCert: string
  clientKey: string
} {
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes']
  openssl(
    [
      'req',
      '-x509',
      ...ec,
      '-keyout',
      'ca.key',
      '-out',
      'ca.crt',
      '-days',
      '2',
      '-subj',
      '/CN=mqctl test CA',
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    ],
    dir,
  )
  writeFileSync(join(dir, 'server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n')
  openssl(['req', ...ec, '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=localhost'], dir)
  openssl(
    [
      'x509',
      '-req',
      '-in',
      'server.csr',
      '-CA',
      'ca.crt',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-out',
      'server.crt',
      '-days',
      '2',
      '-extfile',
      'server.ext',
    ],
    dir,
  )
  writeFileSync(join(dir, 'client.ext'), 'extendedKeyUsage=clientAuth\n')
  openssl(['req', ...ec, '-keyout', 'client.key', '-out', 'client.csr', '-subj', '/CN=alice'], dir)
  openssl(
    [
      'x509',
      '-req',
      '-in',
      'client.csr',
      '-CA',
      'ca.crt',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-out',
      'client.crt',
      '-days',
      '2',
      '-extfile',
      'client.ext',
    ],
    dir,
  )
  return {
    ca: join(dir, 'ca.crt'),
    caKey: join(dir, 'ca.key'),
    cert: join(dir, 'server.crt'),
    key: join(dir, 'server.key'),
    clientCert: join(dir, 'client.crt'),
    clientKey: join(dir, 'client.key'),
  }
}

afterAll(async () => {
  await Promise.all(brokers.map((b) => b.stop()))
  for (const dir of dirs) rmSync(dir, {recursive: true, force: true})
})

describe('findMosquittoTools', () => {
  it('finds every tool by absolute path, and the dynamic-security plugin', () => {
    for (const path of Object.values(tools)) {
      expect(path.startsWith('/')).toBe(true)
      expect(existsSync(path)).toBe(true)
    }

    expect(tools.dynsecPlugin).toMatch(/\/mosquitto_dynamic_security\.so$/)
    // The helpers need mosquitto 2 (dynamic security, `listener 0 <socket>`).
    expect(spawnSync(tools.broker, ['-h'], {encoding: 'utf8'}).stdout).toMatch(/^mosquitto version 2\./)
  })
})

describe('startBroker', () => {
  it('starts a private broker on a free port of 127.0.0.1 and stops it: process gone, port closed, temp dir removed', async () => {
    const broker = await startBroker({allowAnonymous: true})
    try {
      expect(broker.host).toBe('127.0.0.1')
      expect(broker.port).toBeGreaterThan(1024)
      expect(broker.port).not.toBe(1883)
      expect(alive(broker.pid)).toBe(true)
      expect(broker.isRunning()).toBe(true)
      expect(await canConnect({host: '127.0.0.1', port: broker.port})).toBe(true)
      const conf = readFileSync(broker.configPath, 'utf8')
      expect(broker.configPath).toBe(join(broker.dir, 'mosquitto.conf'))
      expect(conf).toContain(`listener ${broker.port} 127.0.0.1\n`)
      expect(conf).toContain(`log_dest file ${join(broker.dir, 'mosquitto.log')}\n`)
      expect(conf).toContain('log_type all\n')
      if (process.getuid?.() === 0) expect(conf).toContain('user root\n')
      expect(broker.logPath).toBe(join(broker.dir, 'mosquitto.log'))
      expect(broker.readLog()).toMatch(/mosquitto version 2\.\d+\.\d+ running/)
      const check = await mqttConnectCheck({port: broker.port})
      expect(check).toMatchObject({accepted: true, exitCode: 0})
    } finally {
      await broker.stop()
    }

    expect(alive(broker.pid)).toBe(false)
    expect(broker.isRunning()).toBe(false)
    expect(await canConnect({host: '127.0.0.1', port: broker.port})).toBe(false)
    expect(existsSync(broker.dir)).toBe(false)
    await broker.stop() // twice is fine
  })

  it('runs several brokers side by side on different ports', async () => {
    const [a, b] = await Promise.all([started({allowAnonymous: true}), started({allowAnonymous: true})])
    expect(a.port).not.toBe(b.port)
    expect(a.dir).not.toBe(b.dir)
    expect((await mqttConnectCheck({port: a.port})).accepted).toBe(true)
    expect((await mqttConnectCheck({port: b.port})).accepted).toBe(true)
  })

  it('refuses anonymous clients unless allowAnonymous is set', async () => {
    const broker = await started({})
    const check = await mqttConnectCheck({port: broker.port})
    expect(check.accepted).toBe(false)
    expect(check.output).toContain('Not authorized')
  })

  it('authenticates against a password file made by mosquitto_passwd', async () => {
    const dir = tmp()
    const file = join(dir, 'passwd')
    execFileSync(tools.passwd, ['-c', '-b', file, 'alice', 'secret'], {stdio: 'pipe'})
    const broker = await started({passwordFile: file})
    expect(await mqttConnectCheck({port: broker.port, username: 'alice', password: 'secret'})).toMatchObject({
      accepted: true,
      exitCode: 0,
    })
    const wrong = await mqttConnectCheck({port: broker.port, username: 'alice', password: 'wrong'})
    expect(wrong.accepted).toBe(false)
    expect(wrong.output).toContain('Not authorized')
    expect((await mqttConnectCheck({port: broker.port, username: 'bob', password: 'secret'})).accepted).toBe(false)
    expect((await mqttConnectCheck({port: broker.port})).accepted).toBe(false)
    // MQTT 3.1.1 is told apart the same way (CONNACK 5 instead of reason code 0x87).
    expect(
      (await mqttConnectCheck({port: broker.port, username: 'alice', password: 'secret', protocol: 'mqttv311'}))
        .accepted,
    ).toBe(true)
    expect(
      (await mqttConnectCheck({port: broker.port, username: 'alice', password: 'wrong', protocol: 'mqttv311'}))
        .accepted,
    ).toBe(false)
    expect(broker.readLog()).toContain("u'alice'")

    // reload(): mosquitto re-reads the password file on SIGHUP.
    execFileSync(tools.passwd, ['-b', file, 'bob', 'bobpw'], {stdio: 'pipe'})
    expect((await mqttConnectCheck({port: broker.port, username: 'bob', password: 'bobpw'})).accepted).toBe(false)
    await broker.reload()
    expect(broker.readLog()).toContain('Reloading config.')
    expect((await mqttConnectCheck({port: broker.port, username: 'bob', password: 'bobpw'})).accepted).toBe(true)
    expect((await mqttConnectCheck({port: broker.port, username: 'alice', password: 'secret'})).accepted).toBe(true)
  })

  it('tells accepted from refused when the ACL denies the subscription (the check is about the connection)', async () => {
    const dir = tmp()
    const file = join(dir, 'passwd')
    execFileSync(tools.passwd, ['-c', '-b', file, 'alice', 'secret'], {stdio: 'pipe'})
    writeFileSync(join(dir, 'acl'), 'user alice\ntopic read nothing/here\n')
    const broker = await started({passwordFile: file, aclFile: join(dir, 'acl')})
    expect(
      (await mqttConnectCheck({port: broker.port, username: 'alice', password: 'secret', clientId: 'helper-acl'}))
        .accepted,
    ).toBe(true)
    expect(broker.readLog()).toContain('as helper-acl ')
    expect((await mqttConnectCheck({port: broker.port, username: 'alice', password: 'nope'})).accepted).toBe(false)
  })

  it('appends the caller config lines (they apply to the main listener)', async () => {
    const broker = await started({allowAnonymous: true, config: ['max_keepalive 30', '# a comment from the test']})
    const conf = readFileSync(broker.configPath, 'utf8').trimEnd().split('\n')
    expect(conf.slice(-3)).toEqual([
      `listener ${broker.port} 127.0.0.1`,
      'max_keepalive 30',
      '# a comment from the test',
    ])
    expect((await mqttConnectCheck({port: broker.port})).accepted).toBe(true)
  })

  it('moves per_listener_settings to the top and repeats the auth options for each listener', async () => {
    const dir = tmp()
    const file = join(dir, 'passwd')
    execFileSync(tools.passwd, ['-c', '-b', file, 'alice', 'secret'], {stdio: 'pipe'})
    const broker = await started({passwordFile: file, unixSocket: true, config: ['per_listener_settings true']})
    const conf = readFileSync(broker.configPath, 'utf8').split('\n')
    expect(conf.indexOf('per_listener_settings true')).toBeLessThan(conf.findIndex((l) => l.startsWith('listener ')))
    expect(conf.filter((l) => l === `password_file ${file}`)).toHaveLength(2)
    for (const where of [{port: broker.port}, {unix: broker.socketPath}]) {
      expect((await mqttConnectCheck({...where, username: 'alice', password: 'secret'})).accepted).toBe(true)
      expect((await mqttConnectCheck({...where, username: 'alice', password: 'wrong'})).accepted).toBe(false)
    }
  })

  it('throws with the exit code and the end of the log when mosquitto refuses the config', async () => {
    const error: Error = await startBroker({config: ['bogus_option 1']}).then(
      () => {
        throw new Error('started')
      },
      (e: Error) => e,
    )
    expect(error.message).toMatch(/^mosquitto exited with code 3 before listening/)
    expect(error.message).toContain('Error: Unknown configuration variable "bogus_option".')
  })

  it('loads the dynamic-security plugin on a file from mosquitto_ctrl dynsec init', async () => {
    const dir = tmp()
    const file = join(dir, 'dynamic-security.json')
    execFileSync(tools.ctrl, ['dynsec', 'init', file, 'admin', 'adminpw'], {stdio: 'pipe'})
    const broker = await started({dynsec: {configFile: file}})
    expect(readFileSync(broker.configPath, 'utf8')).toContain(
      `plugin ${tools.dynsecPlugin}\nplugin_opt_config_file ${file}\n`,
    )
    expect(broker.readLog()).toContain(`Loading plugin: ${tools.dynsecPlugin}`)
    expect((await mqttConnectCheck({port: broker.port, username: 'admin', password: 'adminpw'})).accepted).toBe(true)
    expect((await mqttConnectCheck({port: broker.port, username: 'admin', password: 'wrong'})).accepted).toBe(false)
    // The plugin answers on $CONTROL/dynamic-security/v1.
    const list = await run(tools.ctrl, [
      '-h',
      '127.0.0.1',
      '-p',
      String(broker.port),
      '-u',
      'admin',
      '-P',
      'adminpw',
      'dynsec',
      'listClients',
    ])
    expect(list.code).toBe(0)
    expect(list.output).toContain('admin')
  })

  it('adds a TLS listener on its own port', async () => {
    const dir = tmp()
    const pki = makePki(dir)
    const broker = await started({
      allowAnonymous: true,
      tls: {port: 'auto', cafile: pki.ca, certfile: pki.cert, keyfile: pki.key},
    })
    expect(broker.tlsPort).toBeGreaterThan(0)
    expect(broker.tlsPort).not.toBe(broker.port)
    const pub = (args: string[]) =>
      run(tools.pub, ['-h', '127.0.0.1', '-p', String(broker.tlsPort), '-t', 'test/tls', '-m', 'x', '-q', '1', ...args])
    const ok = await pub(['--cafile', pki.ca])
    expect(ok).toEqual({code: 0, output: ''})
    expect((await pub(['--cafile', pki.ca, '-h', 'localhost'])).code).toBe(0)
    // Plain MQTT on the TLS port, and a CA that did not sign the server, both fail.
    expect((await pub([])).code).not.toBe(0)
    const other = makePki(tmp())
    expect((await pub(['--cafile', other.ca])).code).not.toBe(0)
    // The plain listener is still there.
    expect((await mqttConnectCheck({port: broker.port})).accepted).toBe(true)
    expect((await mqttConnectCheck({port: broker.tlsPort, cafile: pki.ca})).accepted).toBe(true)
  })

  it('requires client certificates with requireCertificate', async () => {
    const dir = tmp()
    const pki = makePki(dir)
    const broker = await started({
      allowAnonymous: true,
      tls: {cafile: pki.ca, certfile: pki.cert, keyfile: pki.key, requireCertificate: true},
    })
    expect((await mqttConnectCheck({port: broker.tlsPort, cafile: pki.ca})).accepted).toBe(false)
    expect(
      (
        await mqttConnectCheck({
          port: broker.tlsPort,
          cafile: pki.ca,
          extraArgs: ['--cert', pki.clientCert, '--key', pki.clientKey],
        })
      ).accepted,
    ).toBe(true)
  })

  it('adds a unix socket listener', async () => {
    const broker = await started({allowAnonymous: true, unixSocket: true})
    expect(broker.socketPath).toBe(join(broker.dir, 'mqtt.sock'))
    expect(statSync(broker.socketPath!).isSocket()).toBe(true)
    expect(await mqttConnectCheck({unix: broker.socketPath})).toMatchObject({accepted: true, exitCode: 0})
    expect((await mqttConnectCheck({port: broker.port})).accepted).toBe(true)
  })

  // A broker left running must not outlive the process that started it, however that ends:
  // process.exit (the 'exit' handler), SIGTERM (how vitest stops its fork workers: 'exit'
  // handlers do not run), SIGKILL (nothing runs: the watchdog does it).
  it.each(['exit', 'SIGTERM', 'SIGKILL'] as const)(
    'kills brokers left running when the test process ends by %s',
    async (how) => {
      const helper = pathToFileURL(fileURLToPath(new URL('../helpers/broker.ts', import.meta.url))).href
      const dir = tmp()
      const script = join(dir, 'leak.mts')
      writeFileSync(
        script,
        [
          `import {startBroker} from ${JSON.stringify(helper)}`,
          'const b = await startBroker({allowAnonymous: true})',
          'console.log(JSON.stringify({pid: b.pid, dir: b.dir, port: b.port}))',
          "if (process.argv[2] === 'exit') process.exit(0)",
          'setInterval(() => {}, 1000)',
        ].join('\n'),
      )
      const child = spawn(process.execPath, ['--import', 'tsx', script, how], {
        cwd: fileURLToPath(new URL('../..', import.meta.url)),
        stdio: ['ignore', 'pipe', 'pipe'],
      })
      const killer = setTimeout(() => child.kill('SIGKILL'), 30_000)
      let stderr = ''
      child.stderr.on('data', (d) => (stderr += d))
      const closed = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)))
      const line = await new Promise<string>((resolve, reject) => {
        let out = ''
        child.stdout.on('data', (d) => {
          out += d
          if (out.includes('\n')) resolve(out.split('\n')[0])
        })
        child.once('close', () => reject(new Error(`the script ended without output: ${stderr}`)))
      })
      const leaked = JSON.parse(line) as {pid: number; dir: string; port: number}
      if (how !== 'exit') expect(alive(leaked.pid)).toBe(true)
      if (how !== 'exit') child.kill(how)
      await closed
      clearTimeout(killer)
      const until = Date.now() + 5000
      while ((alive(leaked.pid) || existsSync(leaked.dir)) && Date.now() < until)
        await new Promise((r) => setTimeout(r, 20))
      expect(alive(leaked.pid)).toBe(false)
      expect(existsSync(leaked.dir)).toBe(false)
      expect(await canConnect({host: '127.0.0.1', port: leaked.port})).toBe(false)
    },
  )
})

describe('startRawBroker', () => {
  it('starts mosquitto with exactly the given lines', async () => {
    const port = await freePort()
    const lines = [`listener ${port} 127.0.0.1`, 'allow_anonymous true']
    const result = await startRawBroker(lines)
    expect(result.broker).toBeDefined()
    const broker = result.broker!
    brokers.push(broker)
    expect(broker.port).toBe(port)
    expect(readFileSync(broker.configPath, 'utf8')).toBe(lines.join('\n') + '\n')
    expect((await mqttConnectCheck({port})).accepted).toBe(true)
    await broker.stop()
    expect(alive(broker.pid)).toBe(false)
    expect(existsSync(broker.dir)).toBe(false)
  })

  it('finds the listeners and the log file in the lines when no port is given', async () => {
    const dir = tmp()
    const port = await freePort()
    const logFile = join(dir, 'raw.log')
    writeFileSync(logFile, 'an older run\n') // log_dest file appends; readLog() shows this run only
    const result = await startRawBroker(
      [
        `listener ${port}`,
        `listener 0 ${join(dir, 'raw.sock')}`,
        'allow_anonymous true',
        `log_dest file ${logFile}`,
        'log_type all',
        ...asRoot(),
      ],
      {dir},
    )
    const broker = result.broker!
    brokers.push(broker)
    expect(broker.port).toBe(port)
    expect(broker.socketPath).toBe(join(dir, 'raw.sock'))
    expect(broker.logPath).toBe(logFile)
    expect(broker.readLog()).toMatch(/mosquitto version \S+ running/)
    expect(broker.readLog()).not.toContain('an older run')
    expect((await mqttConnectCheck({unix: broker.socketPath})).accepted).toBe(true)
    await broker.stop()
    expect(existsSync(dir)).toBe(true) // a dir the caller gave is the caller's
  })

  it('kills and reports (exit code null) a broker that never listens where it was told to wait', async () => {
    const dir = tmp()
    const result = await startRawBroker([`listener 0 ${join(dir, 'only.sock')}`, ...asRoot()], {
      port: await freePort(),
      timeoutMs: 1000,
    })
    expect(result.broker).toBeUndefined()
    expect(result.exitCode).toBeNull()
    expect(result.log).toContain('was not listening on 127.0.0.1:')
  })

  it('reports a refused config with exit code 3 and the log, without throwing', async () => {
    const port = await freePort()
    const result = await startRawBroker([`listener ${port} 127.0.0.1`, 'bogus_option 1'], {port})
    expect(result.broker).toBeUndefined()
    expect(result.exitCode).toBe(3)
    expect(result.log).toContain('Error: Unknown configuration variable "bogus_option".')
    expect(result.log).toMatch(/Error found at \S+mosquitto\.conf:2\./)
  })

  it('reports a bad ACL file (read before the listeners open) as refused', async () => {
    const dir = tmp()
    writeFileSync(join(dir, 'acl'), 'topic read a\n  # indented\n')
    const port = await freePort()
    const result = await startRawBroker(
      [`listener ${port} 127.0.0.1`, 'allow_anonymous true', `acl_file ${join(dir, 'acl')}`, ...asRoot()],
      port,
    )
    expect(result.broker).toBeUndefined()
    expect(result.exitCode).toBe(3)
    expect(result.log).toContain('Invalid line in acl_file')
  })

  it('reports a port already in use (exit 1, "Address already in use")', async () => {
    const server = createServer()
    const port = await new Promise<number>((resolve) =>
      server.listen(0, '127.0.0.1', () => resolve((server.address() as {port: number}).port)),
    )
    try {
      const result = await startRawBroker([`listener ${port} 127.0.0.1`])
      expect(result.broker).toBeUndefined()
      expect(result.exitCode).toBe(1)
      expect(result.log).toContain('Address already in use')
    } finally {
      server.close()
    }
  })

  it('waits for every listener it names: a second port in use is a refusal, not a start', async () => {
    const server = createServer()
    const taken = await new Promise<number>((resolve) =>
      server.listen(0, '127.0.0.1', () => resolve((server.address() as {port: number}).port)),
    )
    try {
      const port = await freePort()
      const result = await startRawBroker([`listener ${port} 127.0.0.1`, `listener ${taken} 127.0.0.1`], port)
      expect(result.broker).toBeUndefined()
      expect(result.exitCode).toBe(1)
    } finally {
      server.close()
    }
  })
})

describe('mqttConnectCheck', () => {
  it('says refused when nothing listens', async () => {
    const check = await mqttConnectCheck({port: await freePort(), timeoutSeconds: 2})
    expect(check.accepted).toBe(false)
    expect(check.output).toContain('Connection refused')
  })
})
