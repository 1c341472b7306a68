import { loadOnce } from './load-once';

/**
 * The handler `load` builds, loaded with the first event rather than at cold
 * start (see loadOnce): for handlers whose code only an event needs, such as
 * the parsers built on zod's classic API. A failed load fails that event and
 * is tried again with the next one.
 */
export function loadedWithFirstEvent<E, C, R>(load: () => Promise<(event: E, context: C) => Promise<R>>): (event: E, context: C) => Promise<R> {
  const handlerOf = loadOnce(load);
  return async (event, context) => (await handlerOf())(event, context);
}
