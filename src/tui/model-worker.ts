/**
 * The model worker: a worker thread that owns the codec and the LCM and runs every model call, so the
 * screen never waits on inference. onnxruntime-node runs a graph synchronously on the calling thread
 * (a batch of the default codec blocks for seconds on a busy 2-core machine); on the UI thread that
 * would freeze keys and drawing. Requests come from worker-services.ts; progress, streamed concepts and
 * results go back as messages; a cancel message aborts the request's AbortSignal.
 */
import { parentPort, workerData } from "node:worker_threads";
import { createServices } from "./in-process-services.js";
import type { ModelOptions } from "./services.js";
import type { DocumentInfo } from "./state/types.js";
import type { WorkerReply, WorkerRequest } from "./worker-protocol.js";

const port = parentPort;
if (!port) throw new Error("model-worker.js runs as a worker thread");
const { doc, options } = workerData as { doc: DocumentInfo; options: ModelOptions };
const services = createServices(doc, options);
const running = new Map<number, AbortController>();

function reply(message: WorkerReply): void {
  port!.postMessage(message);
}

port.on("message", (request: WorkerRequest) => {
  if (request.type === "cancel") {
    running.get(request.id)?.abort();
    return;
  }
  const { id } = request;
  const controller = new AbortController();
  running.set(id, controller);
  const signal = controller.signal;
  const onProgress = (value: { stage: string; done: number; total: number; detail?: string }) =>
    reply({ type: "progress", id, value });
  const onConcept = (index: number, item: unknown) => reply({ type: "concept", id, index, item });
  let work: Promise<unknown>;
  switch (request.method) {
    case "openModels":
      work = services.openModels();
      break;
    case "encode":
      work = services.encode(request.args[0], {
        signal,
        onProgress: (done, total) => reply({ type: "progress", id, value: { stage: "encode", done, total } }),
      });
      break;
    case "generate":
      work = services.generate(request.args[0], { signal, onProgress, onConcept });
      break;
    case "renderSection":
      work = services.renderSection(request.args[0], request.args[1], request.args[2], {
        signal,
        onProgress,
        onConcept,
      });
      break;
    case "renderItems":
      work = services.renderItems(request.args[0], request.args[1], { signal, onProgress });
      break;
    case "release":
      work = services.release();
      break;
  }
  work
    .then((value) => reply({ type: "result", id, value }))
    .catch((error: unknown) =>
      reply({
        type: "error",
        id,
        name: error instanceof Error ? error.name : "Error",
        message: error instanceof Error ? error.message : String(error),
      }),
    )
    .finally(() => running.delete(id));
});
