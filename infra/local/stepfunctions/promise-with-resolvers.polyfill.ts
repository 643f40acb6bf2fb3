/*
 * aws-local-stepfunctions calls `Promise.withResolvers` (Node 22); the local stack runs on Node 20 too.
 * Installed once, only where missing, with the standard's behaviour.
 */
type Resolvers<T> = {
  promise: Promise<T>;
  resolve: (value: T | PromiseLike<T>) => void;
  reject: (reason?: unknown) => void;
};

const promiseStatics = Promise as unknown as { withResolvers?: <T>() => Resolvers<T> };
if (typeof promiseStatics.withResolvers !== 'function') {
  promiseStatics.withResolvers = <T>(): Resolvers<T> => {
    let resolve!: Resolvers<T>['resolve'];
    let reject!: Resolvers<T>['reject'];
    const promise = new Promise<T>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    return { promise, resolve, reject };
  };
}
