import { utf8ToBytes } from './text.js';
import type { Alphabet } from './alphabet.js';
import { sodium } from './sodium.js';

/**
 * Check groups: five symbols of a keyed BLAKE2b-64 (protocol.md, addendum A).
 * A line's check binds the message number, the line number and the line's
 * data groups, so a line from another message or typed under the wrong number
 * fails too. The header's check binds the whole: number, counts and every data
 * group in order. A random error slips past one check with odds 26^-5 (2^-23.5).
 */
export const GROUPS_DOMAIN = utf8ToBytes('herald/v1/groups');

function symbols(alphabet: Alphabet, hash: Uint8Array, count: number): string {
  let value = Buffer.from(hash).readBigUInt64BE(0) % BigInt(alphabet.radix) ** BigInt(count);
  let out = '';
  for (let index = 0; index < count; index++) {
    out = alphabet.symbols[Number(value % BigInt(alphabet.radix))] + out;
    value /= BigInt(alphabet.radix);
  }
  return out;
}

function digest(parts: readonly Uint8Array[]): Uint8Array {
  const state = sodium.crypto_generichash_init(GROUPS_DOMAIN, 8);
  for (const part of parts) sodium.crypto_generichash_update(state, part);
  return sodium.crypto_generichash_final(state, 8);
}

function u32(value: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, value, false);
  return out;
}

/** 'L' || radix || u32 number || u32 line || the line's data symbols (ASCII). */
export function lineCheck(alphabet: Alphabet, number: number, line: number, data: string): string {
  return symbols(alphabet, digest([utf8ToBytes('L'), new Uint8Array([alphabet.radix]), u32(number), u32(line), utf8ToBytes(data)]), 5);
}

/** 'W' || radix || u32 number || u32 data groups || u32 groups per line || every data symbol (ASCII). */
export function wholeCheck(alphabet: Alphabet, number: number, groups: number, perLine: number, data: string): string {
  return symbols(alphabet, digest([utf8ToBytes('W'), new Uint8Array([alphabet.radix]), u32(number), u32(groups), u32(perLine), utf8ToBytes(data)]), 5);
}
