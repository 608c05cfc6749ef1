/**
 * The batch progress bar on stderr: documents done (and failed), concepts per second, and an ETA
 * from the work still to do at the speed so far. Work is counted in bytes of input, with the documents
 * still running counted by how far they got (their concepts encoded and generated, documentWork), so a
 * batch of one long document has an estimate too; documents differ in size far more than in count.
 */

export interface BatchCounts {
  total: number;
  done: number;
  failed: number;
  /** Source concepts (sentences) processed, including the documents still running. */
  concepts: number;
  /** Bytes of the finished documents plus the done share of the running ones. */
  bytesDone: number;
  bytesTotal: number;
  elapsedMs: number;
  /** The one document running, when there is one: its name and stage ("encode 1,200/5,000"). */
  current?: string;
}

/**
 * How far one document got, 0..1: encoding its concepts and generating its summary are each about
 * half of the time a document takes (bench/summarize-speed.mjs), decoding a few sentences little.
 */
export function documentWork(stages: { encode?: [number, number]; generate?: [number, number] }): number {
  const share = (s?: [number, number]) => (s && s[1] > 0 ? Math.min(1, s[0] / s[1]) : 0);
  return 0.5 * share(stages.encode) + 0.5 * share(stages.generate);
}

export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
}

/** Time left, or null while there is nothing to estimate from. */
export function estimateRemainingMs(c: BatchCounts): number | null {
  const finished = c.done + c.failed;
  if (finished >= c.total && c.total > 0) return 0;
  if (c.elapsedMs <= 0) return null;
  if (c.bytesTotal > 0 && c.bytesDone > 0) return ((c.bytesTotal - c.bytesDone) * c.elapsedMs) / c.bytesDone;
  if (finished === 0) return null;
  return ((c.total - finished) * c.elapsedMs) / finished;
}

export function formatProgress(c: BatchCounts, width = 20): string {
  const finished = c.done + c.failed;
  const filled = c.total === 0 ? width : Math.round((finished / c.total) * width);
  const bar = `${"#".repeat(filled)}${"-".repeat(width - filled)}`;
  const rate = c.elapsedMs > 0 ? (c.concepts * 1000) / c.elapsedMs : 0;
  const eta = estimateRemainingMs(c);
  const failed = c.failed > 0 ? `, ${c.failed} failed` : "";
  return (
    `[${bar}] ${finished}/${c.total} docs${failed} | ${rate.toFixed(rate < 10 ? 1 : 0)} concepts/s | ` +
    `ETA ${eta === null ? "--" : formatDuration(eta)}${c.current ? ` | ${c.current}` : ""}`
  );
}

/** A status line rewritten in place (`\r`, erase line), at most every `intervalMs`. */
export class StatusLine {
  private last = 0;
  private shown = false;

  constructor(
    private readonly write: (text: string) => void,
    private readonly intervalMs = 100,
  ) {}

  update(text: string, force = false): void {
    const now = performance.now();
    if (!force && now - this.last < this.intervalMs) return;
    this.last = now;
    this.shown = true;
    this.write(`\r\u001b[K${text}`);
  }

  /** Clears the line (before other stderr output, and at the end). */
  clear(): void {
    if (!this.shown) return;
    this.write("\r\u001b[K");
    this.shown = false;
  }
}
