/** The broker versions mqctl judges for (`--target`): file formats, option tables, limits. */
export const TARGETS = ['2.0', '2.1'] as const

export type Target = (typeof TARGETS)[number]

export const isTarget = (value: unknown): value is Target => TARGETS.includes(value as Target)
