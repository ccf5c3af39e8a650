/** Exit codes scripts can rely on. */
export const EXIT = {
  /** Everything given was read. */
  OK: 0,
  /** Some input could not be read (the rest was imported), or the command failed. */
  FAILED: 1,
  /** The command line was wrong. */
  USAGE: 2,
} as const;
