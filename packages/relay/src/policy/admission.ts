import { readFile } from 'node:fs/promises';
import { unwatchFile, watchFile } from 'node:fs';
import type { Logger } from 'pino';
import { OptionsError, TrustError, constantTimeEqual, type Card } from '@herald/core';
import { decodeChain, parseRevocationList, revocationSet, verifyChain, type CertificateChain, type RevocationList } from '@herald/trust';
import { loadAllowList } from './allow.js';

/** A connection the admission keeps an eye on: closed at once when a newer list revokes its chain, or when the chain expires. */
export interface Admitted {
  expel(reason: string): void;
}

/**
 * Admission by organisation certificate (docs/relay-protocol.md section 4.1):
 * a client shows its chain (CERTIFICATE frame) before AUTH; the relay admits
 * it only if the chain certifies the key that signed the AUTH and leads to one
 * of `admitAuthorities`, unrevoked and unexpired. A newer revocation list
 * (the `admitRevocations` file, watched, or `update`) closes revoked clients
 * on the spot.
 */
export interface Admission {
  /** The verified chain when admitted; otherwise the refusal, `CODE: why`. */
  check(signingPublicKey: Uint8Array, chainBytes: Uint8Array | undefined): { chain: CertificateChain } | { refusal: string };
  track(client: Admitted, chain: CertificateChain): void;
  untrack(client: Admitted): void;
  /** Takes a newer list (file text or binary). Throws STALE_REVOCATION_LIST, BAD_REVOCATION_LIST, UNTRUSTED_AUTHORITY. */
  update(input: string | Uint8Array): 'updated' | 'unchanged';
  /** When the oldest revocation list held was issued; undefined while none is held. */
  oldestRevocationList(): Date | undefined;
  close(): void;
}

const RECHECK_MS = 60_000;
const WATCH_MS = 500;

export async function relayAdmission(authorityFiles: readonly string[] | undefined, revocationsFile: string | undefined, log: Logger): Promise<Admission | undefined> {
  const anchors: Card[] | undefined = await loadAllowList(authorityFiles, 'admitAuthorities');
  if (!anchors) {
    if (revocationsFile !== undefined) throw new OptionsError('admitRevocations: needs admitAuthorities');
    return undefined;
  }
  if (anchors.length === 0) throw new OptionsError('admitAuthorities: expected at least one authority card');
  const revocations = revocationSet();
  const tracked = new Map<Admitted, CertificateChain>();

  const verdict = (chain: CertificateChain): string | undefined => {
    try {
      verifyChain(chain, { anchors, revocations });
      return undefined;
    } catch (error) {
      if (error instanceof TrustError) return `${error.code}: ${error.message}`;
      throw error;
    }
  };
  const sweep = (): void => {
    for (const [client, chain] of tracked) {
      const refusal = verdict(chain);
      if (refusal) {
        tracked.delete(client);
        client.expel(refusal);
      }
    }
  };
  const update = (input: string | Uint8Array): 'updated' | 'unchanged' => {
    const list: RevocationList = parseRevocationList(input);
    // Anchors or the sub-authorities of a chain the relay admitted; anyone else's list means nothing here.
    const issuers = [...anchors.map((card) => card.signingPublicKey), ...[...tracked.values()].flatMap((chain) => chain.filter((item) => item.authority).map((item) => item.subject.signingPublicKey))];
    if (!issuers.some((key) => constantTimeEqual(key, list.issuerKey))) throw new TrustError('UNTRUSTED_AUTHORITY', `revocation list from ${list.issuerFingerprint}, which is not an admitted authority`);
    const outcome = revocations.accept(list);
    if (outcome === 'updated') {
      log.info({ issuer: list.issuerFingerprint, serial: list.serial, revoked: list.entries.length }, 'revocation list taken');
      sweep();
    }
    return outcome;
  };
  const reload = async (): Promise<void> => {
    if (revocationsFile === undefined) return;
    let text: string;
    try {
      text = await readFile(revocationsFile, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    update(text);
  };
  // At start a bad or stale file stops the relay; later, a bad replacement is logged and the held list stays.
  try {
    await reload();
  } catch (error) {
    throw new OptionsError(`admitRevocations: ${revocationsFile}: ${(error as Error).message}`, { cause: error });
  }
  if (revocationsFile !== undefined) {
    watchFile(revocationsFile, { interval: WATCH_MS, persistent: false }, () => {
      reload().catch((error: unknown) => log.warn({ file: revocationsFile, err: { message: (error as Error).message } }, 'revocation list refused'));
    });
  }
  // Certificates expire while clients stay connected.
  const timer = setInterval(sweep, RECHECK_MS);
  timer.unref();

  return {
    oldestRevocationList: () => revocations.all().reduce<Date | undefined>((oldest, list) => (oldest === undefined || list.issued < oldest ? list.issued : oldest), undefined),
    check(signingPublicKey, chainBytes) {
      if (!chainBytes) return { refusal: 'UNCERTIFIED: this relay admits only clients certified by its authorities; no certificate was shown' };
      let chain: CertificateChain;
      try {
        const decoded = decodeChain(chainBytes);
        if (decoded.end !== chainBytes.length) throw new TrustError('BAD_CERTIFICATE', 'bytes after the certificate chain');
        chain = decoded.chain;
      } catch (error) {
        if (error instanceof TrustError) return { refusal: `${error.code}: ${error.message}` };
        throw error;
      }
      if (!constantTimeEqual(chain[0]!.subject.signingPublicKey, signingPublicKey)) return { refusal: 'BAD_CERTIFICATE: the certificate is for another key than the one that authenticated' };
      const refusal = verdict(chain);
      return refusal ? { refusal } : { chain };
    },
    track: (client, chain) => void tracked.set(client, chain),
    untrack: (client) => void tracked.delete(client),
    update,
    close() {
      clearInterval(timer);
      if (revocationsFile !== undefined) unwatchFile(revocationsFile);
      tracked.clear();
    },
  };
}
