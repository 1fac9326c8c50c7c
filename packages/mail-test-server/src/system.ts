import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDovecot, writeDovecotConfig, type DovecotProcess, type DovecotSetup } from './dovecot.js';
import { childPids, killPids } from './daemon.js';
import { freePort } from './ports.js';
import { startPostfix, writePostfixConfig, type PostfixProcess, type PostfixSetup } from './postfix.js';
import { makeCertificate } from './tls.js';

export interface MailSystemOptions {
  /** The mail domain served; every local part in it is a mailbox. Default `herald.test`. */
  readonly domain?: string;
  /** Postfix's message_size_limit in bytes. Default 10 240 000 (Postfix's own default). */
  readonly messageSizeLimit?: number;
  /**
   * The IMAP capabilities Dovecot advertises after login (its imap_capability), to test clients against a
   * plainer server, e.g. one without IDLE, MOVE or UIDPLUS. Default: Dovecot's own list.
   */
  readonly imapCapability?: string;
}

/** A real mail system on loopback: Postfix for submission, Dovecot for IMAP and local delivery (LMTP). */
export interface MailSystem {
  readonly host: '127.0.0.1';
  readonly domain: string;
  /** The password of every mailbox (Dovecot's static passdb): tests invent mailboxes freely. */
  readonly password: string;
  /** The self-signed certificate (PEM) both daemons present; clients trust it as their only CA. */
  readonly ca: string;
  /** Submission: `port` with STARTTLS, `securePort` with implicit TLS. */
  readonly smtp: { readonly port: number; readonly securePort: number };
  /** IMAP: `port` with STARTTLS, `securePort` with implicit TLS. */
  readonly imap: { readonly port: number; readonly securePort: number };
  readonly dir: string;
  /** A fresh, unique address in the domain (`prefix-<random>@domain`). */
  newAddress(prefix: string): string;
  readonly smtpRunning: boolean;
  readonly imapRunning: boolean;
  /** Stops or starts one daemon; mail already queued or stored survives. */
  stopSmtp(): Promise<void>;
  startSmtp(): Promise<void>;
  stopImap(): Promise<void>;
  startImap(): Promise<void>;
  /** The daemons' logs, for a failing test's message. */
  logs(): Promise<string>;
  /** Stops both daemons and removes the folder. */
  close(): Promise<void>;
}

/** Says why the mail system cannot run here, or undefined when it can. */
export function mailSystemUnavailable(): string | undefined {
  const missing = ['postfix', 'dovecot', 'openssl'].filter((command) => {
    try {
      execFileSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' });
      return false;
    } catch {
      return true;
    }
  });
  if (missing.length > 0) {
    return `the e-mail integration tests run a real Postfix and Dovecot, but ${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not installed: apt-get install postfix dovecot-imapd dovecot-lmtpd openssl (bash .ci/run installs them)`;
  }
  if (process.getuid?.() !== 0) return 'the e-mail integration tests start Postfix and Dovecot, whose masters must run as root (they switch to their own users): run the tests as root, as CI does';
  return undefined;
}

/** Kills a daemon and its direct children by pid (SIGKILL): the last resort at process exit. */
function killTree(pid: number): void {
  killPids([...childPids(pid), pid]);
}

export async function startMailSystem(options: MailSystemOptions = {}): Promise<MailSystem> {
  const unavailable = mailSystemUnavailable();
  if (unavailable) throw new Error(unavailable);
  const domain = options.domain ?? 'herald.test';
  const dir = await mkdtemp(join(tmpdir(), 'herald-mail-'));
  // The daemons' unprivileged users must reach their folders below it.
  await chmod(dir, 0o755);
  const cert = await makeCertificate(dir);
  const password = randomBytes(12).toString('hex');
  const [imap, imaps, lmtp, auth, smtp, smtps] = [await freePort(), await freePort(), await freePort(), await freePort(), await freePort(), await freePort()];
  const dovecotSetup: DovecotSetup = { dir: join(dir, 'dovecot'), ports: { imap, imaps, lmtp, auth }, certPath: cert.certPath, keyPath: cert.keyPath, password, instance: `herald-${randomBytes(4).toString('hex')}`, ...(options.imapCapability === undefined ? {} : { capability: options.imapCapability }) };
  const postfixSetup: PostfixSetup = { dir: join(dir, 'postfix'), domain, smtpPort: smtp, smtpsPort: smtps, lmtpPort: lmtp, authPort: auth, certPath: cert.certPath, keyPath: cert.keyPath, messageSizeLimit: options.messageSizeLimit ?? 10_240_000 };
  await mkdir(dovecotSetup.dir, { mode: 0o755 });
  await mkdir(postfixSetup.dir, { mode: 0o755 });
  const dovecotConfig = await writeDovecotConfig(dovecotSetup);
  await writePostfixConfig(postfixSetup);

  let dovecot: DovecotProcess | undefined;
  let postfix: PostfixProcess | undefined;
  const system: MailSystem = {
    host: '127.0.0.1',
    domain,
    password,
    ca: cert.certPem,
    smtp: { port: smtp, securePort: smtps },
    imap: { port: imap, securePort: imaps },
    dir,
    newAddress: (prefix) => `${prefix}-${randomBytes(5).toString('hex')}@${domain}`,
    get smtpRunning() {
      return postfix?.daemon.running ?? false;
    },
    get imapRunning() {
      return dovecot?.daemon.running ?? false;
    },
    async startImap() {
      if (!dovecot?.daemon.running) dovecot = await startDovecot(dovecotSetup, dovecotConfig);
    },
    async stopImap() {
      await dovecot?.stop();
      dovecot = undefined;
    },
    async startSmtp() {
      if (!postfix?.daemon.running) postfix = await startPostfix(postfixSetup);
    },
    async stopSmtp() {
      await postfix?.stop();
      postfix = undefined;
    },
    async logs() {
      const read = (path: string): Promise<string> => readFile(path, 'utf8').catch(() => '');
      return `--- postfix ---\n${await read(join(postfixSetup.dir, 'maillog'))}\n--- dovecot ---\n${await read(join(dovecotSetup.dir, 'dovecot.log'))}`;
    },
    async close() {
      await Promise.allSettled([system.stopSmtp(), system.stopImap()]);
      await rm(dir, { recursive: true, force: true });
    },
  };
  // A test process that exits without close() (a failed hook, a worker ended by its runner) must not leave
  // daemons behind: on exit, stop exactly this run's Postfix and Dovecot, synchronously, and drop the folder.
  const onExit = (): void => {
    try {
      if (postfix?.daemon.running) execFileSync('postfix', ['-c', postfixSetup.dir, 'abort'], { stdio: 'ignore', timeout: 10_000 });
    } catch {
      // Already stopped.
    }
    if (dovecot?.daemon.running && dovecot.daemon.pid !== undefined) killTree(dovecot.daemon.pid);
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', onExit);
  const close = system.close;
  system.close = async () => {
    process.off('exit', onExit);
    await close();
  };
  try {
    // Dovecot first: Postfix authenticates through it and delivers into it.
    await system.startImap();
    await system.startSmtp();
  } catch (error) {
    const logs = await system.logs();
    await system.close();
    throw new Error(`the test mail system did not start: ${error instanceof Error ? error.message : String(error)}\n${logs.slice(-4000)}`, { cause: error });
  }
  return system;
}
