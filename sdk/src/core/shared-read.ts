// One read (a /health discovery, a listing lookup) shared by the callers who ask while it runs.
// A failure is not kept: once a caller had it, the next caller asks again. A read started ahead
// of need (a prefetch) that fails before anyone asked is handed to the first caller, as if that
// caller had started it: the failure costs no second request.

export class SharedRead<T> {
  readonly promise: Promise<T>;
  #taken = false;
  #failed = false;
  readonly #forget: () => void;

  /** `forget` drops the read from wherever it is kept (called at most when the failure was had). */
  constructor(promise: Promise<T>, forget: () => void) {
    this.promise = promise;
    this.#forget = forget;
    promise.catch(() => {
      this.#failed = true;
      if (this.#taken) forget();
    });
  }

  /** The read, for a caller who waits for it. */
  take(): Promise<T> {
    this.#taken = true;
    if (this.#failed) this.#forget();
    return this.promise;
  }
}
