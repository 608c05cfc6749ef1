/**
 * HTML (a web page, an EPUB chapter, a converted Word document) -> Markdown text the planner reads:
 * headings become `#` headings (sections), paragraphs, list items and quotes become prose blocks,
 * preformatted text a code block. Boilerplate is dropped: scripts, styles, navigation, headers and
 * footers, forms, asides; when the page has an <article> or <main>, only that is read (the article,
 * not the site around it, in the spirit of Firefox's Reader View).
 */
import { Parser } from "htmlparser2";

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
  const flush = () => {
    const text = pre > 0 ? current.replace(/\s+$/, "") : current.replace(/\s+/g, " ").trim();
    if (text) {
      if (heading > 0) blocks.push(`${"#".repeat(heading)} ${text}`);
      else if (pre > 0) blocks.push(`\`\`\`\n${text}\n\`\`\``);
      else blocks.push(listItem ? `- ${text}` : text);
    }
    current = "";
  };
  const parser = new Parser(
    {
      onopentag(name) {
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
        current += text;
      },
      onclosetag(name) {
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
  return { text: blocks.join("\n\n"), title };
}
