// The OpenAPI schemas of the flow-control options of SPEC §9 that starts take (docs/deadlines-and-debounce.md).

const duration = (examples: string[]) => ({
  oneOf: [
    { type: "number", description: "seconds" },
    { type: "string", examples },
  ],
});

/** `debounce`, taken by task and workflow starts. */
export const DEBOUNCE_SCHEMA = {
  type: "object",
  required: ["key", "delay"],
  additionalProperties: false,
  description:
    "while an execution started with this key has not started, a start with the key returns its id, replaces its inputs " +
    "and moves its start to now + delay (never later than maxWait after the first); not with runAt, delay or idempotencyKey",
  properties: { key: { type: "string" }, delay: duration(["500ms", "10s"]), maxWait: duration(["1m"]) },
};

/** A workflow start's `timeout`. */
export const RUN_TIMEOUT_SCHEMA = {
  ...duration(["30s", "1h"]),
  description: "the whole run fails with a Timeout this long after its first activation; what it started is cancelled",
};
