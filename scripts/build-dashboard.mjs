// Builds the dashboard (src/dashboard/) into dist/src/dashboard/assets/ with esbuild: one ES
// module (Preact and jsdiff bundled in, minified), one stylesheet, the two latin fonts (with
// their SIL Open Font License) and the icon, so the package serves it with nothing fetched from
// elsewhere. `--report` prints the sizes.

import { build } from "esbuild";
import { copyFileSync, readFileSync, rmSync } from "node:fs";
import { gzipSync } from "node:zlib";

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
// the fonts' license travels with them
copyFileSync("node_modules/@fontsource-variable/inter/LICENSE", `${out}/LICENSE-Inter.txt`);
copyFileSync("node_modules/@fontsource-variable/jetbrains-mono/LICENSE", `${out}/LICENSE-JetBrains-Mono.txt`);
if (process.argv.includes("--report")) {
  for (const file of Object.keys(result.metafile.outputs).sort()) {
    const bytes = readFileSync(file);
    console.log(`${file.padEnd(64)} ${String(bytes.length).padStart(8)} B  gzip ${String(gzipSync(bytes).length).padStart(7)} B`);
  }
}
