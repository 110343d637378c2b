import { z } from 'zod';

export const empty = z.object({}).strict();
export const idInput = z.object({ id: z.number().int().positive() }).strict();
export const locale = z.enum(['zh-CN', 'en']);
export type Locale = z.infer<typeof locale>;

/** Money crosses the boundary as a decimal string of yuan with two places ("1234.50"), never a float. */
export type Money = string;

export interface Page<T> {
  rows: T[];
  total: number;
}
