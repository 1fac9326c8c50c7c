import { ACK_CONTENT_TYPE, constantTimeEqual, type Card, type InboundTrustContext, type OpenedMessage, type SenderTrust, type TrustVerdict } from '@herald/core';
import { TrustError } from './errors.js';
import type { CertificateChain } from './chain.js';
import type { ChainCache } from './chains.js';
import type { TrustEvent } from './policy.js';
import type { RevocationSet } from './revocation-set.js';
import { parseRotation } from './rotation.js';
import type { RotationBook } from './rotations.js';
import type { VerifiedChain } from './verify.js';
import { CERTIFIED_CONTENT_TYPE, REVOCATION_CONTENT_TYPE, ROTATION_CONTENT_TYPE, unwrapCertified } from './wrapper.js';

export interface JudgeContext {
  readonly anchors: readonly Card[];
  readonly require: boolean;
  readonly skew: number;
  readonly revocations: RevocationSet;
  readonly chains: ChainCache;
  readonly rotations: RotationBook;
  importRevocationList(input: Uint8Array): Promise<'updated' | 'unchanged'>;
  verify(chain: CertificateChain, at: number): VerifiedChain;
  emit(event: TrustEvent): void;
}

const withCard = (message: OpenedMessage, card: Card | undefined): OpenedMessage => (card && !message.sender.card ? { ...message, sender: { ...message.sender, card } } : message);

const describe = (verified: VerifiedChain): SenderTrust => ({ authority: verified.anchor.fingerprint, authorityLabel: verified.anchor.label, role: verified.role, chainLength: verified.chain.length, validUntil: verified.validUntil });

/**
 * One inbound message against the policy (protocol.md 15.7): unwrap a carried
 * chain; apply a revocation list (self-authenticating, whoever brings it);
 * verify the sender's chain, carried or cached, as of reception; apply a
 * rotation statement. Throws a TrustError to refuse.
 */
export async function judge(context: JudgeContext, opened: OpenedMessage, { receivedAt, stored }: InboundTrustContext): Promise<TrustVerdict> {
  let message = opened;
  let carried: CertificateChain | undefined;
  if (opened.contentType === CERTIFIED_CONTENT_TYPE) {
    const unwrapped = unwrapCertified(opened.plaintext);
    if (!constantTimeEqual(unwrapped.chain[0]!.subject.signingPublicKey, opened.sender.signingPublicKey)) throw new TrustError('BAD_CERTIFICATE', `the carried certificate is for ${unwrapped.chain[0]!.subject.fingerprint}, not the sender ${opened.sender.fingerprint}`);
    carried = unwrapped.chain;
    message = { ...opened, plaintext: unwrapped.body, contentType: unwrapped.contentType };
  }
  const chain = carried ?? context.chains.get(opened.sender.signingPublicKey);

  if (stored) {
    // Accepted before (judged then); a restart only unwraps it again.
    let verified: VerifiedChain | undefined;
    try {
      verified = chain && context.verify(chain, receivedAt);
    } catch {
      verified = undefined;
    }
    return { action: 'deliver', message: withCard(message, chain?.[0]?.subject), ...(verified ? { trust: describe(verified) } : {}) };
  }

  if (message.contentType === REVOCATION_CONTENT_TYPE) {
    await context.importRevocationList(message.plaintext);
    return { action: 'consume', message: withCard(message, chain?.[0]?.subject) };
  }

  let verified: VerifiedChain | undefined;
  if (chain) {
    try {
      verified = context.verify(chain, receivedAt);
    } catch (error) {
      // Without a requirement a bad chain only leaves the sender uncertified; a revocation always refuses.
      if (context.require || !(error instanceof TrustError) || error.code === 'REVOKED') throw error;
    }
  } else {
    // Acks carry no chain: a sender we never cached is checked against the anchors' lists alone.
    if (context.require && message.contentType !== ACK_CONTENT_TYPE) throw new TrustError('UNCERTIFIED', `sender ${opened.sender.fingerprint} holds no certificate from a trusted authority`);
    const hit = context.revocations.revoked(opened.sender.signingPublicKey, context.anchors.map((anchor) => anchor.signingPublicKey));
    if (hit) throw new TrustError('REVOKED', `${opened.sender.fingerprint} was revoked (${hit.entry.reason}) by ${hit.list.issuerFingerprint} in revocation list ${hit.list.serial}`);
  }
  if (verified && carried && (await context.chains.put(carried))) context.emit({ type: 'certified', card: verified.subject, role: verified.role });
  message = withCard(message, verified?.subject);

  if (message.contentType === ROTATION_CONTENT_TYPE) return { action: 'consume', message: withCard(message, await rotate(context, message)) };
  return { action: 'deliver', message, ...(verified ? { trust: describe(verified) } : {}) };
}

/** Applies a rotation statement announced by the successor key; returns the successor's card. */
async function rotate(context: JudgeContext, message: OpenedMessage): Promise<Card> {
  const statement = parseRotation(message.plaintext);
  if (!constantTimeEqual(statement.successor.signingPublicKey, message.sender.signingPublicKey)) throw new TrustError('BAD_ROTATION', 'a rotation must be announced by the new key');
  // A key that may be in other hands cannot name its successor: only a new certificate can.
  const issuers = context.revocations.all().map((list) => list.issuerKey);
  const hit = context.revocations.revoked(statement.previous.signingPublicKey, issuers);
  if (hit && (hit.entry.reason === 'compromised' || hit.entry.reason === 'lost')) throw new TrustError('BAD_ROTATION', `the old key ${statement.previous.fingerprint} was revoked as ${hit.entry.reason}; it cannot name a successor`);
  if (await context.rotations.add(statement)) context.emit({ type: 'rotated', previous: statement.previous, successor: statement.successor });
  return statement.successor;
}
