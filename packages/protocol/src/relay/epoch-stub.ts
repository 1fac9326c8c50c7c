// TEMPORARY until epoch-core's `epoch: blinding` commit is cherry-picked: then these come from @herald/core.
const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);
import { sodium } from '../sodium.js';

export const EPOCH_DOMAIN = { relayMailboxAuth: utf8('herald/v1/relay-mailbox-auth'), epochTag: utf8('herald/v1/epoch-tag') } as const;
export const epochTagOfKey = (blindedKey: Uint8Array): Uint8Array => sodium.crypto_generichash(16, blindedKey, EPOCH_DOMAIN.epochTag);
export interface BlindedMailbox { readonly epoch: number; readonly publicKey: Uint8Array; readonly tag: Uint8Array; sign(message: Uint8Array): Uint8Array }
