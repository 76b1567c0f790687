import { z } from 'zod';

/** Answer of `GET /api/limits`: what the server refuses past, so that a client can refuse it first. */
export const limits = z
  .object({
    /** `MAX_DOCUMENT_BYTES`: largest room, 2 bytes per UTF-16 code unit of the code, title and language. */
    maxDocumentBytes: z.int().positive(),
    /** `MAX_MESSAGE_BYTES`: largest WebSocket message; one edit (one transaction) is one message. */
    maxMessageBytes: z.int().positive(),
  })
  .meta({ id: 'Limits' });
export type Limits = z.infer<typeof limits>;
