/**
 * One document of a batch through the library's summarize(), written with the single-document
 * command's own formats (requests/summary-formats.ts), so a batch writes exactly what
 * `lcm summarize FILE` prints for each file.
 */

import type { InputDocument } from "../inputs/read-input.js";
import { detectFormat } from "../planner/document-format.js";
import { formatSummary, summaryJson } from "../requests/summary-formats.js";
import type { ConceptEngine } from "../tasks/engine.js";
import { type SummarizeOptions, summarize } from "../tasks/summarize.js";
import type { DocumentContext, DocumentSummary } from "./summarize-batch.js";

export async function summarizeForBatch(
  engine: ConceptEngine,
  doc: InputDocument,
  options: SummarizeOptions,
  context: DocumentContext,
): Promise<DocumentSummary> {
  const models = { lcm: engine.spec.manifest.name, codec: engine.codec.name };
  const result = await summarize(
    engine,
    {
      text: doc.text,
      name: doc.name,
      format: detectFormat(doc.name === "<stdin>" ? null : doc.name, doc.text, doc.format),
      locations: doc.locations,
    },
    options,
    {
      signal: context.signal,
      onProgress: (event) => {
        if (event.stage === "encode") context.onConcepts(event.done);
        context.onStage?.(event.stage, event.done, event.total);
      },
    },
  );
  return {
    concepts: result.stats.sourceSentences,
    render: (format) => formatSummary(result, format, models),
    json: () => summaryJson(result, models.lcm, models.codec),
  };
}
