// Development and tests only: runs the TypeScript follow-up worker through tsx (the build bundles it).
require('tsx/cjs/api').register();
require('./after-import-worker.ts');
