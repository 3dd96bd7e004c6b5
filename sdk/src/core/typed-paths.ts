// Types that let the escape hatch (`client.get('/v1/balance')`) infer the answer from the spec.
import type { paths } from '../generated/openapi.js';

export type Verb = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** `/v1/apis/{listingId}/docs` -> `/v1/apis/${string}/docs`. */
type Template<S extends string> = S extends `${infer Head}{${string}}${infer Tail}` ? `${Head}${string}${Template<Tail>}` : S;

type JsonBody<R> = R extends { content: { 'application/json': infer B } } ? B : unknown;

/** The JSON body of the first 2xx answer an operation documents. */
type SuccessBody<Op> = Op extends { responses: infer Rs }
  ? 200 extends keyof Rs
    ? JsonBody<Rs[200]>
    : 201 extends keyof Rs
      ? JsonBody<Rs[201]>
      : unknown
  : unknown;

type Operation<K extends keyof paths, M extends Verb> = paths[K] extends { [V in M]: infer Op } ? ([Op] extends [undefined] ? never : Op) : never;

/** Spec paths whose template matches `P` and that define verb `M`. */
type Matching<M extends Verb, P extends string> = {
  [K in keyof paths & string]: P extends Template<K> ? ([Operation<K, M>] extends [never] ? never : K) : never;
}[keyof paths & string];

/** Answer type of `M P` according to the spec, or `unknown` for paths the spec does not know. */
export type ResponseFor<M extends Verb, P extends string> = string extends P
  ? unknown
  : [Matching<M, P>] extends [never]
    ? unknown
    : { [K in Matching<M, P>]: SuccessBody<Operation<K, M>> }[Matching<M, P>];

/** `T` when the caller named one, else what the spec says `M P` answers. */
export type Answer<T, M extends Verb, P extends string> = [T] extends [never] ? ResponseFor<M, P> : T;
