/** Protocol Buffers wire-format encoding: just enough to write ONNX messages. */

const WireType = { Varint: 0, LengthDelimited: 2, Fixed32: 5 } as const;
type WireType = (typeof WireType)[keyof typeof WireType];

function varint(value: bigint | number): number[] {
  // Negative int64 values are written as their 64-bit two's complement (10 bytes), as protobuf requires.
  let v = BigInt.asUintN(64, BigInt(value));
  const bytes: number[] = [];
  do {
    const low = Number(v & 0x7fn);
    v >>= 7n;
    bytes.push(v > 0n ? low | 0x80 : low);
  } while (v > 0n);
  return bytes;
}

/** Appends fields to one message; `finish()` returns its encoding. */
export class ProtoWriter {
  private readonly chunks: number[][] = [];

  private key(field: number, wire: WireType): void {
    this.chunks.push(varint((field << 3) | wire));
  }

  int(field: number, value: bigint | number): this {
    this.key(field, WireType.Varint);
    this.chunks.push(varint(value));
    return this;
  }

  float(field: number, value: number): this {
    this.key(field, WireType.Fixed32);
    const view = new DataView(new ArrayBuffer(4));
    view.setFloat32(0, value, true);
    this.chunks.push([...new Uint8Array(view.buffer)]);
    return this;
  }

  bytes(field: number, value: Uint8Array): this {
    this.key(field, WireType.LengthDelimited);
    this.chunks.push(varint(value.length), [...value]);
    return this;
  }

  string(field: number, value: string): this {
    return this.bytes(field, new TextEncoder().encode(value));
  }

  /** Packed repeated varints (proto3 default for repeated scalars). */
  packedInts(field: number, values: readonly (bigint | number)[]): this {
    return this.bytes(field, Uint8Array.from(values.flatMap((v) => varint(v))));
  }

  finish(): Uint8Array {
    return Uint8Array.from(this.chunks.flat());
  }
}
