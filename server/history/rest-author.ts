import type { Response } from 'express';
import type { Grant } from '../auth/tokens.ts';
import type { HistoryAuthor } from './change-index.ts';
import { REST_AUTHOR } from './change-recorder.ts';

/**
 * The author history records for a change made over REST: the token's
 * subject (`sub`) when the request carried a token with one, else
 * `REST API`. Call it after `auth.authorize`, which leaves the grant in
 * `res.locals`.
 */
export function restAuthorOf(res: Response): HistoryAuthor {
  const subject = (res.locals.grant as Grant | undefined)?.subject;
  return subject ? { name: subject, color: '', subject } : REST_AUTHOR;
}
