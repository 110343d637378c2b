import { handlers } from './types';

export const systemHandlers = handlers({
  'system.info': (_input, ctx) => ({
    name: 'Branch CRM',
    version: ctx.services.info.version,
    schemaVersion: ctx.services.info.schemaVersion,
    mode: ctx.services.info.mode,
    demo: ctx.services.info.demo,
  }),
});
