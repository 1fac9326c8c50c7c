import { execFile } from 'node:child_process';
import { chown, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { spawnDaemon, waitExit, type Daemon } from './daemon.js';
import { waitForPort, waitForPortClosed } from './ports.js';

const run = promisify(execFile);

export interface PostfixSetup {
  readonly dir: string;
  readonly domain: string;
  /** Submission with STARTTLS (and SASL auth against Dovecot). */
  readonly smtpPort: number;
  /** Submission over implicit TLS (smtps). */
  readonly smtpsPort: number;
  readonly lmtpPort: number;
  readonly authPort: number;
  readonly certPath: string;
  readonly keyPath: string;
  readonly messageSizeLimit: number;
}

/**
 * Postfix as the submission MTA: authenticated clients only (SASL through
 * Dovecot's auth service), TLS before AUTH, every mail for the test domain
 * handed by LMTP to Dovecot. Queue and data folders live in the run's temp
 * folder; nothing is written to /etc/postfix or /var/spool/postfix.
 */
export async function writePostfixConfig(setup: PostfixSetup): Promise<void> {
  const { dir } = setup;
  await mkdir(join(dir, 'queue'), { recursive: true, mode: 0o755 });
  await mkdir(join(dir, 'data'), { recursive: true, mode: 0o700 });
  const { stdout } = await run('id', ['-u', 'postfix']);
  const { stdout: gid } = await run('id', ['-g', 'postfix']);
  await chown(join(dir, 'data'), Number(stdout.trim()), Number(gid.trim()));
  const main = `# Written by @herald/mail-test-server for one test run; loopback only.
compatibility_level = 3.6
queue_directory = ${dir}/queue
data_directory = ${dir}/data
mail_owner = postfix
setgid_group = postdrop
myhostname = mail.${setup.domain}
mydomain = ${setup.domain}
myorigin = ${setup.domain}
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mydestination =
local_recipient_maps =
alias_maps =
alias_database =
relay_domains =
mynetworks = 127.0.0.0/8
virtual_mailbox_domains = ${setup.domain}
virtual_transport = lmtp:inet:127.0.0.1:${setup.lmtpPort}
smtpd_relay_restrictions = permit_sasl_authenticated, reject_unauth_destination
smtpd_sasl_type = dovecot
smtpd_sasl_path = inet:127.0.0.1:${setup.authPort}
smtpd_tls_cert_file = ${setup.certPath}
smtpd_tls_key_file = ${setup.keyPath}
smtpd_tls_security_level = may
smtpd_tls_auth_only = yes
maillog_file_prefixes = ${dir}
maillog_file = ${dir}/maillog
biff = no
message_size_limit = ${setup.messageSizeLimit}
smtputf8_enable = no
# Tests restart the mail system: retry deferred mail quickly rather than after the default 5 minutes.
queue_run_delay = 1s
minimal_backoff_time = 1s
maximal_backoff_time = 2s
lmtp_connect_timeout = 5s
`;
  const submission = '-o smtpd_sasl_auth_enable=yes -o smtpd_client_restrictions=permit_sasl_authenticated,reject';
  const master = `# service type private unpriv chroot wakeup maxproc command
127.0.0.1:${setup.smtpPort} inet n - n - - smtpd ${submission}
127.0.0.1:${setup.smtpsPort} inet n - n - - smtpd ${submission} -o smtpd_tls_wrappermode=yes
cleanup   unix  n - n - 0 cleanup
qmgr      unix  n - n 300 1 qmgr
tlsmgr    unix  - - n 1000? 1 tlsmgr
rewrite   unix  - - n - - trivial-rewrite
bounce    unix  - - n - 0 bounce
defer     unix  - - n - 0 bounce
trace     unix  - - n - 0 bounce
verify    unix  - - n - 1 verify
flush     unix  n - n 1000? 0 flush
proxymap  unix  - - n - - proxymap
smtp      unix  - - n - - smtp
relay     unix  - - n - - smtp
showq     unix  n - n - - showq
error     unix  - - n - - error
retry     unix  - - n - - error
discard   unix  - - n - - discard
lmtp      unix  - - n - - lmtp
anvil     unix  - - n - 1 anvil
scache    unix  - - n - 1 scache
postlog   unix-dgram n - n - 1 postlogd
`;
  await writeFile(join(dir, 'main.cf'), main, { mode: 0o644 });
  await writeFile(join(dir, 'master.cf'), master, { mode: 0o644 });
}

export interface PostfixProcess {
  readonly daemon: Daemon;
  stop(): Promise<void>;
}

/** `postfix -c DIR start-fg`: the master stays in the foreground as our child, so the test run owns it. */
export async function startPostfix(setup: PostfixSetup): Promise<PostfixProcess> {
  const daemon = spawnDaemon('postfix', ['-c', setup.dir, 'start-fg'], join(setup.dir, 'stdout.log'));
  const ports = [setup.smtpPort, setup.smtpsPort];
  try {
    for (const port of ports) await waitForPort(port, 20_000, 'postfix');
  } catch (error) {
    await run('postfix', ['-c', setup.dir, 'abort']).catch(() => undefined);
    daemon.signal('SIGKILL');
    throw error;
  }
  return {
    daemon,
    async stop() {
      // The master's own graceful stop: queued mail stays in the queue folder for the next start.
      await run('postfix', ['-c', setup.dir, 'stop'], { timeout: 15_000 }).catch(() => undefined);
      await waitExit(daemon, 10_000);
      for (const port of ports) await waitForPortClosed(port, 10_000, 'postfix');
    },
  };
}
