// Lint rules: typescript-eslint's recommended set over the sources, tests and benchmarks.
import tseslint from "typescript-eslint";

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
);
