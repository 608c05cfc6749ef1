/**
 * A minimal protobuf wire-format reader: just enough to walk SentencePiece's ModelProto
 * (varints, 32-bit floats, length-delimited strings/bytes/sub-messages) and skip everything else.
 * Malformed input throws a plain Error; the model loader turns it into a one-line message.
 */

export const WIRE_VARINT = 0;
export const WIRE_FIXED64 = 1;
export const WIRE_BYTES = 2;
export const WIRE_FIXED32 = 5;

export interface Field {
  /** Field number from the .proto file. */
  readonly number: number;
  readonly wireType: number;
}

const utf8 = new TextDecoder("utf-8", { fatal: false });

export class ProtoReader {
  private pos: number;
  private readonly end: number;
  private readonly view: DataView;

  constructor(
    private readonly bytes: Uint8Array,
    start = 0,
    end = bytes.length,
  ) {
    this.pos = start;
    this.end = end;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  done(): boolean {
    return this.pos >= this.end;
  }

  /** Reads the next field's tag. */
  field(): Field {
    const tag = this.varint();
    const number = Math.floor(tag / 8);
    if (number === 0) throw new Error(`invalid field number 0 at byte ${this.pos}`);
    return { number, wireType: tag & 7 };
  }

  /** Unsigned varint up to 2^53 (enough for every length, enum and int32 in ModelProto). */
  varint(): number {
    let result = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw new Error("truncated varint");
      const byte = this.bytes[this.pos++];
      result += (byte & 0x7f) * scale;
      if (byte < 0x80) return result;
      scale *= 128;
    }
    throw new Error("varint longer than 10 bytes");
  }

  /**
   * int32 fields are sign-extended to 64 bits on the wire (a negative value is a 10-byte varint);
   * only the low 32 bits matter, so they are collected with integer arithmetic.
   */
  int32(): number {
    let low = 0;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw new Error("truncated varint");
      const byte = this.bytes[this.pos++];
      if (i < 5) low |= (byte & 0x7f) << (7 * i);
      if (byte < 0x80) return low | 0;
    }
    throw new Error("varint longer than 10 bytes");
  }

  bool(): boolean {
    return this.varint() !== 0;
  }

  float32(): number {
    if (this.pos + 4 > this.end) throw new Error("truncated float");
    const value = this.view.getFloat32(this.pos, true);
    this.pos += 4;
    return value;
  }

  /** Length-delimited payload as a view into the input (no copy). */
  bytesField(): Uint8Array {
    const length = this.varint();
    if (this.pos + length > this.end) throw new Error(`length ${length} runs past the end of the data`);
    const out = this.bytes.subarray(this.pos, this.pos + length);
    this.pos += length;
    return out;
  }

  string(): string {
    return utf8.decode(this.bytesField());
  }

  /** Reader over a length-delimited sub-message. */
  message(): ProtoReader {
    const body = this.bytesField();
    return new ProtoReader(body);
  }

  skip(wireType: number): void {
    switch (wireType) {
      case WIRE_VARINT:
        this.varint();
        return;
      case WIRE_FIXED64:
        this.advance(8);
        return;
      case WIRE_BYTES:
        this.advance(this.varint());
        return;
      case WIRE_FIXED32:
        this.advance(4);
        return;
      default:
        throw new Error(`unsupported wire type ${wireType}`);
    }
  }

  private advance(n: number): void {
    if (this.pos + n > this.end) throw new Error("truncated field");
    this.pos += n;
  }
}
