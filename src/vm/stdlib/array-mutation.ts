// Array.prototype methods that change the array in place (push pop shift unshift splice reverse
// fill sort) and their copying ES2023 twins (toSorted toSpliced). Growth is checked against the
// size limit before it happens; splice and sort move holes and undefined exactly as the spec says.

import { isCallable, throwTypeError, type NativeContext, type NativeImpl, type Value } from "../values.js";
import { toIntegerOrInfinity, toNumber, toStr } from "../coerce.js";
import { relativeIndex, thisArray } from "./array-receiver.js";
import { callHost } from "./host-errors.js";
import { timSort, type Comparator } from "./array-sort.js";
import { guardArrayLength } from "./size-guard.js";
import { costArray, costElements, ELEMENTS_PER_INSTRUCTION } from "./cost.js";

const COMPARISONS_PER_CHARGE = 256;
const BAD_COMPARATOR = "The comparison function must be either a function or undefined";

// The host's own methods, called on the receiver: a .flow array may have a named property
// `push` or `pop` of its own, which `arr.push(…)` would call instead.
const { pop, reverse, shift, unshift } = Array.prototype;

/** SortCompare: the user's comparator (ToNumber, NaN as 0) or JS's default string order. */
function sortComparator(ctx: NativeContext, cmp: Value): Comparator {
  // each comparison is charged (in batches): a sort costs what its comparisons cost
  // (the default order converts both sides to strings: ~2 instructions' worth each time)
  let compared = 0;
  const perComparison = cmp === undefined ? 2 : 1 / ELEMENTS_PER_INSTRUCTION;
  const count = (): void => {
    if (++compared === COMPARISONS_PER_CHARGE) {
      ctx.spend(compared * perComparison, 0);
      compared = 0;
    }
  };
  if (cmp !== undefined) {
    return (x, y) => {
      count();
      const v = toNumber(ctx.call(cmp, undefined, [x, y]), ctx);
      return Number.isNaN(v) ? 0 : v;
    };
  }
  return (x, y) => {
    count();
    const xs = toStr(x, ctx);
    const ys = toStr(y, ctx);
    return xs < ys ? -1 : ys < xs ? 1 : 0;
  };
}

function checkComparator(cmp: Value): void {
  if (cmp !== undefined && !isCallable(cmp)) throwTypeError(BAD_COMPARATOR);
}

function sort(ctx: NativeContext, thisValue: Value, cmp: Value): Value {
  checkComparator(cmp);
  const arr = thisArray(thisValue, "sort");
  const len = arr.length;
  costArray(ctx, len);
  // holes are dropped and undefined set aside: both end up after the sorted values
  const work: Value[] = [];
  let undefinedCount = 0;
  for (let k = 0; k < len; k++) {
    if (!(k in arr)) continue;
    const v = arr[k];
    if (v === undefined) undefinedCount++;
    else work.push(v);
  }
  timSort(work, sortComparator(ctx, cmp));
  let i = 0;
  for (; i < work.length; i++) arr[i] = work[i];
  for (; i < work.length + undefinedCount; i++) arr[i] = undefined;
  for (; i < len; i++) delete arr[i];
  return arr;
}

function toSorted(ctx: NativeContext, thisValue: Value, cmp: Value): Value[] {
  checkComparator(cmp);
  const arr = thisArray(thisValue, "toSorted");
  costArray(ctx, arr.length);
  const work: Value[] = [];
  let undefinedCount = 0;
  for (let k = 0; k < arr.length; k++) {
    const v = arr[k];
    if (v === undefined) undefinedCount++;
    else work.push(v);
  }
  timSort(work, sortComparator(ctx, cmp));
  for (let i = 0; i < undefinedCount; i++) work.push(undefined);
  return work;
}

/** The start and delete count of splice/toSpliced from their arguments. */
function spliceRange(ctx: NativeContext, len: number, args: Value[]): [start: number, count: number] {
  const start = relativeIndex(args[0], len, 0, ctx);
  if (args.length === 0) return [start, 0];
  if (args.length === 1) return [start, len - start];
  const dc = toIntegerOrInfinity(args[1], ctx);
  return [start, Math.min(Math.max(dc, 0), len - start)];
}

