// Who asked for an operation on a run (recorded in its log), when the caller does not say: the OS
// user running this process.

import { userInfo } from "node:os";

export function defaultActor(): string {
  try {
    return userInfo().username || "unknown";
  } catch {
    return "unknown";
  }
}
