// `rhythm dev` prints the dashboard's URL and serves it (the page and the API) next to its worker;
// `rhythm dashboard` serves it with no worker, and refuses to listen beyond this machine without a
// token. Driven as real processes on the embedded database.

import assert from "node:assert/strict";
import { after, test } from "node:test";
import { background } from "./background.js";
import { rhythm, tempFolder } from "./cli-process.js";

const project = tempFolder({
  "package.json": '{ "type": "module" }\n',
  "workflows/hello.flow": 'const answer = await Signal.next("go");\nreturn { hello: Inputs.name, answer };\n',
});
after(() => project.remove());

test("rhythm dev prints the dashboard's URL; the page and the API answer there, and a run can be unstuck over it", async () => {
  const dev = background(["dev"], project.dir, { RHYTHM_DATABASE_URL: "" });
  try {
    const [, url] = await dev.waitFor(/rhythm dev: dashboard at (http:\/\/127\.0\.0\.1:\d+\/)\n/, 90_000);
    const page = await fetch(url);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /<script type="module" src="\/assets\/app\.js/);
    const started = await fetch(new URL("/api/v1/workflows/hello", url), {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ inputs: { name: "ada" } }),
    });
    assert.equal(started.status, 201);
    const { id } = (await started.json()) as { id: string };
    const get = async () =>
      (await (await fetch(new URL(`/api/v1/executions/${id}`, url))).json()) as { status: string; output: unknown };
    for (let i = 0; (await get()).status !== "suspended"; i++) {
      assert.ok(i < 300, "the run suspends");
      await new Promise((r) => setTimeout(r, 100));
    }
    const signal = await fetch(new URL(`/api/v1/executions/${id}/signals/go`, url), {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: "42",
    });
    assert.equal(signal.status, 200);
    for (let i = 0; (await get()).status !== "completed"; i++) {
      assert.ok(i < 300, "the run completes");
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.deepEqual((await get()).output, { hello: "ada", answer: 42 });
  } finally {
    assert.equal(await dev.stop("SIGINT", 30_000), 0);
  }
});

test("rhythm dashboard bound beyond this machine needs RHYTHM_API_TOKEN", () => {
  const r = rhythm(["dashboard", "--host", "0.0.0.0"], project.dir, { RHYTHM_DATABASE_URL: "", RHYTHM_API_TOKEN: "" });
  assert.equal(r.code, 2, r.stderr);
  assert.match(
    r.stderr,
    /rhythm dashboard: the server is bound to 0\.0\.0\.0, which other machines can reach: set RHYTHM_API_TOKEN/,
  );
  const usage = rhythm(["dashboard", "--port", "70000"], project.dir);
  assert.equal(usage.code, 2);
  assert.match(usage.stderr, /--port must be at most 65535/);
});
