import nodemailer from 'nodemailer';
import * as socks from 'socks';
import { TransportError, unlessAborted, type Route } from '@herald/core';
import { addressesFor } from './address-book.js';
import { composeMail } from './compose.js';
import type { HealthTracker } from './health.js';
import type { ResolvedEmailInit } from './init.js';
import type { ResolvedAccount } from './account.js';
import { mapSmtpError } from './smtp-errors.js';

/** SMTP connections kept open at once; a submission server rarely allows many more per account. */
const MAX_CONNECTIONS = 4;
const FIRST_PROBE_DELAY_MS = 250;

export interface SmtpSender {
  /** Checks the server once (connect, TLS, AUTH), so health is known when start resolves. */
  start(): Promise<void>;
  /** Resolves when the SMTP server accepted the mail for every address: its 250 reply after DATA. */
  send(envelope: Uint8Array, route: Route, signal: AbortSignal | undefined): Promise<void>;
  stop(): void;
}

export function smtpTransportOptions(account: ResolvedAccount, heloName: string, timeoutMs: number): Parameters<typeof nodemailer.createTransport>[0] {
  return {
    pool: true,
    maxConnections: MAX_CONNECTIONS,
    maxMessages: 1000,
    host: account.host,
    port: account.port,
    secure: account.security === 'tls',
    // STARTTLS is required, never opportunistic: a stripped STARTTLS must fail, not fall back to cleartext.
    requireTLS: account.security === 'starttls',
    ignoreTLS: account.security === 'none',
    ...(account.user !== undefined && account.password !== undefined ? { auth: { user: account.user, pass: account.password } } : {}),
    tls: { minVersion: 'TLSv1.2', ...(account.ca === undefined ? {} : { ca: account.ca }), ...(account.servername === undefined ? {} : { servername: account.servername }) },
    // EHLO names the mail domain, not this machine: the host name would travel in the Received: header.
    name: heloName,
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: 3 * timeoutMs,
    logger: false,
    debug: false,
    disableFileAccess: true,
    disableUrlAccess: true,
    // nodemailer knows socks5:// (the destination's name goes to the proxy unresolved), not the socks5h:// spelling.
    ...(account.proxy === undefined ? {} : { proxy: account.proxy.url.replace(/^socks5h:/, 'socks5:') }),
  } as Parameters<typeof nodemailer.createTransport>[0];
}

export function smtpSender(init: ResolvedEmailInit, account: ResolvedAccount, health: HealthTracker): SmtpSender {
  const { name } = init;
  const transporter = nodemailer.createTransport(smtpTransportOptions(account, init.heloName, init.timeoutMs));
  // nodemailer speaks SOCKS through the `socks` client it is handed.
  if (account.proxy?.protocol === 'socks5h') transporter.set('proxy_socks_module', socks);
  let stopped = false;
  let probeTimer: NodeJS.Timeout | undefined;
  let probeDelay = FIRST_PROBE_DELAY_MS;

  const failed = (problem: string): void => {
    health.set('smtp', problem);
    if (!probeTimer && !stopped) probeTimer = setTimeout(probe, probeDelay);
  };

  async function check(): Promise<void> {
    try {
      await transporter.verify();
      probeDelay = FIRST_PROBE_DELAY_MS;
      health.set('smtp', undefined);
    } catch (error) {
      if (stopped) return;
      probeDelay = Math.min(init.maxReconnectDelayMs, probeDelay * 2);
      failed(mapSmtpError(error, name, 'checking the SMTP server').error.message);
    }
  }

  // While SMTP is failing, a probe (connect, TLS, AUTH, QUIT) brings health back when the server returns.
  function probe(): void {
    probeTimer = undefined;
    if (!stopped) void check();
  }

  async function one(envelope: Uint8Array, to: string): Promise<void> {
    try {
      await transporter.sendMail(await composeMail(envelope, { from: init.address, to, format: init.format, camouflage: init.camouflage }));
    } catch (error) {
      const mapped = mapSmtpError(error, name, `sending to ${to}`);
      if (mapped.serverDown) failed(mapped.error.message);
      throw mapped.error;
    }
  }

  return {
    start: check,
    async send(envelope, route, signal) {
      const addresses = addressesFor(route, init.addressBook, name, init.addressOfCardTag);
      // nodemailer cannot withdraw a mail once handed over: abort stops the wait, and the mail may still be accepted (the node deduplicates).
      await unlessAborted(Promise.all(addresses.map((to) => one(envelope, to))), signal, () => new TransportError('ABORTED', name, 'send aborted', { cause: signal?.reason }));
      health.set('smtp', undefined);
    },
    stop() {
      stopped = true;
      clearTimeout(probeTimer);
      transporter.close();
    },
  };
}
