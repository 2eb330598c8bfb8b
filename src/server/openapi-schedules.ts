// The schedules' part of the OpenAPI document (openapi.ts): their paths and the Schedule schema.

import { error, json, ok, ref } from "./openapi-parts.js";

const NAME = { name: "name", in: "path", required: true, description: "schedule name", schema: { type: "string" } };
const NOT_FOUND = error("no schedule of that name (SCHEDULE_NOT_FOUND)");
const ACTION_ERRORS = {
  "400": error("bad input (INVALID_ARGUMENT)"),
  "403": error("a cross-site request, or a wrong token (FORBIDDEN)"),
  "415": error("the body is not sent as Content-Type: application/json (UNSUPPORTED_MEDIA_TYPE)"),
};

const POLICIES = {
  overlap: {
    enum: ["skip", "allow", "cancel-previous"],
    description:
      "a tick while the previous execution is unfinished: start nothing (skip, the default), start anyway, or cancel it first",
  },
  catchup: {
    enum: ["none", "latest", "all"],
    description:
      "ticks missed while no worker ran: skip them, start the latest (the default), or start each (at most the 100 most recent)",
  },
};

const scheduleOptions = {
  type: "object",
  required: ["cron"],
  additionalProperties: false,
  properties: {
    cron: { type: "string", description: "5 fields, or 6 with leading seconds", examples: ["0 9 * * 1-5", "*/10 * * * * *"] },
    timezone: { type: "string", description: "IANA time zone (default UTC)", examples: ["Europe/London"] },
    workflow: { type: "string", description: "the workflow each tick starts (or task)" },
    task: { type: "string", description: "the task each tick queues (or workflow)" },
    inputs: { description: "its inputs (a workflow's: an object)" },
    queue: { type: "string" },
    priority: { type: "integer" },
    ...POLICIES,
  },
};

export const SCHEDULE_SCHEMA = {
  type: "object",
  required: [
    "name",
    "cron",
    "timezone",
    "inputs",
    "queue",
    "priority",
    "overlap",
    "catchup",
    "paused",
    "nextFireAt",
    "lastFireAt",
  ],
  properties: {
    name: { type: "string" },
    cron: { type: "string" },
    timezone: { type: "string" },
    workflow: { type: "string" },
    task: { type: "string" },
    inputs: {},
    queue: { type: "string" },
    priority: { type: "integer" },
    ...POLICIES,
    paused: { type: "boolean" },
    nextFireAt: { type: ["string", "null"], format: "date-time", description: "null while paused" },
    lastFireAt: { type: ["string", "null"], format: "date-time", description: "the last tick that started an execution" },
    lastError: { type: "string", description: "why the last due tick started nothing" },
    createdAt: { type: "string", format: "date-time" },
    updatedAt: { type: "string", format: "date-time" },
  },
};

const action = (summary: string, description: string, response: object) => ({
  post: { summary, description, parameters: [NAME], responses: { ...response, ...ACTION_ERRORS, "404": NOT_FOUND } },
});

export const SCHEDULE_PATHS = {
  "/schedules": {
    get: {
      summary: "Every schedule, by name, with its next fire time",
      responses: {
        "200": ok("the schedules", { type: "object", properties: { schedules: { type: "array", items: ref("Schedule") } } }),
      },
    },
  },
  "/schedules/{name}": {
    get: {
      summary: "A schedule",
      parameters: [NAME],
      responses: { "200": ok("the schedule", ref("Schedule")), "404": NOT_FOUND },
    },
    put: {
      summary: "Create or replace a schedule",
      description:
        "Its next tick is counted from now, unless cron and time zone are unchanged (then the pending tick stays). A workflow must be deployed.",
      parameters: [NAME],
      requestBody: json(scheduleOptions),
      responses: {
        "200": ok("the schedule", ref("Schedule")),
        ...ACTION_ERRORS,
        "404": error("no workflow of that name is stored (WORKFLOW_NOT_FOUND)"),
      },
    },
    delete: {
      summary: "Delete a schedule (executions it started stay)",
      parameters: [NAME],
      responses: {
        "200": ok("deleted", { type: "object", properties: { deleted: { const: true } } }),
        ...ACTION_ERRORS,
        "404": NOT_FOUND,
      },
    },
  },
  "/schedules/{name}/pause": action("Pause a schedule", "No tick fires until it is resumed.", {
    "200": ok("the schedule", ref("Schedule")),
  }),
  "/schedules/{name}/resume": action("Resume a schedule", "Ticks fire from now on; those of the pause are not caught up.", {
    "200": ok("the schedule", ref("Schedule")),
  }),
  "/schedules/{name}/trigger": action(
    "Start a schedule's workflow or task now",
    "Once, outside its ticks, whatever its overlap policy.",
    {
      "201": ok("started", { type: "object", required: ["id"], properties: { id: { type: "string", format: "uuid" } } }),
    },
  ),
};
