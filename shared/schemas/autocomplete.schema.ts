import { z } from 'zod';

/** Most items one answer holds; a larger `limit` is clamped to it. */
export const MAX_AUTOCOMPLETE_ITEMS = 50;

/** Kinds of suggestion; `model` comes from the optional LLM backend. */
export const completionType = z
  .enum(['identifier', 'member', 'keyword', 'snippet', 'line', 'model'])
  .meta({ id: 'CompletionType' });
export type CompletionType = z.infer<typeof completionType>;

/** Body of `POST /api/autocomplete`: either `code` or `roomId` (the room's live text). */
export const autocompleteRequest = z
  .strictObject({
    /** The code to complete in; omit it and send `roomId` instead to use the room's live text. */
    code: z.string().optional(),
    /** A room whose live code to complete in. */
    roomId: z.string().optional(),
    /** Cursor offset in UTF-16 code units, `0..code.length`. */
    cursorPosition: z.int().nonnegative(),
    /**
     * Language of the code; any string that is not a known language (of any length: the body
     * limit bounds it) is completed as plaintext.
     */
    language: z.string(),
    /** Most items to return, a positive integer; default 10, and more than 50 is clamped to 50 by the server. */
    limit: z.int().min(1).default(10),
    /**
     * True when the person asked for completions (Ctrl+Space); default false. Without it a cursor
     * inside a comment or a string gets an empty list.
     */
    explicit: z.boolean().default(false),
  })
  .refine((body) => body.code !== undefined || body.roomId !== undefined, {
    message: 'either code or roomId is required',
    path: ['code'],
  })
  .meta({ id: 'AutocompleteRequest' });
export type AutocompleteRequest = z.infer<typeof autocompleteRequest>;

/** One ranked completion. */
export const completionItem = z
  .object({
    /** What the list shows. */
    label: z.string(),
    /** What replaces `from..to`; may contain `${n:placeholder}` fields for snippets. */
    insertText: z.string(),
    kind: completionType,
    /** Extra text shown beside the label. */
    detail: z.string().optional(),
    /** Ranking score; higher is better. */
    score: z.number(),
  })
  .meta({ id: 'CompletionItem' });
export type CompletionItem = z.infer<typeof completionItem>;

/** Answer of `POST /api/autocomplete`. */
export const autocompleteResponse = z
  .object({
    /** The best single completion (text to insert at the cursor), or "" when there is none. */
    suggestion: z.string(),
    /** Confidence in `suggestion`, 0..1. */
    confidence: z.number().min(0).max(1),
    type: completionType,
    /** Start of the range the insertion replaces (the partial word before the cursor). */
    from: z.int().nonnegative(),
    /** End of the replaced range (the cursor). */
    to: z.int().nonnegative(),
    items: z.array(completionItem),
  })
  .meta({ id: 'AutocompleteResponse' });
export type AutocompleteResponse = z.infer<typeof autocompleteResponse>;
