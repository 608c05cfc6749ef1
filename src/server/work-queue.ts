/**
 * Model work runs one job at a time (the ONNX sessions use every core already; interleaving two
 * documents would only make both slower), in arrival order. A job whose request is cancelled while it
 * waits leaves the queue at once; a running job sees its signal and stops at its next step.
 */
import { CancelledError } from "../util/errors.js";

interface Waiting {
  start: () => void;
  signal: AbortSignal;
}

export class WorkQueue {
  private readonly waiting: Waiting[] = [];
  private busy = false;

  /** How many jobs wait (not counting the running one). */
  get length(): number {
    return this.waiting.length;
  }

  run<T>(signal: AbortSignal, job: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (signal.aborted) {
        reject(new CancelledError());
        return;
      }
      const entry: Waiting = {
        signal,
        start: () => {
          signal.removeEventListener("abort", onAbort);
          this.busy = true;
          job()
            .then(resolve, reject)
            .finally(() => {
              this.busy = false;
              this.next();
            });
        },
      };
      const onAbort = () => {
        const at = this.waiting.indexOf(entry);
        if (at >= 0) this.waiting.splice(at, 1);
        reject(new CancelledError());
      };
      signal.addEventListener("abort", onAbort, { once: true });
      this.waiting.push(entry);
      this.next();
    });
  }

  private next(): void {
    if (this.busy) return;
    const entry = this.waiting.shift();
    entry?.start();
  }
}
