import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A throwaway certificate authority and a server certificate it signed, as PEM files in one folder. */
export interface TestCertificates {
  /** The CA's certificate: what clients pass as `caFile` to verify the server for real. */
  readonly caFile: string;
  /** The server's certificate (for 127.0.0.1 and localhost) and key: what `startNatsCluster({ tls })` serves. */
  readonly certPath: string;
  readonly keyPath: string;
  /** A client certificate and key the same CA signed: what a client gives a server that verifies clients. */
  readonly clientCertPath: string;
  readonly clientKeyPath: string;
}

async function openssl(dir: string, ...args: string[]): Promise<void> {
  await run('openssl', args, { cwd: dir, timeout: 20_000 });
}

const P256 = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

/**
 * Makes, with the openssl command, a P-256 CA named `prefix` in `dir`, a server certificate it signs for
 * 127.0.0.1 and localhost, and a client certificate, valid two days: a TLS test that trusts `caFile` only verifies the chain and the name;
 * a second call with another prefix gives a CA that must not be trusted for the first one's server.
 */
export async function makeTestCertificates(dir: string, prefix = 'test'): Promise<TestCertificates> {
  const name = (suffix: string): string => `${prefix}-${suffix}`;
  await openssl(dir, 'req', '-x509', ...P256, '-keyout', name('ca.key'), '-out', name('ca.crt'), '-days', '2', '-subj', `/CN=herald ${prefix} CA`);
  const signed = async (who: string, subject: string, names: string): Promise<void> => {
    await openssl(dir, 'req', ...P256, '-keyout', name(`${who}.key`), '-out', name(`${who}.csr`), '-subj', subject);
    await writeFile(join(dir, name(`${who}.ext`)), `subjectAltName=${names}\n`);
    await openssl(dir, 'x509', '-req', '-in', name(`${who}.csr`), '-CA', name('ca.crt'), '-CAkey', name('ca.key'), '-CAcreateserial', '-out', name(`${who}.crt`), '-days', '2', '-extfile', name(`${who}.ext`));
  };
  await signed('server', '/CN=localhost', 'IP:127.0.0.1,DNS:localhost');
  await signed('client', '/CN=herald-relay', 'DNS:herald-relay');
  return {
    caFile: join(dir, name('ca.crt')),
    certPath: join(dir, name('server.crt')),
    keyPath: join(dir, name('server.key')),
    clientCertPath: join(dir, name('client.crt')),
    clientKeyPath: join(dir, name('client.key')),
  };
}
