// Runs exported codec graphs in onnxruntime-node for Python (backends.NodeBackend), so the export is
// checked with the same runtime lcm uses. Frames both ways: uint32 LE header length, JSON header,
// then the raw little-endian tensor bytes listed in the header, in order.
//   {"op":"load","graphs":{"encoder":path,"decoder":path},"threads":n} -> {"ok":true}
//   {"op":"run","graph":"decoder","inputs":[{name,type,dims,bytes}]}   -> {"outputs":[{name,type,dims,bytes}]}
// Errors come back as {"error": "..."}; the process ends when stdin closes.
import * as ort from "onnxruntime-node";

const sessions = {};
let busy = Promise.resolve();

function typedArray(type, bytes) {
  // Copy into a fresh, aligned buffer: slices of the stream buffer need not be 8-byte aligned.
  const copy = new Uint8Array(bytes.length);
  copy.set(bytes);
  if (type === "int64") return new BigInt64Array(copy.buffer);
  if (type === "float32") return new Float32Array(copy.buffer);
  throw new Error(`unsupported input type ${type}`);
}

function reply(header, buffers = []) {
  const json = Buffer.from(JSON.stringify(header));
  const length = Buffer.alloc(4);
  length.writeUInt32LE(json.length);
  process.stdout.write(Buffer.concat([length, json, ...buffers]));
}

async function handle(header, payload) {
  if (header.op === "load") {
    const options = { executionProviders: ["cpu"], graphOptimizationLevel: "all", logSeverityLevel: 3 };
    if (header.threads) options.intraOpNumThreads = header.threads;
    options.extra = { session: { disable_quant_qdq: "1" } };
    for (const [name, path] of Object.entries(header.graphs)) {
      sessions[name] = await ort.InferenceSession.create(path, options);
    }
    return reply({ ok: true });
  }
  if (header.op !== "run") throw new Error(`unknown op ${header.op}`);
  const session = sessions[header.graph];
  if (!session) throw new Error(`graph ${header.graph} is not loaded`);
  const feeds = {};
  let offset = 0;
  for (const input of header.inputs) {
    const bytes = payload.subarray(offset, offset + input.bytes);
    offset += input.bytes;
    feeds[input.name] = new ort.Tensor(input.type, typedArray(input.type, bytes), input.dims);
  }
  const results = await session.run(feeds);
  const outputs = [];
  const buffers = [];
  for (const name of session.outputNames) {
    const tensor = results[name];
    const data = tensor.data;
    const buffer = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    outputs.push({ name, type: tensor.type, dims: tensor.dims, bytes: buffer.length });
    buffers.push(buffer);
  }
  reply({ outputs }, buffers);
}

// Incoming bytes are kept as a list of chunks and joined only once a whole frame part has arrived,
// so a large tensor costs one copy, not one per chunk.
let chunks = [];
let received = 0;
let frame = null; // { headerLength, header, need }

function take() {
  const all = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
  chunks = [all];
  return all;
}

function drain() {
  for (;;) {
    if (frame === null) {
      if (received < 4) return;
      frame = { headerLength: take().readUInt32LE(0), header: null, need: 0 };
      frame.need = 4 + frame.headerLength;
    }
    if (received < frame.need) return;
    const all = take();
    if (frame.header === null) {
      frame.header = JSON.parse(all.subarray(4, 4 + frame.headerLength).toString("utf8"));
      frame.need += (frame.header.inputs ?? []).reduce((sum, input) => sum + input.bytes, 0);
      if (received < frame.need) return;
    }
    const { header, headerLength, need } = frame;
    const payload = all.subarray(4 + headerLength, need);
    chunks = [all.subarray(need)];
    received -= need;
    frame = null;
    busy = busy.then(() => handle(header, payload)).catch((error) => reply({ error: String(error?.message ?? error) }));
  }
}

process.stdin.on("data", (chunk) => {
  chunks.push(chunk);
  received += chunk.length;
  drain();
});
