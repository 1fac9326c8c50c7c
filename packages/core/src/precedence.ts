/** Military-message precedence, highest first. Encoded in two bits inside the sealed envelope. */
export const PRECEDENCES = ['FLASH', 'IMMEDIATE', 'PRIORITY', 'ROUTINE'] as const;
export type Precedence = (typeof PRECEDENCES)[number];

const CODES: Record<Precedence, number> = { ROUTINE: 0, PRIORITY: 1, IMMEDIATE: 2, FLASH: 3 };
const BY_CODE: readonly Precedence[] = ['ROUTINE', 'PRIORITY', 'IMMEDIATE', 'FLASH'];

export function precedenceCode(precedence: Precedence): number {
  return CODES[precedence];
}

export function precedenceFromCode(code: number): Precedence {
  const precedence = BY_CODE[code];
  if (precedence === undefined) throw new RangeError(`precedence code ${code} out of range`);
  return precedence;
}

/** Accepts any letter case ("flash", "Flash"). */
export function parsePrecedence(text: string): Precedence | undefined {
  const upper = text.toUpperCase();
  return (PRECEDENCES as readonly string[]).includes(upper) ? (upper as Precedence) : undefined;
}
