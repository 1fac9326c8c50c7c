import { chown, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { childPids, killPids, spawnDaemon, waitExit, type Daemon } from './daemon.js';
import { waitForPort, waitForPortClosed } from './ports.js';

export interface DovecotPorts {
  readonly imap: number;
  readonly imaps: number;
  readonly lmtp: number;
  readonly auth: number;
}

export interface DovecotSetup {
  readonly dir: string;
  readonly ports: DovecotPorts;
  readonly certPath: string;
  readonly keyPath: string;
  readonly password: string;
  readonly instance: string;
  /** The capability list advertised after login instead of Dovecot's own. */
  readonly capability?: string;
}

/** Mail is stored as this unprivileged user: the daemon runs as root (it has to bind and switch users), mailboxes do not. */
const MAIL_USER = 'nobody';
const MAIL_GROUP = 'nogroup';

/**
 * Dovecot serving IMAP (STARTTLS and implicit TLS) and LMTP for Postfix, plus
 * its auth service on a TCP port so Postfix authenticates submission users
 * against the same accounts. Every user name is accepted with the one test
 * password (a static passdb): tests invent a fresh mailbox per case.
 */
export async function writeDovecotConfig(setup: DovecotSetup): Promise<string> {
  const { dir, ports } = setup;
  if (setup.capability !== undefined && !/^[A-Za-z0-9 =+.-]+$/.test(setup.capability)) throw new Error(`imapCapability: expected capability names separated by spaces, got ${JSON.stringify(setup.capability)}`);
  for (const sub of ['run', 'state', 'mail']) await mkdir(join(dir, sub), { recursive: true, mode: 0o755 });
  const uid = Number((await import('node:child_process')).execFileSync('id', ['-u', MAIL_USER]).toString().trim());
  const gid = Number((await import('node:child_process')).execFileSync('getent', ['group', MAIL_GROUP]).toString().split(':')[2]);
  await chown(join(dir, 'mail'), uid, gid);
  await writeFile(join(dir, 'password'), `${setup.password}\n`, { mode: 0o600 });
  const config = `# Written by @herald/mail-test-server for one test run; loopback only.
instance_name = ${setup.instance}
base_dir = ${dir}/run
state_dir = ${dir}/state
log_path = ${dir}/dovecot.log
protocols = imap lmtp
listen = 127.0.0.1
ssl = yes
ssl_cert = <${setup.certPath}
ssl_key = <${setup.keyPath}
ssl_dh = </usr/share/dovecot/dh.pem
disable_plaintext_auth = no
auth_mechanisms = plain login
first_valid_uid = 1
mail_location = maildir:${dir}/mail/%n
# New mail is noticed within a second while a client IDLEs (inotify makes it immediate on Linux).
mailbox_idle_check_interval = 1 secs
mail_fsync = always
passdb {
  driver = static
  args = password=${setup.password}
}
userdb {
  driver = static
  args = uid=${MAIL_USER} gid=${MAIL_GROUP} home=${dir}/mail/%n
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = ${ports.imap}
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = ${ports.imaps}
    ssl = yes
  }
}
service lmtp {
  inet_listener lmtp {
    address = 127.0.0.1
    port = ${ports.lmtp}
  }
}
service auth {
  inet_listener auth {
    address = 127.0.0.1
    port = ${ports.auth}
  }
}
protocol lmtp {
  auth_username_format = %n
}
${setup.capability === undefined ? '' : `protocol imap {\n  imap_capability = ${setup.capability}\n}\n`}`;
  const path = join(dir, 'dovecot.conf');
  await writeFile(path, config, { mode: 0o644 });
  return path;
}

export interface DovecotProcess {
  readonly daemon: Daemon;
  stop(): Promise<void>;
}

export async function startDovecot(setup: DovecotSetup, configPath: string): Promise<DovecotProcess> {
  const daemon = spawnDaemon('dovecot', ['-F', '-c', configPath], join(setup.dir, 'stdout.log'));
  const ports = [setup.ports.imap, setup.ports.imaps, setup.ports.lmtp, setup.ports.auth];
  try {
    for (const port of ports) await waitForPort(port, 15_000, 'dovecot');
  } catch (error) {
    daemon.signal('SIGKILL');
    throw error;
  }
  return {
    daemon,
    async stop() {
      const children = daemon.pid === undefined ? [] : childPids(daemon.pid);
      daemon.signal('SIGTERM');
      await waitExit(daemon, 10_000);
      killPids(children);
      for (const port of ports) await waitForPortClosed(port, 10_000, 'dovecot');
    },
  };
}
