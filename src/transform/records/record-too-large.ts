/**
 * A single record is larger than MaxPayloadInMB allows; the runner fails the input file with it.
 * The message names both sizes.
 */
export class RecordTooLarge extends Error {
  override readonly name = 'RecordTooLarge';
  constructor(
    readonly recordBytes: number,
    readonly maxPayloadBytes: number,
  ) {
    super(
      `A record of ${recordBytes} bytes is larger than the maximum payload size of ${maxPayloadBytes} bytes (MaxPayloadInMB ${maxPayloadBytes / (1024 * 1024)}).`,
    );
  }
}
