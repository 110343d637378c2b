/**
 * better-sqlite3-multiple-ciphers has better-sqlite3's API; it is typed with @types/better-sqlite3
 * (its own bundled typings lag behind that API). So a `Database` is the same type whether a file
 * imports the type from 'better-sqlite3' (the @types package) or constructs one with this driver.
 * Encryption is set through PRAGMAs (db/cipher.ts), which need no extra typings.
 */
declare module 'better-sqlite3-multiple-ciphers' {
  import BetterSqlite3 = require('better-sqlite3');
  export = BetterSqlite3;
}
