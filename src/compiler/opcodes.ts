// The instruction set of the .flow machine. Code is a flat array of numbers: an opcode followed by
// its operands (the table below says how many). Jump targets are absolute offsets within the
// function's code; name operands index the function's constant pool.

export const enum Op {
  // constants and stack shuffling
  Const, // k            push constants[k]
  Int, // n              push the small integer n
  Undefined,
  Null,
  True,
  False,
  Pop,
  Dup,
  // variables: registers (locals) hold uncaptured bindings, environments hold captured ones
  LoadLocal, // slot
  LoadLocalChecked, // slot nameK   throws ReferenceError while in its temporal dead zone
  StoreLocal, // slot            pops
  StoreLocalChecked, // slot nameK
  LoadEnv, // depth slot
  LoadEnvChecked, // depth slot nameK
  StoreEnv, // depth slot
  StoreEnvChecked, // depth slot nameK
  ClearLocal, // slot         put the binding back into its temporal dead zone
  LoadGlobal, // nameK
  PushEnv, // size           new environment whose slots start in the dead zone
  PopEnv,
  CopyEnv, // per-iteration copy of the current environment (for `let` in loop heads)
  LoadArg, // i               argument i of the current call (undefined when absent)
  LoadRestArgs, // i          arguments from i on, as an array
  // functions and calls
  Closure, // fnIndex
  Call, // argc textK         stack: callee, args…   (textK: callee source, for messages)
  CallMethod, // nameK argc textK   stack: receiver, args…
  CallSpread, // textK        stack: callee, argsArray
  CallMethodSpread, // nameK textK  stack: receiver, argsArray
  Return,
  // objects and arrays
  NewObject,
  NewArray, // n              pops n values into a new array
  ArrayPush, //               stack: array, value → array
  ArraySpread, //             stack: array, iterable → array
  DefineField, //             stack: object, key, value → object
  ObjectSpread, //            stack: object, source → object
  ObjectRest, // nKeys        stack: source, key1…keyN → copy of source without those keys
  GetProp, // nameK           stack: obj → value
  GetIndex, //                stack: obj, key → value
  SetProp, // nameK           stack: obj, value → value
  SetIndex, //                stack: obj, key, value → value
  RequireObjectCoercible, // propK textK  destructuring TypeError for null/undefined (peek); -1 = none
  ToArrayForDestructure, //   iterable → array
  // operators
  Add,
  Sub,
  Mul,
  Div,
  Mod,
  Pow,
  Lt,
  Le,
  Gt,
  Ge,
  Eq,
  Ne,
  StrictEq,
  StrictNe,
  Not,
  Neg,
  Plus,
  TypeOf,
  ToNumeric,
  Inc,
  Dec,
  ToPropertyKey,
  TemplateConcat, // n        pops n parts, concatenates their String() forms
  // control flow
  Jump, // target
  JumpIfFalse, // target      pops
  JumpIfTrue, // target       pops
  JumpIfFalseKeep, // target  `&&`: keeps the value when jumping, pops otherwise
  JumpIfTrueKeep, // target   `||`
  JumpIfNotNullishKeep, // target `??`
  JumpIfNullish, // target    optional chaining: if nullish, replace with undefined and jump
  JumpIfNotUndefined, // target  defaults: keeps the value and jumps unless undefined; pops it otherwise
  Throw,
  TryEnter, // handlerPc
  TryExit,
  IterInit, // textK          iterable → array, 0   (for…of: arrays by live index, strings by code point)
  IterNext, // target         array, i → array, i+1, value   or jump when done (leaves array, i)
  ForInKeys, //               value → keys array, 0
  Await,
  LoadCallee, //             the closure being run (a named function expression's own name)
  Void, //                   pops, pushes undefined
  // Added later: appended, so that programs stored by earlier versions keep their meaning.
  SetFunctionName, //        stack: key, closure → key, closure (named after the computed key)
  GetMethod, // nameK        stack: receiver → receiver, function  (reads before the arguments run)
  CallWithReceiver, // argc textK       stack: receiver, function, args…
  CallWithReceiverSpread, // textK      stack: receiver, function, argsArray
}

