// Development and tests only: runs the TypeScript upgrade worker through tsx (the build bundles it).
require('tsx/cjs/api').register();
require('./worker.ts');
