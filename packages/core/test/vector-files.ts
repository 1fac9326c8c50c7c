/**
 * The shapes of the fixed-seed vector files in test/vectors (docs/protocol.md §14), read both by the library's
 * vector test and by the independent implementation's. `Options` is the seal options as each side types them:
 * the independent side must not borrow core's types.
 */
export interface IdentityVector {
  label: string;
  signingSeed: string;
  agreementSecretKey: string;
  created: number;
  signingPublicKey: string;
  agreementPublicKey: string;
  cardText: string;
  fingerprint: string;
  keyId: string;
  routingTag: string;
}

export interface EnvelopeVector<Options> {
  name: string;
  from: string;
  to: string[];
  plaintext: string;
  options: Options;
  now: number;
  random: { ephemeralSecret: string; contentKey?: string };
  envelope: string;
  size: number;
  id: string;
  expires: number;
}
