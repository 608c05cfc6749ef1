/** Colours, kept to the 16 basic ANSI colours so every terminal (and tmux) shows them the same. */
export const theme = {
  heading: "cyan",
  added: "green",
  rewritten: "yellow",
  match: "magenta",
  dim: "gray",
  error: "red",
  info: "green",
  accent: "blue",
  highlight: "yellow",
} as const;

/** A progress bar `width` cells wide. */
export function progressBar(done: number, total: number, width: number): string {
  const w = Math.max(1, width);
  const filled = total > 0 ? Math.max(0, Math.min(w, Math.round((done / total) * w))) : 0;
  return "█".repeat(filled) + "░".repeat(w - filled);
}
