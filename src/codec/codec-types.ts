/** Small shared shapes of the codec runtime (encoder, decoder, facade, cache). */

/** What the encoder and decoder need from a tokenizer, in the model's id space. */
export interface CodecTokenizer {
  /** Text -> model ids, without the language tag and </s>. */
  encode(text: string): number[];
  /** The id of a language's tag token; throws a UsageError for a language the tokenizer lacks. */
  langTagId(lang: string): number;
  /** Model ids -> text; special ids and language tags are dropped. */
  decode(ids: readonly number[]): string;
  /** Ids of every language tag; the decoder never generates them. */
  readonly tagTokenIds?: readonly number[];
}

export interface ProgressOptions {
  /** Called after each batch with (done, total) in sentences. */
  onProgress?: (done: number, total: number) => void;
  /** Checked between batches; an aborted signal ends the work with a CancelledError. */
  signal?: AbortSignal;
}
