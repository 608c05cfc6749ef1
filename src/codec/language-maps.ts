/**
 * Language maps: how a codec whose encoder gives each language a region of its own still offers one
 * concept space. A codec may ship, per language, two small residual networks (x + W2·gelu(W1·x + b1) + b2):
 *
 *   toShared    applied to what the encoder makes of that language's text: moves the concept onto the
 *               English concept of the same meaning, so documents in any language plan, ground and
 *               compare in the space the LCMs were trained in;
 *   fromShared  applied before decoding into that language: moves a (shared, English-space) concept to
 *               where the decoder renders that language from.
 *
 * English, and every language the file does not list, pass through unchanged, so a codec without maps
 * (Meta's SONAR, whose encoder is already aligned) needs none. training/codec/align_fit.py fits them.
 *
 * File layout (little-endian, manifest "alignment.dtype" float16 or float32), per listed language in
 * order, toShared then fromShared, each: W1 [hidden][dim], b1 [hidden], W2 [dim][hidden], b2 [dim].
 */
import { join } from "node:path";
import type { AlignmentSpec, CodecManifest } from "../models/manifest.js";
import { ModelFileError, readModelFile } from "../models/onnx-session.js";
import { floatTable } from "../util/half-float.js";

interface ResidualMlp {
  w1: Float32Array;
  b1: Float32Array;
  w2: Float32Array;
  b2: Float32Array;
}

export class LanguageMaps {
  private constructor(
    private readonly dim: number,
    private readonly hidden: number,
    private readonly maps: ReadonlyMap<string, { toShared: ResidualMlp; fromShared: ResidualMlp }>,
  ) {}

  /** The codec's maps, or null when its manifest declares none. */
  static async load(manifest: CodecManifest): Promise<LanguageMaps | null> {
    const spec = manifest.alignment;
    if (!spec) return null;
    const path = join(manifest.dir, spec.file);
    const bytes = await readModelFile(path, "language maps");
    return LanguageMaps.fromBytes(bytes, spec, manifest.embeddingDim, path);
  }

  static fromBytes(bytes: Uint8Array, spec: AlignmentSpec, dim: number, source: string): LanguageMaps {
    const width = spec.dtype === "float16" ? 2 : 4;
    const perMap = 2 * spec.hidden * dim + spec.hidden + dim;
    const expected = spec.languages.length * 2 * perMap * width;
    if (bytes.byteLength !== expected) {
      throw new ModelFileError(
        `${source}: holds ${bytes.byteLength} bytes, but ${spec.languages.length} languages of ${spec.hidden}-wide maps in ${spec.dtype} need ${expected}`,
      );
    }
    const values = floatTable(bytes, spec.dtype);
    let offset = 0;
    const take = (n: number): Float32Array => values.subarray(offset, (offset += n));
    const mlp = (): ResidualMlp => ({
      w1: take(spec.hidden * dim),
      b1: take(spec.hidden),
      w2: take(dim * spec.hidden),
      b2: take(dim),
    });
    const maps = new Map<string, { toShared: ResidualMlp; fromShared: ResidualMlp }>();
    for (const lang of spec.languages) maps.set(lang, { toShared: mlp(), fromShared: mlp() });
    return new LanguageMaps(dim, spec.hidden, maps);
  }

  /** Languages with maps of their own. */
  get languages(): string[] {
    return [...this.maps.keys()];
  }

  /** What the encoder made of `lang` text -> the shared space. */
  toShared(lang: string, vectors: readonly Float32Array[]): Float32Array[] {
    const map = this.maps.get(lang);
    return map ? vectors.map((v) => this.apply(map.toShared, v)) : [...vectors];
  }

  /** Shared concepts -> where the decoder renders `lang` from. */
  fromShared(lang: string, vectors: readonly Float32Array[]): Float32Array[] {
    const map = this.maps.get(lang);
    return map ? vectors.map((v) => this.apply(map.fromShared, v)) : [...vectors];
  }

  private apply(m: ResidualMlp, x: Float32Array): Float32Array {
    const { dim, hidden } = this;
    const h = new Float32Array(hidden);
    for (let j = 0; j < hidden; j++) {
      let s = m.b1[j];
      const row = j * dim;
      for (let i = 0; i < dim; i++) s += m.w1[row + i] * x[i];
      h[j] = gelu(s);
    }
    const out = new Float32Array(dim);
    for (let i = 0; i < dim; i++) {
      let s = m.b2[i] + x[i];
      const row = i * hidden;
      for (let j = 0; j < hidden; j++) s += m.w2[row + j] * h[j];
      out[i] = s;
    }
    return out;
  }
}

/** GELU, tanh form: the one the maps are trained with (PyTorch's approximate="tanh"). */
function gelu(x: number): number {
  return 0.5 * x * (1 + Math.tanh(0.7978845608028654 * (x + 0.044715 * x * x * x)));
}