function splice(ctx: NativeContext, thisValue: Value, args: Value[]): Value[] {
  const arr = thisArray(thisValue, "splice");
  const len = arr.length;
  const [start, deleteCount] = spliceRange(ctx, len, args);
  const items = args.slice(2);
  const newLen = len - deleteCount + items.length;
  guardArrayLength(ctx, newLen);
  costElements(ctx, len - start + items.length);
  costArray(ctx, deleteCount);
  const removed: Value[] = new Array(deleteCount);
  for (let i = 0; i < deleteCount; i++) if (start + i in arr) removed[i] = arr[start + i];
  // move the tail (holes move as holes), then write the items
  if (items.length < deleteCount) {
    for (let k = start; k < len - deleteCount; k++) {
      const from = k + deleteCount;
      const to = k + items.length;
      if (from in arr) arr[to] = arr[from];
      else delete arr[to];
    }
    for (let k = len; k > newLen; k--) delete arr[k - 1];
  } else if (items.length > deleteCount) {
    for (let k = len - deleteCount; k > start; k--) {
      const from = k + deleteCount - 1;
      const to = k + items.length - 1;
      if (from in arr) arr[to] = arr[from];
      else delete arr[to];
    }
  }
  for (let i = 0; i < items.length; i++) arr[start + i] = items[i];
  arr.length = newLen;
  return removed;
}

function toSpliced(ctx: NativeContext, thisValue: Value, args: Value[]): Value[] {
  const arr = thisArray(thisValue, "toSpliced");
  const len = arr.length;
  const [start, skipCount] = spliceRange(ctx, len, args);
  const items = args.slice(2);
  guardArrayLength(ctx, len - skipCount + items.length);
  costArray(ctx, len - skipCount + items.length);
  const result: Value[] = [];
  for (let k = 0; k < start; k++) result.push(arr[k]);
  for (const item of items) result.push(item);
  for (let k = start + skipCount; k < len; k++) result.push(arr[k]);
  return result;
}

export const arrayMutationNatives: Record<string, NativeImpl> = {
  "Array.prototype.push": (ctx, thisValue, args) => {
    const arr = thisArray(thisValue, "push");
    guardArrayLength(ctx, arr.length + args.length);
    for (const v of args) arr[arr.length] = v;
    return arr.length;
  },
  "Array.prototype.pop": (_ctx, thisValue) => pop.call(thisArray(thisValue, "pop")) as Value,
  "Array.prototype.shift": (_ctx, thisValue) => shift.call(thisArray(thisValue, "shift")) as Value,
  "Array.prototype.unshift": (ctx, thisValue, args) => {
    const arr = thisArray(thisValue, "unshift");
    guardArrayLength(ctx, arr.length + args.length);
    costElements(ctx, arr.length); // every element moves (the arguments were paid by their spread)
    return args.length === 0 ? arr.length : callHost(() => unshift.apply(arr, args)); // too many arguments: V8's RangeError
  },
  "Array.prototype.splice": (ctx, thisValue, args) => splice(ctx, thisValue, args),
  "Array.prototype.toSpliced": (ctx, thisValue, args) => toSpliced(ctx, thisValue, args),
  "Array.prototype.reverse": (ctx, thisValue) => {
    const arr = thisArray(thisValue, "reverse");
    costElements(ctx, arr.length);
    return reverse.call(arr) as Value;
  },
  "Array.prototype.fill": (ctx, thisValue, args) => {
    const arr = thisArray(thisValue, "fill");
    const len = arr.length;
    const start = relativeIndex(args[1], len, 0, ctx);
    const end = relativeIndex(args[2], len, len, ctx);
    costElements(ctx, end - start);
    for (let k = start; k < end; k++) arr[k] = args[0];
    return arr;
  },
  "Array.prototype.sort": (ctx, thisValue, args) => sort(ctx, thisValue, args[0]),
  "Array.prototype.toSorted": (ctx, thisValue, args) => toSorted(ctx, thisValue, args[0]),
};
