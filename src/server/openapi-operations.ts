// The OpenAPI paths of the operations on paused runs (retry, fork, set a variable), spread into
// the document in openapi.ts; docs/operations.md says what each does.

import { ACTION_ERRORS, error, ID, json, NOT_FOUND, ok, ref } from "./openapi-parts.js";

const BY = { by: { type: "string", description: 'who asks, recorded in the run\'s log (default "http api")' } };
const kindName = {
  type: "object",
  properties: { handle: { type: "integer" }, kind: { enum: ["task", "workflow"] }, name: { type: "string" } },
};

export const OPERATION_PATHS = {
  "/executions/{id}/retry": {
    post: {
      summary: "Retry a failed execution",
      description:
        "A failed workflow continues from its last saved state — the await whose failure it did not catch — with that task given a new attempt (or that child workflow retried the same way); no task that had finished runs again. A failed task no workflow waits for gets one more attempt; its earlier errors stay.",
      parameters: [ID],
      requestBody: json({
        type: "object",
        properties: {
          version: { type: "string", description: "a workflow: retry it on this version (latest, or a sha256 or its prefix)" },
          ...BY,
        },
      }),
      responses: {
        "200": ok("the execution, queued again", ref("Execution")),
        ...ACTION_ERRORS,
        "404": NOT_FOUND,
        "409": error("not failed, or a task a workflow started (RETRY_REFUSED)"),
      },
    },
  },
  "/executions/{id}/fork": {
    post: {
      summary: "Fork a paused or failed workflow into a new execution",
      description:
        "A new execution of the same version from a copy of the saved state. Completed awaited tasks and children give it their results; others are started again for it; timers keep their fire times; buffered signals are not copied.",
      parameters: [ID],
      requestBody: json({ type: "object", properties: BY }),
      responses: {
        "201": ok("the fork", {
          type: "object",
          properties: {
            id: { type: "string", format: "uuid" },
            forkedFrom: { type: "string", format: "uuid" },
            started: { type: "array", items: kindName },
            copied: { type: "array", items: { ...kindName, properties: { ...kindName.properties, from: { type: "string" } } } },
            timers: { type: "integer" },
            signalWaits: { type: "integer" },
          },
        }),
        ...ACTION_ERRORS,
        "404": NOT_FOUND,
        "409": error("a task (NOT_A_WORKFLOW), running now or with no saved state (FORK_REFUSED)"),
      },
    },
  },
  "/executions/{id}/variables": {
    post: {
      summary: "Set a variable of a paused workflow",
      description:
        "By name, in a frame as the inspection numbers its stack (default 0). Refused while a worker runs it or it is queued, when the name is not in scope at that line, or when the value breaks a limit. Recorded in the run's log with old and new value.",
      parameters: [ID],
      requestBody: json({
        type: "object",
        required: ["name", "value"],
        properties: {
          name: { type: "string" },
          value: { description: "any JSON value" },
          frame: { type: "integer", minimum: 0 },
          ...BY,
        },
      }),
      responses: {
        "200": ok("what changed", {
          type: "object",
          properties: {
            id: { type: "string" },
            name: { type: "string" },
            frame: { type: "integer" },
            function: { type: "string" },
            line: { type: "integer" },
            old: { description: "the value before, as the inspection shows it" },
            new: {},
            by: { type: "string" },
          },
        }),
        ...ACTION_ERRORS,
        "404": NOT_FOUND,
        "409": error("a task (NOT_A_WORKFLOW), or refused (EDIT_REFUSED, with the reason)"),
      },
    },
  },
  "/executions/{id}/upgrade": {
    post: {
      summary: "Move a paused workflow onto another version (or say why it cannot)",
      description:
        "Moves it when the await it is paused at has exactly one counterpart in the new source and its variables map by name (docs/operations.md); otherwise it keeps its version and `reason` says why. `dryRun` only says.",
      parameters: [ID],
      requestBody: json({
        type: "object",
        properties: {
          to: { type: "string", description: "latest (default), or a sha256 or its prefix" },
          dryRun: { type: "boolean" },
          ...BY,
        },
      }),
      responses: {
        "200": ok("what happened to the run", {
          type: "object",
          properties: {
            id: { type: "string" },
            from: { type: ["string", "null"] },
            to: { type: ["string", "null"] },
            moved: { type: "boolean" },
            movable: { type: "boolean" },
            at: { type: "object" },
            continuesAt: { type: "object" },
            kept: { type: "array", items: { type: "string" } },
            added: { type: "array", items: { type: "string" } },
            dropped: { type: "array", items: { type: "string" } },
            reason: { type: "string" },
          },
        }),
        ...ACTION_ERRORS,
        "404": NOT_FOUND,
        "409": error("a task (NOT_A_WORKFLOW)"),
      },
    },
  },
};
