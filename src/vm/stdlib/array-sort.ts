// The sorting algorithm behind Array.prototype.sort / toSorted: TimSort as described in CPython's
// listsort.txt, which is also what V8 runs. Following the same algorithm (run detection, minrun,
// binary insertion, galloping merges with the same thresholds) makes the comparator see the same
// calls in the same order as in Node, so even an inconsistent comparator (`(a, b) => a > b`, a
// random one) or one with side effects gives the same result as JavaScript.

import type { Value } from "../values.js";

/** Negative when a sorts before b; positive after; 0 (or NaN) when equal. */
export type Comparator = (a: Value, b: Value) => number;

const MIN_GALLOP = 7;

/** Sorts `a` in place, stably. */
export function timSort(a: Value[], cmp: Comparator): void {
  const n = a.length;
  if (n < 2) return;
  new TimSort(a, cmp).sort();
}

class TimSort {
  private minGallop = MIN_GALLOP;
  private readonly runBase: number[] = [];
  private readonly runLen: number[] = [];

  constructor(
    private readonly a: Value[],
    private readonly cmp: Comparator,
  ) {}

  private lt(x: Value, y: Value): boolean {
    return this.cmp(x, y) < 0;
  }

  sort(): void {
    const n = this.a.length;
    const minRun = minRunLength(n);
    let low = 0;
    let remaining = n;
    while (remaining !== 0) {
      let run = this.countAndMakeRun(low, low + remaining);
      if (run < minRun) {
        const forced = Math.min(minRun, remaining);
        this.binaryInsertionSort(low, low + run, low + forced);
        run = forced;
      }
      this.runBase.push(low);
      this.runLen.push(run);
      this.mergeCollapse();
      low += run;
      remaining -= run;
    }
    this.mergeForceCollapse();
  }

  /** Sorts [low, high) given that [low, start) is sorted. */
  private binaryInsertionSort(low: number, start: number, high: number): void {
    const a = this.a;
    if (start === low) start++;
    for (; start < high; start++) {
      const pivot = a[start];
      let left = low;
      let right = start;
      while (left < right) {
        const mid = left + ((right - left) >> 1);
        if (this.lt(pivot, a[mid])) right = mid;
        else left = mid + 1;
      }
      for (let p = start; p > left; p--) a[p] = a[p - 1];
      a[left] = pivot;
    }
  }

  /** Length of the run at `low` (a strictly descending run is reversed in place). */
  private countAndMakeRun(low: number, high: number): number {
    const a = this.a;
    if (low + 1 === high) return 1;
    let runLength = 2;
    const descending = this.lt(a[low + 1], a[low]);
    let previous = a[low + 1];
    for (let i = low + 2; i < high; i++) {
      const current = a[i];
      const order = this.cmp(current, previous);
      if (descending ? !(order < 0) : order < 0) break;
      previous = current;
      runLength++;
    }
    if (descending) reverseRange(a, low, low + runLength);
    return runLength;
  }

  private mergeCollapse(): void {
    const len = this.runLen;
    while (len.length > 1) {
      let n = len.length - 2;
      if ((n > 0 && len[n - 1]! <= len[n]! + len[n + 1]!) || (n > 1 && len[n - 2]! <= len[n - 1]! + len[n]!)) {
        if (len[n - 1]! < len[n + 1]!) n--;
        this.mergeAt(n);
      } else if (len[n]! <= len[n + 1]!) {
        this.mergeAt(n);
      } else break;
    }
  }

  private mergeForceCollapse(): void {
    const len = this.runLen;
    while (len.length > 1) {
      let n = len.length - 2;
      if (n > 0 && len[n - 1]! < len[n + 1]!) n--;
      this.mergeAt(n);
    }
  }

  private mergeAt(i: number): void {
    const a = this.a;
    let baseA = this.runBase[i]!;
    let lenA = this.runLen[i]!;
    const baseB = this.runBase[i + 1]!;
    let lenB = this.runLen[i + 1]!;
    this.runLen[i] = lenA + lenB;
    this.runBase.splice(i + 1, 1);
    this.runLen.splice(i + 1, 1);

    // elements of A already in place before B's first element need no merging
    const k = this.gallopRight(a, a[baseB], baseA, lenA, 0);
    baseA += k;
    lenA -= k;
    if (lenA === 0) return;
    // likewise elements of B already after A's last element
    lenB = this.gallopLeft(a, a[baseA + lenA - 1], baseB, lenB, lenB - 1);
    if (lenB === 0) return;
    if (lenA <= lenB) this.mergeLow(baseA, lenA, baseB, lenB);
    else this.mergeHigh(baseA, lenA, baseB, lenB);
  }

