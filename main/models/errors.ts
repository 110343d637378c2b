/** A problem with the user's file or arguments: a code, where it is, and details for the message. */
export class ModelInputError extends Error {
  constructor(
    readonly code: string,
    readonly details: Record<string, string | number> = {},
    readonly line = 0,
    readonly column?: number,
  ) {
    super(`${code}${line ? ` at line ${line}` : ''}${column ? ` column ${column}` : ''} ${JSON.stringify(details)}`);
    this.name = 'ModelInputError';
  }
}
