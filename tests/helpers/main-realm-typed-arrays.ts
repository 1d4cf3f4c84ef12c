/**
 * Loaded by jest before every test file (jest.config.js `setupFiles`), so tests can run transformers.js in process.
 *
 * Jest runs each test file in a realm of its own, but onnxruntime-node's native code creates its output arrays in
 * Node's main realm, so onnxruntime's `data instanceof Float32Array` checks fail with "A float32 tensor's data must
 * be type of function Float32Array()" (microsoft/onnxruntime#16622). Giving the test realm the main realm's typed
 * array constructors, before onnxruntime captures them, makes both sides agree.
 */
import vm from 'node:vm';

const TYPED_ARRAYS = [
  'Int8Array',
  'Uint8Array',
  'Uint8ClampedArray',
  'Int16Array',
  'Uint16Array',
  'Int32Array',
  'Uint32Array',
  'Float32Array',
  'Float64Array',
  'BigInt64Array',
  'BigUint64Array',
] as const;

for (const name of TYPED_ARRAYS) {
  Object.defineProperty(globalThis, name, { value: vm.runInThisContext(name), writable: true, configurable: true });
}