  /** Offset in [0, length] where key belongs, left of any equal elements. */
  private gallopLeft(arr: Value[], key: Value, base: number, length: number, hint: number): number {
    let lastOfs = 0;
    let ofs = 1;
    if (this.lt(arr[base + hint], key)) {
      const maxOfs = length - hint;
      while (ofs < maxOfs && this.lt(arr[base + hint + ofs], key)) {
        lastOfs = ofs;
        ofs = (ofs << 1) + 1;
      }
      if (ofs > maxOfs) ofs = maxOfs;
      lastOfs += hint;
      ofs += hint;
    } else {
      const maxOfs = hint + 1;
      while (ofs < maxOfs && !this.lt(arr[base + hint - ofs], key)) {
        lastOfs = ofs;
        ofs = (ofs << 1) + 1;
      }
      if (ofs > maxOfs) ofs = maxOfs;
      const tmp = lastOfs;
      lastOfs = hint - ofs;
      ofs = hint - tmp;
    }
    lastOfs++;
    while (lastOfs < ofs) {
      const m = lastOfs + ((ofs - lastOfs) >> 1);
      if (this.lt(arr[base + m], key)) lastOfs = m + 1;
      else ofs = m;
    }
    return ofs;
  }

  /** Offset in [0, length] where key belongs, right of any equal elements. */
  private gallopRight(arr: Value[], key: Value, base: number, length: number, hint: number): number {
    let lastOfs = 0;
    let ofs = 1;
    if (this.lt(key, arr[base + hint])) {
      const maxOfs = hint + 1;
      while (ofs < maxOfs && this.lt(key, arr[base + hint - ofs])) {
        lastOfs = ofs;
        ofs = (ofs << 1) + 1;
      }
      if (ofs > maxOfs) ofs = maxOfs;
      const tmp = lastOfs;
      lastOfs = hint - ofs;
      ofs = hint - tmp;
    } else {
      const maxOfs = length - hint;
      while (ofs < maxOfs && !this.lt(key, arr[base + hint + ofs])) {
        lastOfs = ofs;
        ofs = (ofs << 1) + 1;
      }
      if (ofs > maxOfs) ofs = maxOfs;
      lastOfs += hint;
      ofs += hint;
    }
    lastOfs++;
    while (lastOfs < ofs) {
      const m = lastOfs + ((ofs - lastOfs) >> 1);
      if (this.lt(key, arr[base + m])) ofs = m;
      else lastOfs = m + 1;
    }
    return ofs;
  }

  /** Merges two adjacent runs, A (the shorter) copied out, filling from the left. */
  private mergeLow(baseA: number, lenA: number, baseB: number, lenB: number): void {
    const a = this.a;
    const tmp = a.slice(baseA, baseA + lenA);
    let dest = baseA;
    let cursorA = 0; // into tmp
    let cursorB = baseB;
    a[dest++] = a[cursorB++];
    let done = false;
    if (--lenB === 0) done = true;
    else if (lenA === 1) {
      copyBThenLastA();
      return;
    }
    let minGallop = this.minGallop;
    outer: while (!done) {
      let winsA = 0;
      let winsB = 0;
      // one element at a time until one run keeps winning
      for (;;) {
        if (this.lt(a[cursorB], tmp[cursorA])) {
          a[dest++] = a[cursorB++];
          winsB++;
          winsA = 0;
          if (--lenB === 0) {
            done = true;
            break outer;
          }
          if (winsB >= minGallop) break;
        } else {
          a[dest++] = tmp[cursorA++];
          winsA++;
          winsB = 0;
          if (--lenA === 1) {
            copyBThenLastA();
            return;
          }
          if (winsA >= minGallop) break;
        }
      }
      // galloping mode
      minGallop++;
      let first = true;
      while (first || winsA >= MIN_GALLOP || winsB >= MIN_GALLOP) {
        first = false;
        minGallop = Math.max(1, minGallop - 1);
        this.minGallop = minGallop;
        winsA = this.gallopRight(tmp, a[cursorB], cursorA, lenA, 0);
        if (winsA > 0) {
          for (let i = 0; i < winsA; i++) a[dest++] = tmp[cursorA++];
          lenA -= winsA;
          if (lenA === 1) {
            copyBThenLastA();
            return;
          }
          if (lenA === 0) {
            done = true;
            break outer;
          }
        }
        a[dest++] = a[cursorB++];
        if (--lenB === 0) {
          done = true;
          break outer;
        }
        winsB = this.gallopLeft(a, tmp[cursorA], cursorB, lenB, 0);
        if (winsB > 0) {
          for (let i = 0; i < winsB; i++) a[dest++] = a[cursorB++];
          lenB -= winsB;
          if (lenB === 0) {
            done = true;
            break outer;
          }
        }
        a[dest++] = tmp[cursorA++];
        if (--lenA === 1) {
          copyBThenLastA();
          return;
        }
      }
      minGallop++;
      this.minGallop = minGallop;
    }
    // B is exhausted: the rest of A goes at the end
    for (let i = 0; i < lenA; i++) a[dest++] = tmp[cursorA++];

    function copyBThenLastA(): void {
      for (let i = 0; i < lenB; i++) a[dest + i] = a[cursorB + i];
      a[dest + lenB] = tmp[cursorA];
    }
  }

