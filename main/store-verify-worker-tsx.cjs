// Development and tests only: runs the TypeScript store verification worker through tsx (the build bundles it).
require('tsx/cjs/api').register();
require('./store-verify-worker.ts');
