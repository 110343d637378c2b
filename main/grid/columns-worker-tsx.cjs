// Development and tests only: runs the TypeScript columns worker through tsx (the build bundles it).
require('tsx/cjs/api').register();
require('./columns-worker.ts');
