import { randomInt } from 'node:crypto';

/** A uniformly random string of decimal digits from the CSPRNG (leading zeros allowed). */
export function generateCode(length: number, random: (max: number) => number = randomInt): string {
  let code = '';
  for (let i = 0; i < length; i++) code += String(random(10));
  return code;
}

/**
 * Draws codes until one is not live already. With 10^8 codes and a few hundred live ones a
 * collision is about one in 10^5 draws, so the bound is only a guard against a broken RNG.
 */
export function generateUniqueCode(length: number, isLive: (code: string) => boolean, random?: (max: number) => number): string {
  for (let attempt = 0; attempt < 100; attempt++) {
    const code = generateCode(length, random);
    if (!isLive(code)) return code;
  }
  throw new Error('could not draw an unused retrieval code in 100 attempts: the random source looks broken');
}
