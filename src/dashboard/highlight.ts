// A small highlighter for .flow source (a subset of JavaScript): comments, strings, template
// text, numbers, keywords and Rhythm's globals, split into lines for the source view. Tokens
// are plain text that the view renders as text nodes, never as HTML.

export interface Token {
  text: string;
  kind: "plain" | "comment" | "string" | "number" | "keyword" | "global" | "fn";
}

const KEYWORDS = new Set(
  "const let if else for of in while do return await async function try catch finally throw switch case default break continue typeof true false null undefined".split(
    " ",
  ),
);
const GLOBALS = new Set(
  "Task Workflow Signal Timer Promise Inputs Context console Math JSON Object Array Date Number String Error".split(" "),
);

const PATTERN =
  /(\/\/[^\n]*|\/\*[\s\S]*?(?:\*\/|$))|("(?:[^"\\\n]|\\.)*"?|'(?:[^'\\\n]|\\.)*'?|`(?:[^`\\]|\\[\s\S])*`?)|(\b\d[\d_]*(?:\.\d+)?(?:e[+-]?\d+)?\b)|([A-Za-z_$][\w$]*)/g;

/** The tokens of each line of `source`. */
export function highlight(source: string): Token[][] {
  const tokens: Token[] = [];
  let at = 0;
  for (const m of source.matchAll(PATTERN)) {
    if (m.index > at) tokens.push({ text: source.slice(at, m.index), kind: "plain" });
    const [text, comment, string, number, word] = m;
    let kind: Token["kind"] = "plain";
    if (comment) kind = "comment";
    else if (string) kind = "string";
    else if (number) kind = "number";
    else if (word) {
      if (KEYWORDS.has(word)) kind = "keyword";
      else if (GLOBALS.has(word)) kind = "global";
      else if (source[m.index + word.length] === "(") kind = "fn";
    }
    tokens.push({ text, kind });
    at = m.index + text.length;
  }
  if (at < source.length) tokens.push({ text: source.slice(at), kind: "plain" });
  const lines: Token[][] = [[]];
  for (const t of tokens) {
    const parts = t.text.split("\n");
    parts.forEach((part, n) => {
      if (n > 0) lines.push([]);
      if (part !== "") lines[lines.length - 1].push({ text: part, kind: t.kind });
    });
  }
  return lines;
}
