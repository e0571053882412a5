/**
 * C's atoi as mosquitto uses it (ports, QoS, iterations, config numbers): optional leading
 * blanks and one sign, then the leading digits; anything after them is ignored, no digits at
 * all is 0, and the result is clamped to a C int (glibc's strtol-based atoi saturates).
 */
export function atoi(text: string): number {
  const m = /^[\t\n\v\f\r ]*([+-]?)(\d*)/.exec(text)!
  if (m[2] === '') return 0
  const n = Number.parseInt(m[2], 10) * (m[1] === '-' ? -1 : 1)
  return Math.max(-2_147_483_648, Math.min(2_147_483_647, n))
}

/** Whole text is an integer in C's eyes (blanks, a sign, digits, blanks): atoi reads all of it. */
export const isCInteger = (text: string): boolean => /^[\t\n\v\f\r ]*[+-]?\d+[\t\n\v\f\r ]*$/.test(text)