  /** Merges two adjacent runs, B (the shorter) copied out, filling from the right. */
  private mergeHigh(baseA: number, lenA: number, baseB: number, lenB: number): void {
    const a = this.a;
    const tmp = a.slice(baseB, baseB + lenB);
    let dest = baseB + lenB - 1;
    let cursorB = lenB - 1; // into tmp
    let cursorA = baseA + lenA - 1;
    a[dest--] = a[cursorA--];
    let done = false;
    if (--lenA === 0) done = true;
    else if (lenB === 1) {
      copyAThenFirstB();
      return;
    }
    let minGallop = this.minGallop;
    outer: while (!done) {
      let winsA = 0;
      let winsB = 0;
      for (;;) {
        if (this.lt(tmp[cursorB], a[cursorA])) {
          a[dest--] = a[cursorA--];
          winsA++;
          winsB = 0;
          if (--lenA === 0) {
            done = true;
            break outer;
          }
          if (winsA >= minGallop) break;
        } else {
          a[dest--] = tmp[cursorB--];
          winsB++;
          winsA = 0;
          if (--lenB === 1) {
            copyAThenFirstB();
            return;
          }
          if (winsB >= minGallop) break;
        }
      }
      minGallop++;
      let first = true;
      while (first || winsA >= MIN_GALLOP || winsB >= MIN_GALLOP) {
        first = false;
        minGallop = Math.max(1, minGallop - 1);
        this.minGallop = minGallop;
        let k = this.gallopRight(a, tmp[cursorB], baseA, lenA, lenA - 1);
        winsA = lenA - k;
        if (winsA > 0) {
          for (let i = 0; i < winsA; i++) a[dest--] = a[cursorA--];
          lenA -= winsA;
          if (lenA === 0) {
            done = true;
            break outer;
          }
        }
        a[dest--] = tmp[cursorB--];
        if (--lenB === 1) {
          copyAThenFirstB();
          return;
        }
        k = this.gallopLeft(tmp, a[cursorA], 0, lenB, lenB - 1);
        winsB = lenB - k;
        if (winsB > 0) {
          for (let i = 0; i < winsB; i++) a[dest--] = tmp[cursorB--];
          lenB -= winsB;
          if (lenB === 1) {
            copyAThenFirstB();
            return;
          }
          if (lenB === 0) {
            done = true;
            break outer;
          }
        }
        a[dest--] = a[cursorA--];
        if (--lenA === 0) {
          done = true;
          break outer;
        }
      }
      minGallop++;
      this.minGallop = minGallop;
    }
    // A is exhausted: the rest of B goes at the front
    for (let i = 0; i < lenB; i++) a[dest - (lenB - 1) + i] = tmp[i];

    function copyAThenFirstB(): void {
      dest -= lenA;
      cursorA -= lenA;
      for (let i = lenA; i >= 1; i--) a[dest + i] = a[cursorA + i];
      a[dest] = tmp[cursorB];
    }
  }
}

/** n itself below 64; else a value in [32, 64] so that n / minrun is close to a power of 2. */
function minRunLength(n: number): number {
  let r = 0;
  while (n >= 64) {
    r |= n & 1;
    n >>= 1;
  }
  return n + r;
}

function reverseRange(a: Value[], from: number, to: number): void {
  for (let lo = from, hi = to - 1; lo < hi; lo++, hi--) {
    const t = a[lo];
    a[lo] = a[hi];
    a[hi] = t;
  }
}
