#!/usr/bin/env node
/**
 * `npm start` (after `npm run build`): the Electron app, or browser mode when Electron cannot run here.
 *   npm start                      Electron if possible, else `node out/main/host.js`
 *   npm start -- --db D:/crm.db    the same, on another store (forwarded to either mode)
 *   npm start -- --browser         browser mode directly (same as CRM_BROWSER_MODE=1)
 * All the logic is in launch.mjs so it is shared with demo.mjs and unit tested.
 */
import { main } from './launch.mjs';

await main(process.argv.slice(2));
