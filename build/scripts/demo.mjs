#!/usr/bin/env node
/**
 * `npm run demo` (after `npm run build`): seed a demo store, then start the app on it.
 *   npm run demo                              the generator's default size, in .data/demo.db
 *   npm run demo -- --customers 20000         a bigger branch (arguments after `--` reach this script)
 *   npm run demo -- --db D:/demo.db --browser another file, browser mode
 * The split between generator and launcher arguments is splitDemoArgs() in launch.mjs.
 */
import { runDemo } from './launch.mjs';

const { code } = await runDemo({ args: process.argv.slice(2) });
process.exit(code);
