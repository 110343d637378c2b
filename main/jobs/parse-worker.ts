/**
 * Import parse thread (issue 18.4): started by an import job's own worker for a big delimited or
 * fixed-width file; reads, parses and converts while the job's thread writes. See engine/parse-thread.ts.
 */
import { workerData } from 'node:worker_threads';
import { type ParseThreadInput, runParseThread } from './engine/parse-thread';

const input = workerData as ParseThreadInput;
void runParseThread(input, (m, transfer) => input.port.postMessage(m, transfer ?? []));
