/**
 * `load`, run at the first call and its result kept for the next ones. A
 * load that fails is not kept: the next call tries again, so a cold start
 * whose first event met a passing failure (a chunk read from disk, a client
 * that could not be built) is not broken for the life of the instance.
 */
export function loadOnce<T>(load: () => Promise<T>): () => Promise<T> {
  let loading: Promise<T> | undefined;
  return () => {
    if (loading === undefined) {
      const attempt = Promise.resolve().then(load);
      loading = attempt;
      attempt.catch(() => {
        // Only this attempt is forgotten, never a later one that replaced it.
        if (loading === attempt) loading = undefined;
      });
    }
    return loading;
  };
}
