// Lint rules: typescript-eslint's recommended set over the sources, tests and benchmarks, and the
// direction of imports between the layers of src/ (docs/architecture.md draws them).
import tseslint from "typescript-eslint";

// Each layer and the layers it may import (besides itself). shared/ is the leaf every layer may
// use; the store treats programs and saved states as opaque JSON, so it knows no language layer.
const LAYERS = {
  shared: [],
  lang: ["shared"],
  compiler: ["shared", "lang"],
  vm: ["shared", "lang", "compiler"],
  testing: ["shared", "lang", "compiler", "vm"],
  store: ["shared"],
  worker: ["shared", "lang", "compiler", "vm", "store"],
  client: ["shared", "lang", "compiler", "vm", "store", "worker"],
  server: ["shared", "lang", "compiler", "vm", "store", "worker", "client"],
  cli: ["shared", "lang", "compiler", "vm", "store", "worker", "client", "testing", "server"],
  // browser code, bundled on its own: it takes only types from the layers (see below)
  dashboard: [],
};

const layerRules = Object.entries(LAYERS).map(([layer, allowed]) => {
  const forbidden = Object.keys(LAYERS).filter((l) => l !== layer && !allowed.includes(l));
  return {
    files: [`src/${layer}/**/*.ts`],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: forbidden.map((l) => ({
            group: [`**/${l}/*`, `**/${l}/**/*`],
            message: `src/${layer} may import only ${allowed.length ? allowed.join(", ") : "nothing else in src"}: imports run one way (docs/architecture.md).`,
          })),
        },
      ],
    },
  };
});

// The dashboard runs in the browser: from the rest of src/ it may take types (the API's shapes),
// never values, which would pull server code into the bundle.
const dashboardRule = {
  files: ["src/dashboard/**/*.ts", "src/dashboard/**/*.tsx"],
  rules: {
    "no-restricted-imports": "off",
    "@typescript-eslint/no-restricted-imports": [
      "error",
      {
        patterns: [
          {
            group: Object.keys(LAYERS)
              .filter((l) => l !== "dashboard")
              .flatMap((l) => [`**/${l}/*`, `**/${l}/**/*`]),
            allowTypeImports: true,
            message: "src/dashboard runs in the browser: it may import only types from the rest of src.",
          },
        ],
      },
    ],
  },
};

export default tseslint.config(
  { ignores: ["dist/**", "node_modules/**", "bench/node_modules/**", ".rhythm/**"] },
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "no-constant-condition": ["error", { checkLoops: false }],
      // Walking a parent chain (`for (let s = this; s; s = s.parent)`) is not the closure
      // aliasing this rule is about.
      "@typescript-eslint/no-this-alias": "off",
    },
  },
  ...layerRules,
  dashboardRule,
);
