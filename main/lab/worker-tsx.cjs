// Development and tests only: runs the TypeScript model-lab worker through tsx (the build bundles it).
require('tsx/cjs/api').register();
require('./worker.ts');
