/**
 * One document of a batch through the library's summarize(), with the single-document command's own
 * formatters, so a batch writes exactly what `lcm summarize FILE` prints for each file.
 */

import type { InputDocument } from "../inputs/read-input.js";
import { detectFormat } from "../planner/document-format.js";
import type { ConceptEngine } from "../tasks/engine.js";
import { type SummarizeOptions, type SummaryResult, summarize } from "../tasks/summarize.js";
import type { DocumentContext, DocumentSummary } from "./summarize-batch.js";

export interface SummaryFormatters {
  text: (result: SummaryResult) => string;
  md: (result: SummaryResult) => string;
  json: (result: SummaryResult) => unknown;
}

export async function summarizeForBatch(
  engine: ConceptEngine,
  doc: InputDocument,
  options: SummarizeOptions,
  context: DocumentContext,
  formatters: SummaryFormatters,
): Promise<DocumentSummary> {
  const result = await summarize(
    engine,
    {
      text: doc.text,
      name: doc.name,
      format: detectFormat(doc.name === "<stdin>" ? null : doc.name, doc.text, doc.format),
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
    render: (format) =>
      format === "json" ? JSON.stringify(formatters.json(result)) : formatters[format](result),
    json: () => formatters.json(result),
  };
}
