/**
 * Node options that the `listindex` command runs with (the shebang line of cli/main.ts says
 * them again; a test keeps the two alike) and that the benchmark gives its measured runs.
 *
 * --max-semi-space-size=4: V8's young generation, 4 MB a half instead of up to 16. V8 flags hold
 * for the whole process, so the parse workers run with it too (it caps their own limit, see
 * import/pipeline.ts). Each batch's records live only while a thread works on them. Measured on
 * linux-watchdog, interleaved runs: peak RSS 268–292 MB against 284–342 MB without the flag (the
 * bound is 300 MB). Time stays within this noisy machine's spread: one round of three runs each
 * was 3% slower with the flag, another no different; the garbage collector runs more often.
 *
 * --max-old-space-size=1024: V8 scales how much garbage it lets the old generation gather before
 * a full collection by this bound, which is by default a share of the machine's memory. Linking
 * a whole index reads every series and patch again and keeps little of it: with the default
 * bound its garbage, not what it keeps, set the peak (docs/scaling.md). What listindex keeps
 * alive is bounded far below this.
 */
export const NODE_FLAGS: readonly string[] = ['--max-semi-space-size=4', '--max-old-space-size=1024'];
