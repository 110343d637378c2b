import { z } from 'zod';
import type { Page } from './common';
import { method } from './define';

export interface AuditEntry {
  id: number;
  at: string;
  username: string | null;
  role: string | null;
  action: string;
  outcome: 'ok' | 'denied' | 'failed';
  targetType: string | null;
  targetId: string | null;
  details: Record<string, unknown> | null;
}

export const auditApi = {
  'audit.list': method<Page<AuditEntry>>()(
    'audit.read',
    z
      .object({
        offset: z.number().int().min(0).default(0),
        limit: z.number().int().min(1).max(200).default(50),
        action: z.string().trim().max(64).optional(),
        outcome: z.enum(['ok', 'denied', 'failed']).optional(),
      })
      .strict(),
  ),
} as const;
