/** The one error type of listindex: says what went wrong and where (file, byte offset, message). */
export type ErrorCode =
  /** An input path, glob or directory could not be read. */
  | 'INPUT_UNREADABLE'
  /** A compressed input is corrupt or truncated, or has bytes after its compressed data. */
  | 'INPUT_CORRUPT'
  /** An entry of a folder or glob was left out: not a regular file (a FIFO, a device, a socket). */
  | 'INPUT_SKIPPED'
  /** A message exceeds a configured limit (size, header length, nesting...). */
  | 'LIMIT_EXCEEDED'
  /** A message could not be parsed at all. */
  | 'MESSAGE_UNPARSABLE'
  /** The command line was wrong. */
  | 'USAGE'
  /** What was asked for (a series, a message) is not in the index. */
  | 'NOT_FOUND'
  /** The database is locked by another import, or is not a listindex database. */
  | 'DATABASE';

export class ListindexError extends Error {
  readonly code: ErrorCode;
  readonly file: string | undefined;
  readonly byteOffset: number | undefined;
  readonly messageId: string | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    where: { file?: string; byteOffset?: number; messageId?: string; cause?: unknown } = {},
  ) {
    super(ListindexError.describe(message, where), { cause: where.cause });
    this.name = 'ListindexError';
    this.code = code;
    this.file = where.file;
    this.byteOffset = where.byteOffset;
    this.messageId = where.messageId;
  }

  private static describe(message: string, where: { file?: string; byteOffset?: number; messageId?: string }): string {
    const place = [
      where.file,
      where.byteOffset === undefined ? undefined : `byte ${where.byteOffset}`,
      where.messageId,
    ].filter(Boolean);
    return place.length ? `${place.join(', ')}: ${message}` : message;
  }
}
