const newline = Buffer.from('\n');

/**
 * The bytes written for one response or record output: as is for AssembleWith `None`; for `Line`, followed
 * by `\n` unless it already ends with one (a model's own trailing newline is not doubled).
 */
export function assembled(output: Buffer, assembleWith: 'None' | 'Line'): Buffer[] {
  if (assembleWith === 'None' || (output.length > 0 && output[output.length - 1] === 0x0a)) return [output];
  return [output, newline];
}
