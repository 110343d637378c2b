// Development and tests only: runs the TypeScript worker through tsx (the build bundles
// main/jobs/worker.ts to out/main/importWorker.js, which needs no loader).
require('tsx/cjs/api').register();
require('./worker.ts');
