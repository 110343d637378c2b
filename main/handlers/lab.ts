import { handlers } from './types';
import { labService } from '../lab/service';

/** 模型实验室: the service (main/lab/service.ts) owns the jobs; these only pass the caller along. */
export const labHandlers = handlers({
  'lab.targets': (_input, ctx) => labService(ctx.services).targets(),
  'lab.train': (input, ctx) => labService(ctx.services).train(input, ctx),
  'lab.job': ({ jobId }, ctx) => labService(ctx.services).job(jobId),
  'lab.cancel': ({ jobId }, ctx) => labService(ctx.services).cancel(jobId, ctx),
  'lab.versions': ({ key }, ctx) => labService(ctx.services).versions(key),
  'lab.version': ({ version }, ctx) => labService(ctx.services).version(version),
  'lab.activate': ({ version }, ctx) => labService(ctx.services).activate(version, ctx),
  'lab.customerScores': ({ customerId }, ctx) => labService(ctx.services).customerScores(customerId, ctx),
  'lab.scores': (input, ctx) => labService(ctx.services).scores(input, ctx),
  'lab.push': (input, ctx) => labService(ctx.services).push(input, ctx),
  'lab.monitoring': ({ version }, ctx) => labService(ctx.services).monitoring(version),
});
