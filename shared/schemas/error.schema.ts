import { z } from 'zod';
import { ERRORS, type ErrorCode } from '../errors.ts';

/** The body of every error answer. */
export const errorBody = z
  .object({
    error: z.object({
      code: z.enum(Object.keys(ERRORS) as [ErrorCode, ...ErrorCode[]]),
      message: z.string(),
    }),
  })
  .meta({ id: 'Error' });
