// Splits a .flow file into its optional front-matter block and the code after it. The block is
// blanked out rather than cut, so every line, column and offset of the code stays the same as in
// the file the user wrote.

/** A .flow file split into code and front matter. */
export interface FlowSource {
  /** The code, same length and line breaks as the file; the front-matter block is blanked out. */
  body: string;
  /** The text between the fences (without them), or null when the file has no front matter. */
  frontMatter: string | null;
  /** True when the file opens a front-matter fence and never closes it. */
  unclosedFrontMatter: boolean;
}

// A fence is a line of exactly three backticks; the opening one may carry an info string
// (```yaml) as Markdown allows. Trailing spaces are tolerated.
const OPEN_FENCE = /^```[\w-]*[ \t]*$/;
const CLOSE_FENCE = /^```[ \t]*$/;
// Line terminators as JavaScript counts them, so acorn sees the same line numbers.
const LINE_BREAK = /\r\n|[\n\r\u2028\u2029]/g;

/** Splits off a front-matter block fenced by lines of three backticks at the very start. */
export function splitFrontMatter(text: string): FlowSource {
  const bom = text.startsWith("\uFEFF") ? 1 : 0;
  const lines = linesOf(text, bom);
  if (lines.length === 0 || !OPEN_FENCE.test(lines[0].text)) {
    return { body: text, frontMatter: null, unclosedFrontMatter: false };
  }
  const close = lines.findIndex((l, i) => i > 0 && CLOSE_FENCE.test(l.text));
  if (close < 0) return { body: text, frontMatter: null, unclosedFrontMatter: true };
  const frontMatter = text.slice(lines[0].next, lines[close].start);
  const end = lines[close].start + lines[close].text.length;
  // Keep line breaks, turn every other code unit into a space: offsets and lines survive.
  const blank = text.slice(bom, end).replace(/[^\r\n\u2028\u2029]/g, " ");
  return {
    body: text.slice(0, bom) + blank + text.slice(end),
    frontMatter: frontMatter.replace(/(\r\n|[\n\r\u2028\u2029])$/, ""),
    unclosedFrontMatter: false,
  };
}

interface Line {
  start: number;
  text: string;
  /** Offset just after this line's terminator. */
  next: number;
}

function linesOf(text: string, from: number): Line[] {
  const lines: Line[] = [];
  let start = from;
  LINE_BREAK.lastIndex = from;
  for (let m = LINE_BREAK.exec(text); m; m = LINE_BREAK.exec(text)) {
    lines.push({
      start,
      text: text.slice(start, m.index),
      next: m.index + m[0].length,
    });
    start = m.index + m[0].length;
  }
  if (start < text.length || lines.length === 0) {
    lines.push({ start, text: text.slice(start), next: text.length });
  }
  return lines;
}
