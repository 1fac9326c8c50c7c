import { OptionsError, constantTimeEqual, toHex, type Card, type NodeTrust, type OutboundMessage } from '@herald/core';
import { TrustError } from './errors.js';
import { utf8 } from './bytes.js';
import type { CertificateChain } from './chain.js';
import { attachments } from './attachments.js';
import { chainCache } from './chains.js';
import { judge, type JudgeContext } from './judge.js';
import { decodeRevocationList, parseRevocationList, type RevocationList } from './revocation.js';
import { revocationSet } from './revocation-set.js';
import { rotationBook } from './rotations.js';
import { memoryTrustStore, type TrustStore } from './store.js';
import { verifyChain, type VerifiedChain } from './verify.js';
import { CERTIFIED_CONTENT_TYPE, wrapCertified } from './wrapper.js';

export interface TrustInit {
  /** Cards of the authorities this node trusts (trust anchors). At least one when `require` is on. */
  readonly anchors: readonly Card[];
  /** Default true: every sender must hold a valid chain to an anchor. When false, chains are checked when present and revocation always applies. */
  readonly require?: boolean;
  /** This node's own chain, attached to outgoing messages until each recipient has acknowledged one carrying it. */
  readonly chain?: CertificateChain;
  /** This node's card: the own chain must certify it. */
  readonly self?: Card;
  /** Revocation lists known at start (from files); the store's newer ones win. */
  readonly revocations?: readonly RevocationList[];
  /** Durable state. Default in memory. */
  readonly store?: TrustStore;
  /** Default 300 s, as for envelopes. */
  readonly maxClockSkewSeconds?: number;
  readonly now?: () => number;
}

export type TrustEvent =
  | { readonly type: 'revocations'; readonly list: RevocationList }
  | { readonly type: 'rotated'; readonly previous: Card; readonly successor: Card }
  | { readonly type: 'certified'; readonly card: Card; readonly role: string }
  | { readonly type: 'error'; readonly error: Error };

/** The node's trust policy (`createNode({ trust })`) plus what applications and the CLI ask of it. */
export interface Trust extends NodeTrust {
  readonly anchors: readonly Card[];
  /** Takes a newer revocation list (object, binary or file text). Throws STALE_REVOCATION_LIST, BAD_REVOCATION_LIST, UNTRUSTED_AUTHORITY. */
  importRevocationList(input: RevocationList | Uint8Array | string): Promise<'updated' | 'unchanged'>;
  revocationLists(): RevocationList[];
  /** Verifies a chain against this policy's anchors and revocation lists. */
  verify(chain: CertificateChain, now?: number): VerifiedChain;
  /** The cached chain of a certified sender. */
  chainOf(signingPublicKey: Uint8Array): CertificateChain | undefined;
  /** Whether a list held revokes `card`'s key, directly or through its cached chain. */
  revoked(card: Card): boolean;
  onRevocations(listener: () => void): () => void;
  subscribe(listener: (event: TrustEvent) => void): () => void;
}

