/**
 * IEEE 754 binary16 ("half", numpy float16) to numbers: model files store some tables in half
 * precision to keep them small (the Quant-LCM's codebooks), and Node has no Float16Array yet.
 */

/** The value of one half-precision number, given its 16 bits. */
export function halfToFloat(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024); // zero and subnormals
  if (exponent === 31) return fraction ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}

/** A little-endian table of float16 or float32 numbers -> Float32Array (a copy: the bytes may be unaligned). */
export function floatTable(bytes: Uint8Array, dtype: "float16" | "float32"): Float32Array {
  if (dtype === "float16") return halfBytesToFloat32(bytes);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float32Array(bytes.byteLength / 4);
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(4 * i, true);
  return out;
}

/** Little-endian float16 bytes -> Float32Array. */
export function halfBytesToFloat32(bytes: Uint8Array): Float32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float32Array(bytes.byteLength / 2);
  for (let i = 0; i < out.length; i++) out[i] = halfToFloat(view.getUint16(2 * i, true));
  return out;
}
