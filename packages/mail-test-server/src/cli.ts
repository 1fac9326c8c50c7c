#!/usr/bin/env node
import { startMailSystem } from './system.js';

/**
 * Runs the test mail system by hand (for trying the e-mail channel locally):
 * prints its ports, password and CA as JSON, and stops on SIGINT/SIGTERM.
 */
const system = await startMailSystem();
// The password stays in a 0600 file in the run's folder, not on stdout.
process.stdout.write(`${JSON.stringify({ domain: system.domain, host: system.host, smtp: system.smtp, imap: system.imap, passwordFile: `${system.dir}/dovecot/password`, dir: system.dir, config: { postfix: `${system.dir}/postfix/main.cf`, dovecot: `${system.dir}/dovecot/dovecot.conf` }, ca: system.ca }, null, 2)}\n`);
const stop = (): void => void system.close().then(() => process.exit(0));
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