/** How many operands follow each opcode. */
export const operandCount: Record<number, number> = {
  [Op.Const]: 1,
  [Op.Int]: 1,
  [Op.LoadLocal]: 1,
  [Op.LoadLocalChecked]: 2,
  [Op.StoreLocal]: 1,
  [Op.StoreLocalChecked]: 2,
  [Op.LoadEnv]: 2,
  [Op.LoadEnvChecked]: 3,
  [Op.StoreEnv]: 2,
  [Op.StoreEnvChecked]: 3,
  [Op.ClearLocal]: 1,
  [Op.LoadGlobal]: 1,
  [Op.PushEnv]: 1,
  [Op.LoadArg]: 1,
  [Op.LoadRestArgs]: 1,
  [Op.Closure]: 1,
  [Op.Call]: 2,
  [Op.CallMethod]: 3,
  [Op.CallSpread]: 1,
  [Op.CallMethodSpread]: 2,
  [Op.NewArray]: 1,
  [Op.ObjectRest]: 1,
  [Op.RequireObjectCoercible]: 2,
  [Op.GetProp]: 1,
  [Op.SetProp]: 1,
  [Op.TemplateConcat]: 1,
  [Op.Jump]: 1,
  [Op.JumpIfFalse]: 1,
  [Op.JumpIfTrue]: 1,
  [Op.JumpIfFalseKeep]: 1,
  [Op.JumpIfTrueKeep]: 1,
  [Op.JumpIfNotNullishKeep]: 1,
  [Op.JumpIfNullish]: 1,
  [Op.JumpIfNotUndefined]: 1,
  [Op.TryEnter]: 1,
  [Op.IterNext]: 1,
  [Op.IterInit]: 1,
  [Op.GetMethod]: 1,
  [Op.CallWithReceiver]: 2,
  [Op.CallWithReceiverSpread]: 1,
};

/** Opcode names for the disassembler, in enum order. */
export const opNames = [
  "Const",
  "Int",
  "Undefined",
  "Null",
  "True",
  "False",
  "Pop",
  "Dup",
  "LoadLocal",
  "LoadLocalChecked",
  "StoreLocal",
  "StoreLocalChecked",
  "LoadEnv",
  "LoadEnvChecked",
  "StoreEnv",
  "StoreEnvChecked",
  "ClearLocal",
  "LoadGlobal",
  "PushEnv",
  "PopEnv",
  "CopyEnv",
  "LoadArg",
  "LoadRestArgs",
  "Closure",
  "Call",
  "CallMethod",
  "CallSpread",
  "CallMethodSpread",
  "Return",
  "NewObject",
  "NewArray",
  "ArrayPush",
  "ArraySpread",
  "DefineField",
  "ObjectSpread",
  "ObjectRest",
  "GetProp",
  "GetIndex",
  "SetProp",
  "SetIndex",
  "RequireObjectCoercible",
  "ToArrayForDestructure",
  "Add",
  "Sub",
  "Mul",
  "Div",
  "Mod",
  "Pow",
  "Lt",
  "Le",
  "Gt",
  "Ge",
  "Eq",
  "Ne",
  "StrictEq",
  "StrictNe",
  "Not",
  "Neg",
  "Plus",
  "TypeOf",
  "ToNumeric",
  "Inc",
  "Dec",
  "ToPropertyKey",
  "TemplateConcat",
  "Jump",
  "JumpIfFalse",
  "JumpIfTrue",
  "JumpIfFalseKeep",
  "JumpIfTrueKeep",
  "JumpIfNotNullishKeep",
  "JumpIfNullish",
  "JumpIfNotUndefined",
  "Throw",
  "TryEnter",
  "TryExit",
  "IterInit",
  "IterNext",
  "ForInKeys",
  "Await",
  "LoadCallee",
  "Void",
  "SetFunctionName",
  "GetMethod",
  "CallWithReceiver",
  "CallWithReceiverSpread",
];

/**
 * For each code offset, how many instructions start before it. The interpreter charges a
 * backward jump by the instructions between target and jump, from this table.
 */
export function instructionOrdinals(code: number[]): Int32Array {
  const out = new Int32Array(code.length + 1);
  let n = 0;
  for (let pc = 0; pc < code.length;) {
    const width = 1 + (operandCount[code[pc]] ?? 0);
    for (let i = 0; i < width && pc + i < out.length; i++) out[pc + i] = n;
    pc += width;
    n++;
  }
  out[code.length] = n;
  return out;
}
