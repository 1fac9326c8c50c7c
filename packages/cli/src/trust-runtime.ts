import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isPassphraseProtected, toHex, type Card, type HeraldNode, type Identity, type NodeTrust, type ProxyOption, type RetiredIdentity, type Transport } from '@herald/core';
import { webSocketTransport } from '@herald/transport-websocket';
import { ROTATION_CONTENT_TYPE, createTrust, type CertificateChain, type Trust } from '@herald/trust';
import { dataDir } from './data-dir.js';
import { writeStderr } from './io.js';
import { readPassphrase } from './passphrase.js';
import { collectingOnly, receiveOnly } from './receive-only.js';
import { retiredKeys } from './retired.js';
import { certificateBytes, compact, trustDir } from './trust-dir.js';
import { markVerified, verifiedMarks } from './verified.js';

export interface NodeTrustSetup {
  /** What createNode takes: the policy, and retired identities still in their grace period. */
  readonly options: { readonly trust: NodeTrust; readonly retiredIdentities?: readonly RetiredIdentity[] };
  readonly trust: Trust;
  /** This node's own certificate chain (DIR/trust), if it has one. */
  readonly chain: CertificateChain | undefined;
  /** Announces pending rotations to contacts (once each) and starts keeping DIR's contacts in step with theirs. */
  afterStart(node: HeraldNode, contacts: readonly Card[]): Promise<void>;
  /**
   * The channels the node runs: `channels` (relay ones limited to this key's mailbox once there are retired keys),
   * then for each relay in `urls` and each retired key a channel that collects the retired key's mailbox, and only that.
   */
  channels(channels: readonly Transport[], urls: readonly string[], proxy?: ProxyOption): Transport[];
}

/**
 * Every CLI node runs a trust policy built from DIR/trust. With no authority
 * configured it requires nothing, yet still understands rotations, revocation
 * lists and carried certificates; with authorities it requires a valid chain
 * unless `herald trust require no` said otherwise.
 */
export async function nodeTrust(dataDirPath: string, identity: Identity, passphraseFile: string | undefined): Promise<NodeTrustSetup> {
  const dir = trustDir(dataDirPath);
  const anchors = await dir.authorities();
  const chain = await dir.certificate(identity.card.fingerprint);
  const trust = await createTrust({ anchors, require: anchors.length > 0 && (await dir.require()), store: dir.store, self: identity.card, ...(chain ? { chain } : {}) });
  const retired = retiredKeys(dataDirPath);
  const retiredIdentities = await retired.identities(await passphraseIfNeeded(dataDirPath, passphraseFile));

  // A contact's rotation reaches DIR too, so the next command starts with the new card.
  trust.subscribe((event) => {
    if (event.type !== 'rotated') return;
    void followRotation(dataDirPath, event.previous, event.successor).catch((error: unknown) => writeStderr(`warning: could not update contacts after a rotation: ${(error as Error).message}\n`));
  });

  return {
    options: { trust, ...(retiredIdentities.length > 0 ? { retiredIdentities } : {}) },
    trust,
    chain,
    channels(channels, urls, proxy) {
      if (retiredIdentities.length === 0) return [...channels];
      const isRelay = (url: string): boolean => url.startsWith('ws://') || url.startsWith('wss://');
      const own = toHex(identity.card.routingTag);
      // A relay hands out a mailbox only to the key that proves it owns it: the retired key authenticates for its own.
      const retired = urls.filter(isRelay).flatMap((url) =>
        retiredIdentities.map(({ identity: old }) => {
          const certificate = certificateBytes(dataDirPath, old.card.fingerprint);
          const channel = webSocketTransport({ url, identity: old, ...(proxy === undefined ? {} : { proxy }), name: `${url}#retired-${compact(old.card.fingerprint).slice(0, 10)}`, ...(certificate ? { certificate } : {}) });
          return receiveOnly(collectingOnly(channel, toHex(old.card.routingTag)));
        }),
      );
      return [...channels.map((channel) => (isRelay(channel.name) ? collectingOnly(channel, own) : channel)), ...retired];
    },
    async afterStart(node, contacts) {
      // Strict receivers refuse an uncertified announcement: wait for this key's certificate when authorities are set.
      if (anchors.length > 0 && !chain) return;
      for (const statement of await retired.statements()) {
        if (statement.successor.fingerprint !== identity.card.fingerprint) continue;
        const done = await retired.announced(statement);
        const pending = contacts.filter((card) => !done.has(card.fingerprint) && card.fingerprint !== identity.card.fingerprint);
        for (const card of pending) await node.send(card, statement.bytes, { contentType: ROTATION_CONTENT_TYPE, precedence: 'PRIORITY', ttl: 7 * 24 * 3600 });
        if (pending.length > 0) await retired.markAnnounced(statement, pending.map((card) => card.fingerprint));
      }
    },
  };
}

async function passphraseIfNeeded(dataDirPath: string, passphraseFile: string | undefined): Promise<string | undefined> {
  const path = join(dataDirPath, 'retired');
  const names = await readdir(path).catch(() => [] as string[]);
  for (const name of names.filter((entry) => entry.endsWith('.key'))) if (isPassphraseProtected(await readFile(join(path, name), 'utf8'))) return readPassphrase(passphraseFile);
  return undefined;
}

/** Replaces the old card by its successor in DIR/contacts; a verified mark follows, saying how. */
async function followRotation(dataDirPath: string, previous: Card, successor: Card): Promise<void> {
  const contacts = dataDir(dataDirPath);
  if (!(await contacts.removeContact(previous))) return;
  await contacts.addContact(successor);
  if ((await verifiedMarks(dataDirPath)).has(previous.fingerprint)) await markVerified(dataDirPath, successor, `rotation from ${previous.fingerprint}`);
  await writeStderr(`contact ${previous.label} rotated to a new key: ${successor.fingerprint}\n`);
}
