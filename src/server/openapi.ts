// The OpenAPI 3.1 document of the HTTP API, served at /api/v1/openapi.json. A test holds it to
// the routes: every path it lists exists, and every route is listed.

import { DEBOUNCE_SCHEMA, RUN_TIMEOUT_SCHEMA } from "./openapi-flow-control.js";
import { SCHEDULE_PATHS, SCHEDULE_SCHEMA } from "./openapi-schedules.js";
import { OPERATION_PATHS } from "./openapi-operations.js";
import { ACTION_ERRORS, error, ID, json, NOT_FOUND, ok, ref } from "./openapi-parts.js";

const startOptions = {
  queue: { type: "string" },
  priority: { type: "integer", description: "higher runs first within a queue" },
  runAt: {
    oneOf: [
      { type: "string", format: "date-time" },
      { type: "number", description: "epoch ms" },
    ],
  },
  delay: {
    oneOf: [
      { type: "number", description: "seconds" },
      { type: "string", examples: ["10s", "5m", "1h30m"] },
    ],
  },
  idempotencyKey: { type: "string", description: "a second start with the same key returns the first execution's id" },
  debounce: DEBOUNCE_SCHEMA,
  concurrency: {
    type: "object",
    description: "at most `limit` (default 1) executions with this key run at once, across all workers",
    required: ["key"],
    properties: { key: { type: "string" }, limit: { type: "integer", minimum: 1 } },
    additionalProperties: false,
  },
  rateLimit: {
    type: "object",
    description: "at most `limit` starts per `per` (a duration) for this key, across all workers",
    required: ["key", "limit", "per"],
    properties: {
      key: { type: "string" },
      limit: { type: "integer", minimum: 1 },
      per: {
        oneOf: [
          { type: "number", description: "seconds" },
          { type: "string", examples: ["1s", "1m"] },
        ],
      },
    },
    additionalProperties: false,
  },
};

const executionList = {
  type: "object",
  required: ["executions", "next"],
  properties: {
    executions: { type: "array", items: ref("Execution") },
    next: { type: ["string", "null"], description: "the `after` of the next page; null on the last one" },
  },
};

