/** Builds a GraphSpec node by node: generated value names, seeded random weights, small constant tensors. */
import { type Attribute, type GraphSpec, type NodeSpec, type TensorSpec, type ValueSpec } from '../onnx/writer';

/**
 * Uniform numbers of standard deviation `std` around 0, from a xorshift32 stream: fast enough for the ~100 M weights
 * of a tower (mulberry32 in scripts/bench/random.ts is 3× slower), seeded so every generation writes the same model.
 */
export function randomWeights(count: number, std: number, seed: number): Float32Array {
  const out = new Float32Array(count);
  const scale = (std * Math.sqrt(12)) / 4294967296; // a uniform on [-½, ½) has std 1/√12
  let s = seed >>> 0 || 1;
  for (let i = 0; i < count; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    out[i] = ((s >>> 0) - 2147483648) * scale;
  }
  return out;
}

export class GraphBuilder {
  readonly nodes: NodeSpec[] = [];
  readonly initializers: TensorSpec[] = [];
  private seed = 1;
  private count = 0;

  /** Adds a node with one output, named after `prefix`; returns the output's name. */
  op(op: string, inputs: string[], prefix: string, attributes?: Attribute[]): string {
    const [output] = this.opN(op, inputs, [prefix], attributes);
    return output;
  }

  /** Adds a node with one output per prefix; returns their names. */
  opN(op: string, inputs: string[], prefixes: string[], attributes?: Attribute[], domain?: string): string[] {
    const outputs = prefixes.map((p) => `${p}_${this.count++}`);
    this.nodes.push({ op, inputs, outputs, ...(attributes ? { attributes } : {}), ...(domain ? { domain } : {}) });
    return outputs;
  }

  /** Adds a node whose output has a given name (a graph output). */
  named(op: string, inputs: string[], output: string, attributes?: Attribute[]): string {
    this.nodes.push({ op, inputs, outputs: [output], ...(attributes ? { attributes } : {}) });
    return output;
  }

  tensor(name: string, dims: number[], data: TensorSpec['data']): string {
    this.initializers.push({ name, dims, data });
    return name;
  }

  /** A weight of random values (std 0.02, the checkpoints' initializer_range), each tensor from its own seed. */
  random(name: string, dims: number[], std = 0.02): string {
    return this.tensor(name, dims, randomWeights(dims.reduce((a, b) => a * b, 1), std, this.seed++ * 2654435761));
  }

  filled(name: string, dims: number[], value: number): string {
    return this.tensor(name, dims, new Float32Array(dims.reduce((a, b) => a * b, 1)).fill(value));
  }

  scalar(name: string, value: number): string {
    return this.tensor(name, [], Float32Array.of(value));
  }

  int64s(name: string, values: number[]): string {
    return this.tensor(name, [values.length], BigInt64Array.from(values.map(BigInt)));
  }

  build(name: string, inputs: ValueSpec[], outputs: ValueSpec[]): GraphSpec {
    return { name, nodes: this.nodes, initializers: this.initializers, inputs, outputs };
  }
}
