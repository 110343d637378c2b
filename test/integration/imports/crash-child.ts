/**
 * Child process for the crash test: starts an import job through the real queue and worker, which
 * stalls inside its open transaction after 4,000 rows and prints STALLED, so the test can SIGKILL
 * this whole process mid-job.  Args: <dbPath> <file> <rejectsDir>
 */
import { ImportQueue } from '../../../main/jobs/queue';
import { CIF_PROFILE } from './helpers';

const [dbPath, file, rejectsDir] = process.argv.slice(2) as [string, string, string];
const q = new ImportQueue({
  dbPath,
  rejectsDir,
  stallAfterRows: 4000,
  onStalled: (jobId, rows) => process.stdout.write(`STALLED ${jobId} ${rows}\n`),
});
const entry = q.submit({ file, profile: CIF_PROFILE, tolerance: 0, source: 'cli', userId: null, username: null });
void q.wait(entry.ticket).then((o) => {
  process.stdout.write(`FINISHED ${o.status}\n`);
  process.exit(1);
});
