// Errors a .flow file can produce when it is loaded: one FlowSyntaxError per problem (parse or
// validation), each pointing at a 1-based line and column, and FlowLoadError bundling all of a
// file's problems so a single load reports everything at once.

/** One problem in a .flow file; renders as `file:line:col message`. */
export class FlowSyntaxError extends Error {
  override readonly name = "FlowSyntaxError";
  /** Stable code for callers that branch on the kind of error. */
  readonly code = "FLOW_SYNTAX_ERROR";

  constructor(
    /** The file name as given to the loader. */
    readonly file: string,
    /** 1-based line. */
    readonly line: number,
    /** 1-based column, counted in UTF-16 code units like acorn (acorn's column + 1). */
    readonly column: number,
    message: string,
  ) {
    super(message);
  }

  /** `file:line:col message`, the format of `rhythm check` and `rhythm run`. */
  format(): string {
    return `${this.file}:${this.line}:${this.column} ${this.message}`;
  }

  override toString(): string {
    return this.format();
  }
}

/** A .flow file that did not load; `errors` lists every problem found, in source order. */
export class FlowLoadError extends Error {
  override readonly name = "FlowLoadError";
  readonly code = "FLOW_LOAD_ERROR";

  constructor(readonly errors: FlowSyntaxError[]) {
    super(errors.map((e) => e.format()).join("\n"));
  }
}

/** A problem before it is tied to a file: 1-based line and column plus the message. */
export interface Problem {
  line: number;
  column: number;
  message: string;
}
