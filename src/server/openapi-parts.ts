// The pieces every part of the OpenAPI document is built from (openapi.ts and the documents it
// spreads in): JSON bodies, schema references, responses, and the execution id and its errors.

export const json = (schema: object) => ({ content: { "application/json": { schema } } });
export const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
export const ok = (description: string, schema: object) => ({ description, ...json(schema) });
export const error = (description: string) => ({ description, ...json(ref("Error")) });

export const ID = {
  name: "id",
  in: "path",
  required: true,
  description: "execution id (a UUID)",
  schema: { type: "string", format: "uuid" },
};
export const NOT_FOUND = error("no execution with that id (EXECUTION_NOT_FOUND)");
export const ACTION_ERRORS = {
  "400": error("bad input: a value the API refuses, or a body that is not JSON (INVALID_ARGUMENT)"),
  "403": error("a cross-site request (Origin or Sec-Fetch-Site not this server), or a wrong token (FORBIDDEN)"),
  "413": error("the body is over the server's limit (PAYLOAD_TOO_LARGE)"),
  "415": error("the body is not sent as Content-Type: application/json (UNSUPPORTED_MEDIA_TYPE)"),
};
