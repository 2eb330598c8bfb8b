// Offsets → 1-based lines and 0-based columns, as acorn.getLineInfo gives them, but from a table of
// line starts built once per input: getLineInfo rescans from the top on every call, which made a
// file with many problems take quadratic time to report.

const LINE_BREAK = /\r\n?|\n|\u2028|\u2029/g;

let cachedInput: string | null = null;
let cachedStarts: number[] = [];

function lineStarts(input: string): number[] {
  if (cachedInput === input) return cachedStarts;
  const starts = [0];
  LINE_BREAK.lastIndex = 0;
  for (let m = LINE_BREAK.exec(input); m !== null; m = LINE_BREAK.exec(input)) starts.push(m.index + m[0].length);
  cachedInput = input;
  cachedStarts = starts;
  return starts;
}

/** The line (1-based) and column (0-based, UTF-16 units) of `offset` in `input`. */
export function lineInfo(input: string, offset: number): { line: number; column: number } {
  const starts = lineStarts(input);
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid] <= offset) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo + 1, column: offset - starts[lo] };
}
