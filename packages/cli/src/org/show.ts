import { type Card } from '@herald/core';
import { CERTIFICATE_PREFIX, REVOCATIONS_PREFIX, ROTATION_PREFIX, parseChain, parseRevocationList, parseRotation, spell } from '@herald/trust';
import { readTextFile } from '../files.js';
import { writeStdout } from '../io.js';
import { loadCardOrKey } from '../keys.js';
import { printable } from '../text.js';

/** What two people compare aloud: the label, the fingerprint, and the fingerprint spelled in words. */
export function aloud(card: Card, indent = ''): string {
  return `${indent}${printable(card.label) || '(no label)'}\n${indent}fingerprint ${card.fingerprint}\n${spell(card.fingerprint).map((words) => `${indent}  ${words}`).join('\n')}\n`;
}

/** Shows an authority (card or key), a certificate file, a revocation list or a rotation statement. */
export async function orgShow(file: string, passphraseFile: string | undefined): Promise<void> {
  const text = file.trimStart().startsWith('herald-card:') ? file : await readTextFile(file, 'file');
  if (text.includes(CERTIFICATE_PREFIX)) {
    const chain = parseChain(text);
    const parts = chain.map((certificate, index) => {
      const head = index === 0 ? 'certificate of' : 'issued by the sub-authority';
      const kind = certificate.authority ? `sub-authority, may have ${certificate.pathLength} below it` : 'member';
      return `${head}:\n${aloud(certificate.subject, '  ')}  ${kind}${certificate.role ? `, role ${printable(certificate.role)}` : ''}\n  valid ${certificate.notBefore.toISOString()} to ${certificate.notAfter.toISOString()}\n  issuer ${certificate.issuerFingerprint}\n`;
    });
    await writeStdout(`${parts.join('')}the chain ends at authority ${chain[chain.length - 1]!.issuerFingerprint}: compare it with the authority card you trust\n`);
    return;
  }
  if (text.includes(REVOCATIONS_PREFIX)) {
    const list = parseRevocationList(text);
    await writeStdout(`revocation list ${list.serial} by authority ${list.issuerFingerprint}, issued ${list.issued.toISOString()}\n${list.entries.map((entry) => `  ${entry.fingerprintText}  ${entry.reason}  since ${entry.revokedAt.toISOString()}\n`).join('') || '  (nothing revoked)\n'}`);
    return;
  }
  if (text.includes(ROTATION_PREFIX)) {
    const statement = parseRotation(text);
    await writeStdout(`key rotation of ${printable(statement.previous.label)}, ${statement.issued.toISOString()}\nfrom:\n${aloud(statement.previous, '  ')}to:\n${aloud(statement.successor, '  ')}`);
    return;
  }
  await writeStdout(`authority ${aloud(await loadCardOrKey(file, passphraseFile))}`);
}
