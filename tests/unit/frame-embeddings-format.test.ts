import {
  decodeFrameEmbeddings,
  encodeFrameEmbeddings,
  FrameEmbeddingsFormatError,
  readFrameEmbeddingsHeader,
  type FrameEmbeddingsHeader,
} from '../../lib/frame-embeddings-format';
import type { FrameVector } from '../../lib/core/types';

const header: FrameEmbeddingsHeader = { videoId: 'clip-ü', model: 'Xenova/clip-vit-base-patch32', dim: 3, fps: 2, durationSec: 6.04 };

function frames(count: number, dim = 3): FrameVector[] {
  return Array.from({ length: count }, (_, i) => ({
    time: i / 3, // not representable in float32: times must survive as float64
    vector: Float32Array.from({ length: dim }, (_, d) => Math.fround(Math.sin(i * dim + d) / 7)),
  }));
}

const expectFormatError = (bytes: Uint8Array, message: RegExp) => {
  expect(() => decodeFrameEmbeddings(bytes)).toThrow(FrameEmbeddingsFormatError);
  expect(() => decodeFrameEmbeddings(bytes)).toThrow(message);
};

describe('frame embeddings format', () => {
  it('round-trips header, exact float64 times and float32 vectors', () => {
    const input = frames(5);
    const bytes = encodeFrameEmbeddings({ ...header, startSec: 1, endSec: 3.5 }, input);
    const { header: read, frames: output } = decodeFrameEmbeddings(bytes);
    expect(read).toEqual({ ...header, startSec: 1, endSec: 3.5 });
    expect(output.map((f) => f.time)).toEqual(input.map((f) => f.time));
    output.forEach((frame, i) => expect(Array.from(frame.vector)).toEqual(Array.from(input[i].vector)));
  });

  it('reads the header alone from the prefix and header bytes, and refuses what decoding refuses', async () => {
    const bytes = encodeFrameEmbeddings(header, frames(4));
    const asked: [number, number][] = [];
    const read = (from: Uint8Array) => async (start: number, length: number) => {
      asked.push([start, length]);
      return from.subarray(start, start + length);
    };
    const headerBytes = bytes.readUInt32LE(8);
    expect(await readFrameEmbeddingsHeader(read(bytes))).toEqual({ header, count: 4, timesAt: 12 + headerBytes, bytes: bytes.length });
    expect(asked).toEqual([[0, 12], [0, 12 + headerBytes]]);
    await expect(readFrameEmbeddingsHeader(read(bytes.subarray(0, 20)))).rejects.toThrow(/truncated: a header of \d+ bytes/);
    await expect(readFrameEmbeddingsHeader(read(Buffer.from('not a frame embeddings file')))).rejects.toThrow(FrameEmbeddingsFormatError);
    await expect(readFrameEmbeddingsHeader(read(new Uint8Array(0)))).rejects.toThrow(/no VSFE magic/);
  });

  it('lays out magic, version, an 8-byte aligned header, then times and little-endian rows', () => {
    const bytes = encodeFrameEmbeddings(header, frames(2));
    expect(bytes.subarray(0, 4).toString('latin1')).toBe('VSFE');
    expect(bytes.readUInt16LE(4)).toBe(1);
    const headerBytes = bytes.readUInt32LE(8);
    expect((12 + headerBytes) % 8).toBe(0);
    expect(JSON.parse(bytes.subarray(12, 12 + headerBytes).toString())).toMatchObject({ videoId: 'clip-ü', count: 2 });
    expect(bytes.length).toBe(12 + headerBytes + 2 * 8 + 2 * 3 * 4);
    expect(bytes.readDoubleLE(12 + headerBytes + 8)).toBe(1 / 3);
    expect(bytes.readFloatLE(12 + headerBytes + 16)).toBe(frames(1)[0].vector[0]);
  });

  it('writes and reads a range without frames', () => {
    const { header: read, frames: output } = decodeFrameEmbeddings(encodeFrameEmbeddings(header, []));
    expect(read).toEqual(header);
    expect(output).toEqual([]);
  });

  it('reads a buffer at any byte offset', () => {
    const bytes = encodeFrameEmbeddings(header, frames(3));
    const shifted = new Uint8Array(bytes.length + 1);
    shifted.set(bytes, 1);
    expect(decodeFrameEmbeddings(shifted.subarray(1)).frames[2].vector).toEqual(frames(3)[2].vector);
  });

  it('refuses frames of the wrong dimension and a bad header when writing', () => {
    expect(() => encodeFrameEmbeddings(header, frames(2, 4))).toThrow(/frame 0 has dimension 4, expected 3/);
    expect(() => encodeFrameEmbeddings({ ...header, dim: 0 }, [])).toThrow(/bad frame embeddings header: dim/);
  });

  it('refuses garbage, other versions, truncated and overlong input with a clear error', () => {
    const bytes = encodeFrameEmbeddings(header, frames(4));
    expectFormatError(Buffer.from('{"videoId":"x"}'), /no VSFE magic/);
    expectFormatError(Buffer.alloc(0), /no VSFE magic/);
    const v3 = Buffer.from(bytes);
    v3.writeUInt16LE(3, 4);
    expectFormatError(v3, /unsupported format version 3, expected 1 or 2/);
    expectFormatError(bytes.subarray(0, bytes.length - 1), /truncated: 4 frames of dimension 3 need/);
    expectFormatError(bytes.subarray(0, 20), /truncated: a header of/);
    expectFormatError(Buffer.concat([bytes, Buffer.alloc(4)]), /trailing data/);
  });

  it('carries the transcript in a version 2 header; a file without one stays version 1 and reads without speech', () => {
    const speech = {
      source: 'sidecar' as const,
      segments: [{ start: 10, end: 14, text: 'the quick brown fox', source: 'sidecar' as const }],
      notes: ['movie.srt: line 2: bad timestamp'],
    };
    const bytes = encodeFrameEmbeddings({ ...header, speech }, frames(2));
    expect(bytes.readUInt16LE(4)).toBe(2);
    expect(decodeFrameEmbeddings(bytes).header.speech).toEqual(speech);
    const old = encodeFrameEmbeddings(header, frames(2));
    expect(old.readUInt16LE(4)).toBe(1);
    expect(decodeFrameEmbeddings(old).header.speech).toBeUndefined();
    // A version 1 file is one from before speech: a transcript in its header is not the format.
    const mislabelled = Buffer.from(bytes);
    mislabelled.writeUInt16LE(1, 4);
    expectFormatError(mislabelled, /speech: needs format version 2/);
  });

  it('refuses a header that is not the expected JSON', () => {
    const bytes = Buffer.from(encodeFrameEmbeddings(header, []));
    const headerBytes = bytes.readUInt32LE(8);
    const withHeader = (json: string) => {
      const out = Buffer.from(bytes);
      out.fill(' ', 12, 12 + headerBytes).write(json, 12);
      return out;
    };
    expectFormatError(withHeader('{not json'), /header is not JSON/);
    expectFormatError(withHeader('{"videoId":"a","model":"m","dim":3,"fps":1,"durationSec":2}'), /bad header: count/);
    expectFormatError(withHeader('{"videoId":"a","model":"m","dim":-1,"fps":1,"durationSec":2,"count":0}'), /bad header: dim/);
  });
});
