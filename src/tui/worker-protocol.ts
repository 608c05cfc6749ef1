/** Messages between the UI thread (worker-services.ts) and the model worker (model-worker.ts). */

import type { Outline } from "../planner/outline.js";
import type { EncodeItem } from "./services.js";
import type { GenerateRequest, OutputItem, Progress } from "./state/types.js";

export type WorkerRequest =
  | { type: "call"; id: number; method: "openModels"; args: [] }
  | { type: "call"; id: number; method: "encode"; args: [readonly EncodeItem[]] }
  | { type: "call"; id: number; method: "generate"; args: [GenerateRequest] }
  | { type: "call"; id: number; method: "renderSection"; args: [Outline, string | null, string | null] }
  | { type: "call"; id: number; method: "renderItems"; args: [readonly OutputItem[], string] }
  | { type: "call"; id: number; method: "release"; args: [] }
  | { type: "cancel"; id: number };

export type WorkerReply =
  | { type: "result"; id: number; value: unknown }
  | { type: "error"; id: number; name: string; message: string }
  | { type: "progress"; id: number; value: Progress }
  | { type: "concept"; id: number; index: number; item: unknown };
