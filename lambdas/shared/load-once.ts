/**
 * `load`, run at the first call and its result kept for the next ones. A
 * load that fails is not kept: the next call runs `load` again, so a cold
 * start whose first event met a passing failure (a chunk that could not be
 * read, a client that could not be built) is not broken for the life of the
 * instance. A module that threw while it was evaluated is another matter:
 * Node keeps that error, and importing the module again rejects with it.
 */
export function loadOnce<T>(load: () => Promise<T>): () => Promise<T> {
  let loading: Promise<T> | undefined;
  return () => {
    if (loading === undefined) {
      loading = Promise.resolve().then(load);
      // Forgotten when it fails; no other attempt can start before that.
      loading.catch(() => {
        loading = undefined;
      });
    }
    return loading;
  };
}
