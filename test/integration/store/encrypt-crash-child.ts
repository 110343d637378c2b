/**
 * Child process of encrypt-progress.test.ts: converts the plaintext store given on the command line the
 * way the CLI does (this thread), and once the encrypted copy is being written says HOLDING and stops
 * there, so the test can kill it half-way, as a crash or a power cut would.
 */
import { writeSync } from 'node:fs';
import { openAppStore } from '../../../main/store-key';

const [file, backupDir] = process.argv.slice(2) as [string, string];

async function main(): Promise<void> {
  await openAppStore(file, {
    backupDir,
    onEncryptProgress: (p) => {
      if (p.phase !== 'encrypt') return;
      writeSync(1, 'HOLDING\n');
      // Blocks this thread (and so the conversion) until the test kills the process.
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 120_000);
    },
  });
  writeSync(1, 'NOT KILLED\n');
}

main().catch((e: unknown) => {
  writeSync(2, `${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
