/**
 * HTML (a web page, an EPUB chapter, a converted Word document) -> Markdown text the planner reads:
 * headings become `#` headings (sections), paragraphs, list items and quotes become prose blocks,
 * preformatted text a code block. Boilerplate is dropped: scripts, styles, navigation, headers and
 * footers, forms, asides; when the page has an <article> or <main>, only that is read (the article,
 * not the site around it, in the spirit of Firefox's Reader View).
 */
import { Parser } from "htmlparser2";
import type { SourceMap } from "./source-locations.js";

const SKIP = new Set([
  "script",
  "style",
  "noscript",
  "template",
  "svg",
  "math",
  "nav",
  "header",
  "footer",
  "aside",
  "form",
  "button",
  "select",
  "textarea",
  "iframe",
  "object",
  "canvas",
  "head",
  "figure",
]);
const BLOCKS = new Set([
  "p",
  "div",
  "section",
  "article",
  "main",
  "li",
  "dd",
  "dt",
  "blockquote",
  "tr",
  "td",
  "th",
  "br",
  "table",
  "ul",
  "ol",
  "dl",
  "hr",
  "body",
  "caption",
  "address",
  "center",
]);
const HEADINGS: Record<string, number> = { h1: 1, h2: 2, h3: 3, h4: 4, h5: 5, h6: 6 };

export interface HtmlText {
  /** Markdown: headings, paragraphs, list items. */
  text: string;
  /** The page's <title>, if any. */
  title: string | null;
  /** Where each block of `text` starts, with its element path (source-locations.ts). */
  locations: SourceMap;
}

/** An open element: its name, its number among its parent's children of that name, its own counts. */
interface OpenElement {
  name: string;
  nth: number;
  children: Map<string, number>;
  block: boolean;
}

export function htmlToText(html: string): HtmlText {
  const focus = /<(article|main)[\s>]/i.exec(html)?.[1]?.toLowerCase() ?? null;
  const blocks: string[] = [];
  let current = "";
  let heading = 0;
  let skipDepth = 0;
  // Whether each open SKIP element was skipped (an article's own <header> is read: it holds its title).
  const skipped: boolean[] = [];
  let pre = 0;
  let inFocus = focus === null ? 1 : 0;
  let title: string | null = null;
  let inTitle = false;
  let listItem = false;
  const open: OpenElement[] = [];
  const locations: { start: number; location: { path: string } }[] = [];
  let offset = 0;
  let blockPath = "";
  const flush = () => {
    const text = pre > 0 ? current.replace(/\s+$/, "") : current.replace(/\s+/g, " ").trim();
    if (text) {
      if (heading > 0) blocks.push(`${"#".repeat(heading)} ${text}`);
      else if (pre > 0) blocks.push(`\`\`\`\n${text}\n\`\`\``);
      else blocks.push(listItem ? `- ${text}` : text);
      if (blockPath) locations.push({ start: offset, location: { path: blockPath } });
      offset += blocks[blocks.length - 1].length + 2;
    }
    current = "";
    blockPath = "";
  };
  const parser = new Parser(
    {
      onopentag(name) {
        const parent = open[open.length - 1];
        const nth = (parent?.children.get(name) ?? 0) + 1;
        parent?.children.set(name, nth);
        open.push({
          name,
          nth,
          children: new Map(),
          block: Object.hasOwn(HEADINGS, name) || name === "pre" || BLOCKS.has(name),
        });
        if (name === "title") inTitle = true;
        if (name === focus) inFocus++;
        if (SKIP.has(name)) {
          const own = (name === "header" || name === "footer") && focus !== null && inFocus > 0;
          skipped.push(!own);
          if (!own) {
            skipDepth++;
            return;
          }
        }
        if (skipDepth > 0 || inFocus === 0) return;
        if (HEADINGS[name]) {
          flush();
          heading = HEADINGS[name];
        } else if (name === "pre") {
          flush();
          pre++;
        } else if (BLOCKS.has(name)) {
          flush();
          listItem = name === "li";
        }
      },
      ontext(text) {
        if (inTitle) title = ((title ?? "") + text).replace(/\s+/g, " ").trim();
        if (skipDepth > 0 || inFocus === 0) return;
        if (!blockPath && text.trim()) blockPath = elementPath(open, focus);
        current += text;
      },
      onclosetag(name) {
        closeElement(open, name);
        if (name === "title") inTitle = false;
        if (SKIP.has(name) && skipped.pop() !== false) {
          skipDepth = Math.max(0, skipDepth - 1);
          return;
        }
        if (skipDepth === 0 && inFocus > 0) {
          if (HEADINGS[name]) {
            flush();
            heading = 0;
          } else if (name === "pre") {
            flush();
            pre = Math.max(0, pre - 1);
          } else if (BLOCKS.has(name)) {
            flush();
            listItem = false;
          }
        }
        if (name === focus) inFocus = Math.max(0, inFocus - 1);
      },
    },
    { decodeEntities: true, lowerCaseTags: true },
  );
  parser.write(html);
  parser.end();
  flush();
  return { text: blocks.join("\n\n"), title, locations };
}

/** Closes the innermost open `name` (and what HTML left open inside it); a stray close tag is ignored. */
function closeElement(open: OpenElement[], name: string): void {
  for (let at = open.length - 1; at >= 0; at--) {
    if (open[at].name === name) {
      open.length = at;
      return;
    }
  }
}

/**
 * The path to the block the text is in, from the body (or the article/main element being read):
 * `article > section[2] > p[3]`; `[n]` is the element's number among its parent's children of that
 * name, left out for an ancestor that is the first of its name. Inline elements below the block
 * (b, a, span) are not part of it.
 */
function elementPath(open: readonly OpenElement[], focus: string | null): string {
  let end = open.length;
  while (end > 0 && !open[end - 1].block) end--;
  if (end === 0) end = open.length;
  const root =
    focus === null ? open.findIndex((e) => e.name === "body") + 1 : open.findIndex((e) => e.name === focus);
  const from = Math.max(0, root);
  const path = open.slice(from, end);
  return path
    .map((e, i) => (e.nth > 1 || i === path.length - 1 ? `${e.name}[${e.nth}]` : e.name))
    .join(" > ");
}
