// Random valid .flow programs (seeded): nested control flow, closures, exceptions, arrays and
// objects, and — unless `pure` — tasks, timers and concurrent async functions. Every program
// records what it does in `out` and returns it, so two runs can be compared exactly.

export interface GeneratorOptions {
  /** Only code Node can run too (no handles): for the differential comparison. */
  pure: boolean;
}

export function generateProgram(rand: () => number, options: GeneratorOptions): string {
  return new Generator(rand, options).program();
}

class Generator {
  private vars: string[] = [];
  /** `let` names: the only ones statements assign to (loop variables stay untouched). */
  private lets: string[] = [];
  private fns: string[] = [];
  private counter = 0;
  private depth = 0;
  private inAsync = true;

  constructor(
    private readonly rand: () => number,
    private readonly options: GeneratorOptions,
  ) {}

  private pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.rand() * xs.length)];
  }

  private chance(p: number): boolean {
    return this.rand() < p;
  }

  private fresh(prefix: string): string {
    return `${prefix}${this.counter++}`;
  }

  program(): string {
    const lines = ["const out = [];"];
    const n = 3 + Math.floor(this.rand() * 8);
    for (let i = 0; i < n; i++) lines.push(this.statement());
    lines.push("return out;");
    return lines.join("\n") + "\n";
  }

  private block(n = 1 + Math.floor(this.rand() * 3)): string {
    this.depth++;
    const saved = [this.vars.length, this.lets.length, this.fns.length];
    const body: string[] = [];
    for (let i = 0; i < n; i++) body.push(this.statement());
    // block-scoped names end with the block
    [this.vars.length, this.lets.length, this.fns.length] = saved;
    this.depth--;
    return `{\n${body.join("\n")}\n}`;
  }

  private statement(): string {
    const deep = this.depth >= 3;
    const options: (() => string)[] = [
      () => {
        const v = this.fresh("v");
        const s = `let ${v} = ${this.expr()};`;
        this.vars.push(v);
        this.lets.push(v);
        return s;
      },
      () => `out.push(${this.expr()});`,
      () =>
        this.lets.length
          ? `${this.pick(this.lets)} ${this.pick(["=", "+=", "-=", "??="])} ${this.expr()};`
          : `out.push(${this.expr()});`,
    ];
    if (!deep) {
      options.push(
        () => `if (${this.expr()}) ${this.block()} else ${this.block()}`,
        () => {
          const i = this.fresh("i");
          return `for (let ${i} = 0; ${i} < ${1 + Math.floor(this.rand() * 3)}; ${i}++) ${this.withVar(i, () => this.block())}`;
        },
        () => {
          const x = this.fresh("x");
          return `for (const ${x} of ${this.arrayExpr()}) ${this.withVar(x, () => this.block())}`;
        },
        () =>
          `try ${this.block()} catch (e) { out.push("caught " + e.message); }${this.chance(0.3) ? ` finally { out.push("finally"); }` : ""}`,
        () => `if (${this.expr()}) throw Error("thrown " + ${this.expr()});`,
        () => this.functionDecl(),
        () =>
          `switch (${this.smallInt()}) { case 1: out.push("one"); case 2: out.push("two"); break; default: out.push("other"); }`,
      );
    }
    if (this.fns.length) options.push(() => `out.push(${this.pick(this.fns)}(${this.expr()}));`);
    if (!this.options.pure && this.inAsync) {
      options.push(
        () => `out.push(await Task.run("echo", ${this.expr()}));`,
        () => `await Timer.delay(${1 + Math.floor(this.rand() * 5)});`,
        () => {
          const h = this.fresh("h");
          return `const ${h} = Task.run("echo", { n: ${this.expr()} });\nout.push((await ${h}).n, (await ${h}).n);`;
        },
        () =>
          `out.push(await Promise.all([${this.smallInt()}, ${this.smallInt()}].map(async (k) => { out.push("start " + k); await Task.run("echo", k); out.push("end " + k); return k * 2; })));`,
        () => `out.push(await Promise.race([Task.run("echo", "task"), Timer.delay(1)]));`,
      );
    }
    if (this.inAsync) {
      options.push(
        () => `out.push(await ${this.expr()});`,
        // concurrency without handles: the interleaving must match Node's microtask order
        () =>
          `try { out.push(await Promise.${this.pick(["all", "race", "any"])}([${this.smallInt()}, ${this.smallInt()}].map(async (k) => { out.push("a" + k); await null; if (k < 0) throw Error("neg " + k); out.push("b" + k); await ${this.expr()}; return k; }))); } catch (e) { out.push("rejected " + e.message); }`,
      );
    }
    return this.pick(options)();
  }

  private withVar<T>(name: string, f: () => T): T {
    this.vars.push(name);
    try {
      return f();
    } finally {
      this.vars.splice(this.vars.indexOf(name), 1);
    }
  }

  private functionDecl(): string {
    const f = this.fresh("f");
    const p = this.fresh("p");
    const outerAsync = this.inAsync;
    const savedVars = this.vars;
    const savedLets = this.lets;
    const savedFns = this.fns.length;
    this.inAsync = false;
    this.vars = [...savedVars, p];
    this.lets = [];
    this.depth++;
    const body = `if (${p} === undefined) return 0;\nout.push("in ${f}");\n${this.statement()}\nreturn ${this.expr()};`;
    this.depth--;
    this.vars = savedVars;
    this.lets = savedLets;
    this.inAsync = outerAsync;
    this.fns.length = savedFns; // functions declared inside stay inside
    this.fns.push(f);
    return `function ${f}(${p}) {\n${body}\n}`;
  }

  private smallInt(): string {
    return String(Math.floor(this.rand() * 5) - 1);
  }

  private arrayExpr(): string {
    return this.pick([
      `[${this.expr()}, ${this.expr()}]`,
      `[1, 2, 3].map((x) => x * ${this.smallInt()})`,
      `"ab".split("")`,
      "out.slice(0, 2)",
    ]);
  }

  private expr(d = 0): string {
    const leaves = [
      () => this.smallInt(),
      () => JSON.stringify(this.pick(["a", "b", "", "10"])),
      () => this.pick(["true", "false", "null", "undefined"]),
    ];
    if (this.vars.length) leaves.push(() => this.pick(this.vars));
    if (d >= 2) return this.pick(leaves)();
    const composite = [
      () =>
        `(${this.expr(d + 1)} ${this.pick(["+", "-", "*", "%", "<", "===", "!==", "==", "&&", "||", "??"])} ${this.expr(d + 1)})`,
      () => `(${this.expr(d + 1)} ? ${this.expr(d + 1)} : ${this.expr(d + 1)})`,
      () => `\`t\${${this.expr(d + 1)}}\``,
      () => `[${this.expr(d + 1)}, ${this.expr(d + 1)}].length`,
      () => `({ k: ${this.expr(d + 1)} }).k`,
      () => `String(${this.expr(d + 1)}).length`,
      () => `typeof ${this.expr(d + 1)}`,
      () => `out.length`,
    ];
    return this.pick([...leaves, ...leaves, ...composite])();
  }
}
