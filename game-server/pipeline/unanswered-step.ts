import { Code } from '../errors';
import type { Step } from './pipeline';

/** A request without an acknowledgement has nowhere to answer: it is dropped without running. */
export const unansweredStep: Step = async ({ answered }, next) =>
  answered ? next() : { code: Code.BAD_REQUEST, error: 'a request needs an acknowledgement' };