/** Builds a trust policy and loads its durable state. */
export async function createTrust(init: TrustInit): Promise<Trust> {
  // No anchors makes sense only without a requirement: rotations and carried chains are then still understood.
  if (!Array.isArray(init.anchors) || (init.anchors.length === 0 && (init.require ?? true))) throw new OptionsError('anchors: expected at least one authority card (or require: false)');
  if (init.chain && init.chain.length === 0) throw new OptionsError('chain: expected at least one certificate');
  if (init.chain && init.self && !constantTimeEqual(init.chain[0]!.subject.signingPublicKey, init.self.signingPublicKey)) throw new OptionsError(`chain: certifies ${init.chain[0]!.subject.fingerprint}, not this node (${init.self.fingerprint})`);
  const store = init.store ?? memoryTrustStore();
  const now = init.now ?? Date.now;
  const skew = init.maxClockSkewSeconds ?? 300;
  const listeners = new Set<(event: TrustEvent) => void>();
  const emit = (event: TrustEvent): void => {
    for (const listener of [...listeners]) {
      try {
        listener(event);
      } catch {
        // A faulty listener must not break verification.
      }
    }
  };
  const revocations = revocationSet();
  const chains = chainCache(store);
  const rotations = rotationBook(store);
  const own = init.chain ? attachments(init.chain, store, (error) => emit({ type: 'error', error })) : undefined;
  const anchors = [...init.anchors];

  for (const name of await store.list('revocations')) {
    const bytes = await store.get(name);
    if (bytes) revocations.accept(decodeRevocationList(bytes));
  }
  await chains.load();
  await rotations.load();
  await own?.load();

  const verify = (chain: CertificateChain, at = now()): VerifiedChain => verifyChain(chain, { anchors, revocations, now: at, maxClockSkewSeconds: skew });

  async function importRevocationList(input: RevocationList | Uint8Array | string): Promise<'updated' | 'unchanged'> {
    const list = typeof input === 'string' || input instanceof Uint8Array ? parseRevocationList(input) : input;
    const trusted = [...anchors.map((card) => card.signingPublicKey), ...chains.authorityKeys(), ...(init.chain ?? []).filter((item) => item.authority).map((item) => item.subject.signingPublicKey)];
    if (!trusted.some((key) => constantTimeEqual(key, list.issuerKey))) throw new TrustError('UNTRUSTED_AUTHORITY', `revocation list from ${list.issuerFingerprint}, which is not a trusted authority`);
    const outcome = revocations.accept(list);
    if (outcome === 'updated') {
      await store.put(`revocations/${toHex(list.issuerKey)}`, list.bytes);
      emit({ type: 'revocations', list });
    }
    return outcome;
  }
  for (const list of init.revocations ?? []) {
    try {
      await importRevocationList(list);
    } catch (error) {
      // The store already holds a newer list from this authority: keep it.
      if (!(error instanceof TrustError && error.code === 'STALE_REVOCATION_LIST')) throw error;
    }
  }

  /** Refuses to seal to a key its authority withdrew (directly, or through its cached chain). */
  function checkRecipient(card: Card): void {
    const hit = revocations.revoked(card.signingPublicKey, anchors.map((anchor) => anchor.signingPublicKey));
    if (hit) throw new TrustError('REVOKED', `recipient ${card.fingerprint} was revoked (${hit.entry.reason}) by ${hit.list.issuerFingerprint}`);
    const chain = chains.get(card.signingPublicKey);
    if (!chain) return;
    try {
      verify(chain);
    } catch (error) {
      if (error instanceof TrustError && error.code === 'REVOKED') throw new TrustError('REVOKED', `recipient ${error.message}`);
    }
  }

  const context: JudgeContext = { anchors, require: init.require ?? true, skew, revocations, chains, rotations, importRevocationList, verify, emit };

  return {
    anchors,
    contacts: {
      bySigningKey: (key) => chains.resolver.bySigningKey(key) ?? rotations.resolver.bySigningKey(key),
      byKeyId: (id) => chains.resolver.byKeyId(id) ?? rotations.resolver.byKeyId(id),
    },
    inbound: (message, inboundContext) => judge(context, message, inboundContext),
    outbound(message: OutboundMessage, recipients: readonly Card[]): OutboundMessage {
      for (const card of recipients) checkRecipient(card);
      if (!init.chain || !own?.needed(recipients.map((card) => card.fingerprint))) return message;
      const body = typeof message.payload === 'string' ? utf8(message.payload) : message.payload;
      // The same defaults as seal's, so the recipient sees the type it would have seen unwrapped.
      const contentType = message.contentType ?? (typeof message.payload === 'string' ? 'text/plain; charset=utf-8' : 'application/octet-stream');
      return { payload: wrapCertified(init.chain, contentType, body), contentType: CERTIFIED_CONTENT_TYPE };
    },
    sealed(id, recipients, message) {
      if (message.contentType === CERTIFIED_CONTENT_TYPE) own?.sent(id, recipients.map((card) => card.fingerprint));
    },
    acknowledged: (id, from) => own?.acknowledged(id, from),
    successor: (card) => rotations.successor(card),
    revoked(card) {
      try {
        checkRecipient(card);
        return false;
      } catch (error) {
        if (error instanceof TrustError && error.code === 'REVOKED') return true;
        throw error;
      }
    },
    onRevocations(listener) {
      const watch = (event: TrustEvent): void => {
        if (event.type === 'revocations') listener();
      };
      listeners.add(watch);
      return () => listeners.delete(watch);
    },
    aliases: (fingerprint) => rotations.predecessors(fingerprint),
    importRevocationList,
    revocationLists: () => revocations.all(),
    verify,
    chainOf: (key) => chains.get(key),
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
