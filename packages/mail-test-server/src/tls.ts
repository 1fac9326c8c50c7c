import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface TestCertificate {
  readonly certPath: string;
  readonly keyPath: string;
  /** The certificate in PEM: clients pass it as their only trusted CA, so TLS is verified for real. */
  readonly certPem: string;
}

/** A throwaway self-signed P-256 certificate for 127.0.0.1 and localhost, made by the openssl command. */
export async function makeCertificate(dir: string): Promise<TestCertificate> {
  const certPath = join(dir, 'cert.pem');
  const keyPath = join(dir, 'key.pem');
  const args = ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', keyPath, '-out', certPath, '-days', '2', '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost'];
  await run('openssl', args, { timeout: 20_000 });
  return { certPath, keyPath, certPem: await readFile(certPath, 'utf8') };
}