export const OPENAPI = {
  openapi: "3.1.0",
  info: {
    title: "Rhythm HTTP API",
    version: "1",
    description:
      "Start workflows and tasks, read executions, signal, cancel and retry them, and everything the dashboard shows. " +
      "Actions (POST) take `Content-Type: application/json` and are refused from other sites. Bound to a loopback " +
      "address the server needs no token; bound elsewhere it needs RHYTHM_API_TOKEN, sent as `Authorization: Bearer <token>`.",
  },
  servers: [{ url: "/api/v1" }],
  security: [{}, { bearer: [] }],
  paths: {
    "/workflows/{name}": {
      post: {
        summary: "Start a workflow",
        description: "Starts the newest stored version of the workflow.",
        parameters: [{ name: "name", in: "path", required: true, schema: { type: "string" } }],
        requestBody: json({
          type: "object",
          additionalProperties: false,
          properties: {
            inputs: { type: "object", description: "default {}" },
            options: { type: "object", properties: { ...startOptions, timeout: RUN_TIMEOUT_SCHEMA } },
          },
        }),
        responses: {
          "201": ok("started", { type: "object", required: ["id"], properties: { id: { type: "string", format: "uuid" } } }),
          ...ACTION_ERRORS,
          "404": error("no workflow of that name is stored (WORKFLOW_NOT_FOUND)"),
        },
      },
    },
    "/tasks/{name}": {
      post: {
        summary: "Queue a task",
        description: "A task name no worker registers yet is queued and waits for one.",
        parameters: [{ name: "name", in: "path", required: true, schema: { type: "string" } }],
        requestBody: json({
          type: "object",
          additionalProperties: false,
          properties: {
            inputs: { description: "any JSON value; default null" },
            options: {
              type: "object",
              properties: {
                ...startOptions,
                retries: {
                  oneOf: [
                    { type: "integer", minimum: 0 },
                    {
                      type: "object",
                      properties: { limit: { type: "integer" }, initial: {}, max: {}, factor: { type: "number" } },
                    },
                  ],
                },
                timeout: { oneOf: [{ type: "number" }, { type: "string" }] },
              },
            },
          },
        }),
        responses: {
          "201": ok("queued", { type: "object", required: ["id"], properties: { id: { type: "string", format: "uuid" } } }),
          ...ACTION_ERRORS,
        },
      },
    },
    "/workflows": {
      get: {
        summary: "Stored workflows and their versions, newest first",
        responses: {
          "200": ok("workflows", {
            type: "object",
            properties: {
              workflows: {
                type: "array",
                items: {
                  type: "object",
                  properties: { name: { type: "string" }, versions: { type: "array", items: ref("VersionSummary") } },
                },
              },
            },
          }),
        },
      },
    },
    "/workflows/{name}/versions/{version}": {
      get: {
        summary: "The source of one version",
        parameters: [
          { name: "name", in: "path", required: true, schema: { type: "string" } },
          { name: "version", in: "path", required: true, schema: { type: "string", pattern: "^[0-9a-f]{64}$" } },
        ],
        responses: {
          "200": ok("the version", {
            type: "object",
            properties: {
              name: { type: "string" },
              version: { type: "string" },
              source: { type: "string" },
              deployedAt: { type: "string", format: "date-time" },
            },
          }),
          "400": error("not a sha256 (INVALID_ARGUMENT)"),
          "404": error("no such version (VERSION_NOT_FOUND)"),
        },
      },
    },
    "/executions": {
      get: {
        summary: "A page of executions, newest first",
        description:
          "Keyset pagination: pass the `next` of a page as `after` for the one after it. `idPrefix` (at least 4 hex digits) finds executions by the start of their id instead.",
        parameters: [
          { name: "status", in: "query", schema: ref("Status") },
          { name: "name", in: "query", schema: { type: "string" } },
          { name: "queue", in: "query", schema: { type: "string" } },
          { name: "kind", in: "query", schema: { enum: ["workflow", "task"] } },
          {
            name: "parent",
            in: "query",
            description: "only what this workflow started",
            schema: { type: "string", format: "uuid" },
          },
          {
            name: "topLevel",
            in: "query",
            description: "only executions no workflow started",
            schema: { type: "boolean", default: false },
          },
          { name: "limit", in: "query", schema: { type: "integer", minimum: 1, maximum: 1000, default: 50 } },
          { name: "after", in: "query", schema: { type: "string", format: "uuid" } },
          { name: "idPrefix", in: "query", schema: { type: "string", pattern: "^[0-9a-fA-F-]{4,36}$" } },
        ],
        responses: { "200": ok("a page", executionList), "400": error("a bad filter (INVALID_ARGUMENT)") },
      },
    },
    "/executions/{id}": {
      get: {
        summary: "One execution",
        parameters: [ID],
        responses: { "200": ok("the execution", ref("Execution")), "404": NOT_FOUND },
      },
    },
    "/executions/{id}/inspect": {
      get: {
        summary: "Where a workflow is paused and its variables",
        description:
          "The stacks of a paused workflow (each frame's function, line and column, the source line, the variables in scope by name), and what it awaits, read from its saved state. Values are JSON; what JSON cannot say is an object tagged `$type` (docs/inspect.md).",
        parameters: [ID],
        responses: {
          "200": ok("the inspection", ref("Inspection")),
          "404": NOT_FOUND,
          "409": error(
            "a task (NOT_A_WORKFLOW), or a workflow with no saved state: not paused yet, or finished (NOTHING_TO_INSPECT)",
          ),
        },
      },
    },
    "/executions/{id}/timeline": {
      get: {
        summary: "What a workflow started (attempts, times, errors), its signal waits, and its and its children's log lines",
        parameters: [ID],
        responses: { "200": ok("the timeline", ref("Timeline")), "404": NOT_FOUND },
      },
    },
    "/executions/{id}/logs": {
      get: {
        summary: "An execution's log lines",
        parameters: [ID],
        responses: {
          "200": ok("the log", { type: "object", properties: { logs: { type: "array", items: ref("LogLine") } } }),
          "404": NOT_FOUND,
        },
      },
    },
    "/executions/{id}/signals/{signal}": {
      post: {
        summary: "Send a signal to a workflow",
        description: "The body is the payload (any JSON value; an empty body is null).",
        parameters: [
          ID,
          { name: "signal", in: "path", required: true, schema: { type: "string" } },
          {
            name: "force",
            in: "query",
            description: "send it even though the workflow's version never waits on a signal of that name",
            schema: { type: "boolean", default: false },
          },
        ],
        requestBody: json({ description: "the payload" }),
        responses: {
          "200": ok("sent", { type: "object", properties: { sent: { const: true } } }),
          ...ACTION_ERRORS,
          "400": error(
            "bad input (INVALID_ARGUMENT), or a name the workflow never waits on (UNKNOWN_SIGNAL; send it anyway with force=true)",
          ),
          "404": NOT_FOUND,
          "409": error("the execution is a task (NOT_A_WORKFLOW) or has finished (EXECUTION_FINISHED)"),
        },
      },
    },
    "/executions/{id}/cancel": {
      post: {
        summary: "Cancel an execution and what it started",
        parameters: [ID],
        responses: {
          "200": ok("the execution, cancelled", ref("Execution")),
          ...ACTION_ERRORS,
          "404": NOT_FOUND,
          "409": error("it completed or failed before (EXECUTION_FINISHED)"),
        },
      },
    },
    ...OPERATION_PATHS,
    "/counts": {
      get: {
        summary: "How many executions are queued, running and suspended (at most 10,000 counted of each)",
        responses: {
          "200": ok("the counts", {
            type: "object",
            properties: { queued: { type: "integer" }, running: { type: "integer" }, suspended: { type: "integer" } },
          }),
        },
      },
    },
    "/queues": {
      get: {
        summary: "Queues: depth, oldest ready work, workers, what is blocked and why, throughput",
        responses: {
          "200": ok("the queues", {
            type: "object",
            properties: { queues: { type: "array", items: ref("Queue") }, throughput: ref("Throughput") },
          }),
        },
      },
    },
    "/workers": {
      get: {
        summary: "The running workers",
        responses: {
          "200": ok("the workers", { type: "object", properties: { workers: { type: "array", items: ref("Worker") } } }),
        },
      },
    },
    "/events": {
      get: {
        summary: "Live changes, as Server-Sent Events",
        description:
          'A `ready` event once subscribed, then a `change` event (data: `{ "ids": [...], "queues": [...], "settle": bool }`) when executions finish, work is queued, timers are set or runs are cancelled.',
        responses: { "200": { description: "the stream", content: { "text/event-stream": { schema: { type: "string" } } } } },
      },
    },
    "/openapi.json": {
      get: { summary: "This document", responses: { "200": ok("the document", { type: "object" }) } },
    },
    ...SCHEDULE_PATHS,
  },
  components: {
    securitySchemes: { bearer: { type: "http", scheme: "bearer", description: "RHYTHM_API_TOKEN, when the server has one" } },
    schemas: {
      Error: {
        type: "object",
        required: ["error"],
        properties: {
          error: {
            type: "object",
            required: ["code", "message"],
            properties: { code: { type: "string", examples: ["EXECUTION_NOT_FOUND"] }, message: { type: "string" } },
          },
        },
      },
      Schedule: SCHEDULE_SCHEMA,
      Status: { enum: ["queued", "running", "suspended", "completed", "failed", "cancelled"] },
      Execution: {
        type: "object",
        required: ["id", "kind", "name", "status", "queue", "createdAt"],
        properties: {
          id: { type: "string", format: "uuid" },
          kind: { enum: ["workflow", "task"] },
          name: { type: "string" },
          status: ref("Status"),
          inputs: {},
          output: {},
          error: {},
          queue: { type: "string" },
          priority: { type: "integer" },
          attempt: { type: "integer" },
          parentId: { type: ["string", "null"] },
          version: { type: ["string", "null"] },
          createdAt: { type: "string", format: "date-time" },
          startedAt: { type: ["string", "null"], format: "date-time" },
          finishedAt: { type: ["string", "null"], format: "date-time" },
          scheduleName: { type: "string", description: "the schedule that started it" },
          runAt: { type: "string", format: "date-time" },
          errors: { type: "array", items: {} },
          blocked: { type: "string", description: "why no running worker will move it" },
          children: {
            type: "array",
            description: "a workflow's tasks and child workflows, the first 100 in the order started (GET /executions/{id})",
            items: {
              type: "object",
              properties: {
                id: { type: "string" },
                kind: { enum: ["workflow", "task"] },
                name: { type: "string" },
                status: ref("Status"),
                createdAt: { type: "string" },
                finishedAt: { type: ["string", "null"] },
                runAt: { type: "string" },
              },
            },
          },
          childCount: { type: "integer" },
          timers: {
            type: "array",
            items: {
              type: "object",
              properties: {
                kind: { enum: ["timer", "signal-timeout"] },
                firesAt: { type: "string" },
                signal: { type: "string" },
              },
            },
          },
          bufferedSignals: {
            type: "array",
            items: { type: "object", properties: { name: { type: "string" }, payload: {}, sentAt: { type: "string" } } },
          },
          waitingOn: {
            type: "array",
            items: {
              type: "object",
              properties: {
                description: { type: "string" },
                function: { type: "string" },
                line: { type: "integer" },
                column: { type: "integer" },
                until: { type: "string", description: "when its first timer or Signal.when timeout fires" },
              },
            },
          },
        },
      },
      Inspection: {
        type: "object",
        properties: {
          id: { type: "string" },
          name: { type: "string" },
          status: ref("Status"),
          version: { type: ["string", "null"] },
          named: {
            type: "boolean",
            description: "false: variables keyed by where they live (a version compiled before debug tables)",
          },
          stack: {
            type: "array",
            items: {
              type: "object",
              properties: {
                fiber: { type: "integer", description: "the stack: 0 is the workflow's main body" },
                function: { type: "string" },
                line: { type: "integer" },
                column: { type: "integer" },
                source: { type: "string" },
                variables: { type: "object", additionalProperties: {} },
                awaits: { type: "string", description: "on a stack's innermost frame: what it waits on" },
              },
            },
          },
          awaiting: {
            type: "array",
            items: {
              type: "object",
              properties: {
                kind: { type: "string" },
                name: { type: "string" },
                id: { type: "string" },
                until: { type: "string" },
              },
            },
          },
        },
      },
      ErrorSummary: {
        type: "object",
        properties: {
          name: { type: ["string", "null"] },
          type: { type: ["string", "null"] },
          message: { type: ["string", "null"] },
        },
      },
      LogLine: {
        type: "object",
        properties: {
          level: { type: "string" },
          message: { type: "string" },
          line: { type: ["integer", "null"] },
          createdAt: { type: "string", format: "date-time" },
        },
      },
      Timeline: {
        type: "object",
        properties: {
          children: {
            type: "array",
            items: {
              type: "object",
              properties: {
                id: { type: "string" },
                kind: { enum: ["workflow", "task"] },
                name: { type: "string" },
                status: ref("Status"),
                queue: { type: "string" },
                attempt: { type: "integer" },
                maxAttempts: { type: ["integer", "null"] },
                createdAt: { type: "string" },
                startedAt: { type: ["string", "null"] },
                finishedAt: { type: ["string", "null"] },
                runAt: { type: "string" },
                inputs: { type: "string", description: "JSON text, cut at 2,000 characters" },
                output: { type: ["string", "null"] },
                cut: { type: "boolean" },
                error: { oneOf: [ref("ErrorSummary"), { type: "null" }] },
                errors: { type: "array", items: ref("ErrorSummary") },
              },
            },
          },
          childCount: { type: "integer" },
          signalWaits: { type: "array", items: { type: "object", properties: { name: { type: "string" } } } },
          logs: { type: "array", items: { allOf: [ref("LogLine"), { properties: { executionId: { type: "string" } } }] } },
        },
      },
      Queue: {
        type: "object",
        properties: {
          queue: { type: "string" },
          ready: { type: "integer" },
          later: { type: "integer" },
          running: { type: "integer" },
          oldestReady: { type: ["string", "null"] },
          workers: { type: "array", items: { type: "string" } },
          groups: {
            type: "array",
            items: {
              type: "object",
              properties: {
                kind: { type: "string" },
                name: { type: "string" },
                ready: { type: "integer" },
                later: { type: "integer" },
                running: { type: "integer" },
                oldestReady: { type: ["string", "null"] },
                nextLater: { type: ["string", "null"] },
                blocked: { type: "string" },
              },
            },
          },
        },
      },
      Throughput: {
        type: "object",
        description: "executions finished per queue over the last five minutes, as this server saw them",
        properties: {
          since: { type: "string", format: "date-time" },
          seconds: { type: "integer" },
          queues: {
            type: "array",
            items: {
              type: "object",
              properties: {
                queue: { type: "string" },
                completed: { type: "integer" },
                failed: { type: "integer" },
                cancelled: { type: "integer" },
              },
            },
          },
        },
      },
      Worker: {
        type: "object",
        properties: {
          id: { type: "string" },
          queues: { type: "array", items: { type: "string" } },
          tasks: { type: "array", items: { type: "string" } },
          startedAt: { type: "string" },
          seenAt: { type: "string" },
        },
      },
      VersionSummary: {
        type: "object",
        properties: { version: { type: "string" }, deployedAt: { type: "string" }, bytes: { type: "integer" } },
      },
    },
  },
};
