// Files the bundle imports for their side effect (esbuild writes them next to app.js).
declare module "*.css";
