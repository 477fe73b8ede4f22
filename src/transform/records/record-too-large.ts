/**
 * A single record is larger than MaxPayloadInMB allows; the runner fails the input file with it.
 * The message names both sizes; `recordBytes` is a lower bound when `complete` is false (the record
 * was refused before its end was read, so that a huge record is never buffered whole).
 */
export class RecordTooLarge extends Error {
  override readonly name = 'RecordTooLarge';
  constructor(
    readonly recordBytes: number,
    readonly maxPayloadBytes: number,
    readonly complete = true,
  ) {
    super(
      `${complete ? `A record of ${recordBytes} bytes` : `A record of at least ${recordBytes} bytes`} is larger than the maximum payload size of ${maxPayloadBytes} bytes (MaxPayloadInMB ${formatMb(maxPayloadBytes)}).`,
    );
  }
}

function formatMb(bytes: number): string {
  const mb = bytes / (1024 * 1024);
  return Number.isInteger(mb) ? String(mb) : mb.toFixed(3);
}
