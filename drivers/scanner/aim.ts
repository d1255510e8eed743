/** The AIM symbology identifier at the start of a scan (`]` + code letter + modifier), if any. */
export function leadingAim(text: string): string | undefined {
  return /^\][A-Za-z][0-9A-Za-z]/.test(text) ? text.slice(0, 3) : undefined;
}
