// Development and tests only: runs the TypeScript parse thread through tsx (the build bundles
// main/jobs/parse-worker.ts to out/main/importParseWorker.js, which needs no loader).
require('tsx/cjs/api').register();
require('./parse-worker.ts');
