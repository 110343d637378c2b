import type {
  Input,
  LabCustomerScore,
  LabJobState,
  LabMonitoring,
  LabPushResult,
  LabScoreRow,
  LabTargets,
  LabVersionDetail,
  LabVersionSummary,
} from '../../shared/api';
import { AppError } from '../../shared/errors';
import type { AuthedCtx } from '../handlers/types';
import type { Services } from '../services';

/** Interim: the engine lands in the next commits; the contract (shared/api/lab.ts) is fixed first. */
export class LabService {
  constructor(readonly services: Services) {}
  private pending(): never {
    throw new AppError('INTERNAL', { reason: 'lab engine not built yet' });
  }
  targets(): LabTargets {
    return this.pending();
  }
  train(_input: Input<'lab.train'>, _ctx: AuthedCtx): LabJobState {
    return this.pending();
  }
  job(_jobId: string): LabJobState {
    return this.pending();
  }
  cancel(_jobId: string, _ctx: AuthedCtx): LabJobState {
    return this.pending();
  }
  versions(_key: string | undefined): LabVersionSummary[] {
    return this.pending();
  }
  version(_version: number): LabVersionDetail {
    return this.pending();
  }
  activate(_version: number, _ctx: AuthedCtx): LabJobState {
    return this.pending();
  }
  customerScores(_customerId: number, _ctx: AuthedCtx): LabCustomerScore[] {
    return this.pending();
  }
  scores(_input: Input<'lab.scores'>, _ctx: AuthedCtx): { rows: LabScoreRow[]; total: number } {
    return this.pending();
  }
  push(_input: Input<'lab.push'>, _ctx: AuthedCtx): LabPushResult {
    return this.pending();
  }
  monitoring(_version: number): LabMonitoring {
    return this.pending();
  }
}

const services = new WeakMap<Services, LabService>();

export function labService(s: Services): LabService {
  let l = services.get(s);
  if (!l) services.set(s, (l = new LabService(s)));
  return l;
}
