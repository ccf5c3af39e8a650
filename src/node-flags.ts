/**
 * Node options that the `listindex` command runs with (the shebang line of cli/main.ts says
 * them again; a test keeps the two alike) and that the benchmark gives its measured runs.
 *
 * --max-semi-space-size=4: V8's young generation for the importing thread, 4 MB a half instead of
 * 16. That thread holds each batch's records only while it writes them, and the default let
 * linux-watchdog's peak RSS sit 25–35 MB higher (314–342 MB against 277–288 MB, three runs each)
 * for the same time and CPU. Parse workers set their own limits (import/pipeline.ts).
 */
export const NODE_FLAGS: readonly string[] = ['--max-semi-space-size=4'];
