import { cardToFile, generateIdentity, writeSecretKeyFile } from '@herald/core';
import { spell } from '@herald/trust';
import { ensureWritable, fileError, writeTextFile } from '../files.js';
import { writeStderr, writeStdout } from '../io.js';
import { cardPathFor } from '../keys.js';
import { kdfStrength, readPassphrase } from '../passphrase.js';
import { printable } from '../text.js';

/**
 * An authority is an ordinary identity whose card nodes trust as an anchor.
 * Its key is meant to live offline (an air-gapped laptop, a USB stick in a
 * safe): it is needed only to certify and revoke.
 */
export async function orgInit(flags: { out?: string; label?: string; 'passphrase-file'?: string; force?: boolean }): Promise<void> {
  const keyPath = flags.out ?? '';
  const cardPath = cardPathFor(keyPath);
  const overwrite = flags.force === true;
  const passphrase = await readPassphrase(flags['passphrase-file']);
  await ensureWritable(keyPath, 'authority key file', overwrite);
  await ensureWritable(cardPath, 'authority card file', overwrite);
  const authority = generateIdentity({ label: flags.label ?? 'Organisation authority' });
  try {
    await writeSecretKeyFile(keyPath, authority, passphrase === undefined ? { overwrite } : { overwrite, passphrase, strength: kdfStrength() });
  } catch (error) {
    throw fileError(error, keyPath, 'authority key file');
  }
  await writeTextFile(cardPath, cardToFile(authority.card), 'authority card file', overwrite);
  await writeStderr(
    `wrote ${keyPath} (secret: keep it offline${passphrase === undefined ? ', and consider a passphrase' : ''}) and ${cardPath} (public: give it to every node, herald trust authority ${cardPath} --data-dir DIR)\n`,
  );
  await writeStdout(`authority ${printable(authority.card.label)}\nfingerprint ${authority.card.fingerprint}\n${spell(authority.card.fingerprint).map((words) => `  ${words}`).join('\n')}\n`);
}
