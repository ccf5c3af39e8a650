/** Exit codes scripts can rely on. */
export const EXIT = {
  /** Everything given was read. */
  OK: 0,
  /** Some input could not be read (the rest was imported), or the command failed. */
  FAILED: 1,
  /** The command line was wrong. */
  USAGE: 2,
  /** Stopped by Ctrl-C (SIGINT): 128 + 2, what the shell reports for a command it interrupts. */
  INTERRUPTED: 130,
  /**
   * The reader of the output went away (`| head`): 128 + 13, what the shell reports for git or
   * sqlite3, which SIGPIPE ends. Node ignores SIGPIPE, so listindex exits so itself.
   */
  BROKEN_PIPE: 141,
} as const;
