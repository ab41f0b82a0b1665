/**
 * A method result that is already JSON: `message.send` answers with the
 * message's one payload spliced in (events/codec.ts), so the dispatcher
 * writes it as it is instead of encoding the message again.
 */
export class EncodedResult<T> {
  /** The result type this JSON encodes; for the compiler only. */
  declare readonly result?: T;

  constructor(readonly json: string) {}
}
