// Builds the dashboard (src/dashboard/) into dist/src/dashboard/assets/ with esbuild: one ES
// module (Preact and jsdiff bundled in, minified), one stylesheet, the two latin fonts and the
// icon, so the package serves it with nothing fetched from elsewhere. `--report` prints the sizes.

import { build } from "esbuild";
import { rmSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { readFileSync } from "node:fs";

const out = "dist/src/dashboard/assets";
rmSync(out, { recursive: true, force: true });
const result = await build({
  entryPoints: { app: "src/dashboard/main.tsx" },
  bundle: true,
  minify: true,
  format: "esm",
  target: ["es2022", "chrome111", "firefox113", "safari16.4"],
  platform: "browser",
  jsx: "automatic",
  jsxImportSource: "preact",
  loader: { ".woff2": "file", ".svg": "file" },
  assetNames: "[name]",
  outdir: out,
  metafile: true,
  legalComments: "none",
  logLevel: "warning",
});
if (process.argv.includes("--report")) {
  for (const file of Object.keys(result.metafile.outputs).sort()) {
    const bytes = readFileSync(file);
    console.log(`${file.padEnd(64)} ${String(bytes.length).padStart(8)} B  gzip ${String(gzipSync(bytes).length).padStart(7)} B`);
  }
}
