import { readFile } from 'node:fs/promises';
import { OptionsError, parseCard, toHex, type Card } from '@herald/core';

/** Reads the allow-list's card files; a missing or bad card stops the start with a message naming the file. */
export async function loadAllowList(paths: readonly string[] | undefined, what: string): Promise<Card[] | undefined> {
  if (paths === undefined) return undefined;
  const cards: Card[] = [];
  for (const path of paths) {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      throw new OptionsError(`${what}: cannot read card file ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, { cause: error });
    }
    try {
      cards.push(parseCard(text));
    } catch (error) {
      throw new OptionsError(`${what}: ${path} is not a valid contact card: ${(error as Error).message}`, { cause: error });
    }
  }
  return cards;
}

export const signingKeys = (cards: readonly Card[] | undefined): Set<string> | undefined => (cards ? new Set(cards.map((card) => toHex(card.signingPublicKey))) : undefined);
export const agreementKeys = (cards: readonly Card[] | undefined): Set<string> | undefined => (cards ? new Set(cards.map((card) => toHex(card.agreementPublicKey))) : undefined);
