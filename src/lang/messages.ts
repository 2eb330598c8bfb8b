// Every message the .flow loader can give, in one table, so wording stays stable (other tests
// match these strings) and docs/errors-validation.md can list them all. Style: lower-case start,
// the construct in backticks, then the alternative after a semicolon.

const TASK_HINT = "run TypeScript code in a task with `Task.run(…)`";
const BITWISE_HINT = "use arithmetic such as `Math.trunc`, `Math.floor` or `%`";
const LABEL_HINT = "use a flag variable, or move the loop into a function and `return`";

export const msg = {
  // Constructs outside the language (SPEC §2.1).
  class: () => "`class` is not supported; use object literals and functions",
  newError: (callee: string) => `\`new\` is not supported; call \`${callee}("…")\` without \`new\``,
  newDate: () => "`new` is not supported; use `Date.now()` for the current time",
  newPromise: () => "`new` is not supported; use an `async` function instead of `new Promise`",
  newOther: () => "`new` is not supported; use object literals and functions",
  this: () => "`this` is not supported; pass the object as a parameter",
  var: () => "`var` is not supported; use `let` or `const`",
  using: (kind: string) => `\`${kind}\` declarations are not supported; use \`let\` or \`const\``,
  import: () => `\`import\` is not supported; ${TASK_HINT}`,
  dynamicImport: () => `\`import()\` is not supported; ${TASK_HINT}`,
  importMeta: () => "`import.meta` is not supported; use `Context` for facts about the execution",
  export: () => "`export` is not supported; `return` the workflow's output instead",
  eval: () => "`eval` is not supported; workflows cannot run code from strings",
  arguments: () => "`arguments` is not supported; use a rest parameter `(...args)`",
  with: () => "`with` is not supported; refer to the object's properties directly",
  label: (name: string) => `label \`${name}:\` is not supported; ${LABEL_HINT}`,
  labeledJump: (keyword: string, name: string) => `labeled \`${keyword} ${name}\` is not supported; ${LABEL_HINT}`,
  generator: () => "generator function `function*` is not supported; return an array instead",
  asyncGenerator: () =>
    "async generator function `async function*` is not supported; use an `async function` that returns an array",
  yield: () => "`yield` is not supported; return an array instead",
  getter: (key: string) => `getter \`get ${key}()\` is not supported; use a plain property or a function`,
  setter: (key: string) => `setter \`set ${key}(…)\` is not supported; use a plain property or a function`,
  method: (key: string, isAsync: boolean) => {
    const a = isAsync ? "async " : "";
    return `method shorthand \`${a}${key}() { … }\` is not supported; write \`${key}: ${a}function () { … }\` or \`${key}: ${a}() => …\``;
  },
  regex: () => "regular expression literals are not supported; use string methods such as `split`, `includes` or `replaceAll`",
  delete: () => "`delete` is not supported; build a new object without the key, e.g. `const { key, ...rest } = obj`",
  void: () => "`void` is not supported; use `undefined`",
  bitwise: (op: string) => `bitwise operator \`${op}\` is not supported; ${BITWISE_HINT}`,
  exponentAssign: () => "`**=` is not supported; write `x = x ** y`",
  in: () => "the `in` operator is not supported; use `Object.hasOwn(obj, key)`",
  instanceof: () => "`instanceof` is not supported; use `Array.isArray(x)` or `typeof x`",
  comma: () => "the comma operator is not supported; write separate statements (commas are allowed in `for (;;)` heads)",
  taggedTemplate: () => "tagged templates are not supported; call the function with the template literal as its argument",
  newTarget: () => "`new.target` is not supported",
  super: () => "`super` is not supported; use object literals and functions",
  debugger: () => "`debugger` is not supported; use `console.log(…)`",
  bigint: (raw: string) => `bigint literal \`${raw}\` is not supported; use a number`,
  forAwait: () => "`for await` is not supported; use `for (const x of items)` with `await` inside the loop",
  otherSyntax: (type: string) => `\`${type}\` syntax is not supported`,

  // Prototype access.
  protoAccess: (name: string) => `access to \`${name}\` is not supported; workflows cannot reach prototypes`,
  protoKey: (name: string) => `property name \`${name}\` is not supported; choose another name`,

  // Names.
  unknownName: (name: string, hint: string | null) => `unknown name \`${name}\`` + (hint === null ? "" : `; ${hint}`),
  didYouMean: (name: string) => `did you mean \`${name}\`?`,
  assignConst: (name: string, at: string) =>
    `cannot assign to \`${name}\` because it is a constant (declared with \`const\` at ${at})`,
  assignFunctionName: (name: string, at: string) =>
    `cannot assign to \`${name}\` because it is the name of its own function expression (at ${at})`,
  assignGlobal: (name: string) =>
    `cannot assign to \`${name}\` because it is a built-in; declare a new variable with \`let\` instead`,

  // Built-ins used in ways known to fail before running (checked with the runtime's own tables).
  unknownMember: (object: string, member: string, hint: string | null) =>
    `unknown member \`${object}.${member}\`` + (hint === null ? "" : `; ${hint}`),
  assignBuiltinMember: (object: string, member: string) =>
    `cannot assign to \`${object}.${member}\` because built-ins are read-only; use a variable of your own`,
  unknownWorkflow: (name: string, folder: string, stored: boolean, close: string | null) =>
    `unknown workflow "${name}": there is no ${name}.flow in ${folder}` +
    (stored ? " and no workflow of that name is stored" : "") +
    (close === null ? "" : `; did you mean "${close}"?`),

  // await.
  awaitOutsideAsync: () => "`await` is only allowed in async functions; mark the enclosing function `async`",
  awaitInParams: () => "`await` is not allowed in a parameter default; compute the value in the function body",

  // The optional wrapper around the whole file.
  badMain: () => "a file-wide `main` function must be written `async function main() { … }` (async, no parameters)",

  // Front matter.
  unclosedFrontMatter: () => "front matter is not closed; end it with a line of three backticks (```)",

  // Parser errors reworded from acorn.
  reserved: (name: string) => `\`${name}\` is a reserved word; choose another name`,
  duplicate: (name: string) => `\`${name}\` is already declared in this scope`,
  duplicateParam: (name: string) => `duplicate parameter name \`${name}\``,
  breakOutside: () => "`break` must be inside a loop or `switch`",
  continueOutside: () => "`continue` must be inside a loop",
  legacyOctal: (raw: string) => `legacy octal literal \`${raw}\` is not supported; write \`0o${raw.replace(/^0+/, "") || "0"}\``,
  letNotAllowed: () => "a `let` declaration is not allowed here; wrap it in a block `{ … }`",
  unexpectedToken: (text: string) => `unexpected token \`${text}\``,
  unexpectedEnd: () => "unexpected end of file",
  tooDeep: () => "the program is nested too deeply; move some of the nesting into variables or functions",
} as const;
