// Worker-thread entry: TypeScript loader first (workers do not inherit the parent's), then the runtime.
import { register } from 'tsx/esm/api';

register();
await import('./u-sample-worker.runtime.ts');
