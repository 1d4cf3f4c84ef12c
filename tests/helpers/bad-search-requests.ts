import { crc32, deflateSync } from 'node:zlib';
import { LIMITS } from '../../lib/api/search-input';
import { MAX_IMAGE_BYTES } from '../../lib/query-encoder';

/**
 * Search requests a caller can get wrong, each with the status, error code and field the API must answer.
 * Shared by the tests of `vsearch serve` and of the search Lambda (REST and GraphQL), which use one router.
 */
export interface BadRequestCase {
  name: string;
  body: string;
  status: number;
  code: string;
  field?: string;
  message: RegExp;
}

const json = (value: unknown) => JSON.stringify(value);

/** A valid 8×8 blue PNG of exactly `size` bytes: the rest is a private ancillary chunk, which decoders skip. */
export function pngOfSize(size: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const frame = Buffer.alloc(8);
    frame.writeUInt32BE(data.length, 0);
    frame.writeUInt32BE(crc32(body), 4);
    return Buffer.concat([frame.subarray(0, 4), body, frame.subarray(4)]);
  };
  const header = Buffer.from([0, 0, 0, 8, 0, 0, 0, 8, 8, 2, 0, 0, 0]); // 8×8, 8-bit RGB
  const row = Buffer.from([0, ...Array.from({ length: 8 }, () => [0, 0, 255]).flat()]);
  const start = Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(Buffer.concat(Array(8).fill(row)))),
  ]);
  const end = chunk('IEND', Buffer.alloc(0));
  return Buffer.concat([start, chunk('prVt', Buffer.alloc(size - start.length - end.length - 12)), end]);
}

/**
 * The largest search the API takes: an image of MAX_IMAGE_BYTES and a text that JSON-escapes to the most bytes it can
 * (control characters, 6 bytes each). Accepted; the query endpoint's body for it stays within its 4 MB.
 */
export const LARGEST_SEARCH = json({ text: '\u0001'.repeat(LIMITS.text), image: pngOfSize(MAX_IMAGE_BYTES).toString('base64'), imageWeight: 0.30000000000000004 });

export const BAD_SEARCH_REQUESTS: BadRequestCase[] = [
  { name: 'body is not JSON', body: '{"text": "red"', status: 400, code: 'invalid_json', message: /not valid JSON/ },
  { name: 'body is an array', body: json(['red']), status: 400, code: 'invalid_request', message: /JSON object/ },
  { name: 'body is a string', body: json('red'), status: 400, code: 'invalid_request', message: /JSON object/ },
  { name: 'neither text nor image nor like', body: json({ k: 10, not: ['red'] }), status: 400, code: 'invalid_request', field: 'text', message: /give text, image, like/ },
  { name: 'empty text', body: json({ text: '   ' }), status: 400, code: 'invalid_request', field: 'text', message: /empty/ },
  { name: 'text not a string', body: json({ text: 42 }), status: 400, code: 'invalid_request', field: 'text', message: /string/ },
  { name: 'text too long', body: json({ text: 'red '.repeat(300) }), status: 400, code: 'invalid_request', field: 'text', message: /longer than 1000/ },
  { name: 'unknown field', body: json({ text: 'red', colour: 'blue' }), status: 400, code: 'invalid_request', field: 'colour', message: /unknown field "colour"/ },
  { name: 'image not base64', body: json({ image: 'not base64!!' }), status: 400, code: 'invalid_request', field: 'image', message: /base64/ },
  { name: 'image base64 but not an image', body: json({ image: Buffer.from('hello world, not a picture').toString('base64') }), status: 400, code: 'invalid_request', field: 'image', message: /not a JPEG, PNG or WebP image/ },
  { name: 'image with a PNG signature but corrupt', body: json({ image: Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from('garbage')]).toString('base64') }), status: 400, code: 'invalid_query', message: /Not an image/ },
  { name: 'image one byte over the limit', body: json({ image: pngOfSize(MAX_IMAGE_BYTES + 1).toString('base64') }), status: 413, code: 'payload_too_large', field: 'image', message: new RegExp(`^image is ${MAX_IMAGE_BYTES + 1} bytes once decoded, over the limit of ${MAX_IMAGE_BYTES} bytes`) },
  { name: 'imageWeight above 1', body: json({ text: 'red', imageWeight: 1.5 }), status: 400, code: 'invalid_request', field: 'imageWeight', message: /imageWeight/ },
  { name: 'speechWeight negative', body: json({ text: 'red', speechWeight: -0.5 }), status: 400, code: 'invalid_request', field: 'speechWeight', message: /speechWeight|>=0|too small/i },
  { name: 'mode unknown', body: json({ text: 'red', mode: 'audio' }), status: 400, code: 'invalid_request', field: 'mode', message: /mode must be one of both, visual, speech/ },
  { name: 'speech mode without text', body: json({ image: pngOfSize(200).toString('base64'), mode: 'speech' }), status: 400, code: 'invalid_request', field: 'mode', message: /mode 'speech' searches what is said: give text/ },
  { name: 'k zero', body: json({ text: 'red', k: 0 }), status: 400, code: 'invalid_request', field: 'k', message: /k/ },
  { name: 'k above 1000', body: json({ text: 'red', k: 1001 }), status: 400, code: 'invalid_request', field: 'k', message: /k/ },
  { name: 'k not an integer', body: json({ text: 'red', k: 2.5 }), status: 400, code: 'invalid_request', field: 'k', message: /k/ },
  { name: 'size above 100', body: json({ text: 'red', size: 101 }), status: 400, code: 'invalid_request', field: 'size', message: /size/ },
  { name: 'negative timeOffset', body: json({ text: 'red', timeOffset: -1 }), status: 400, code: 'invalid_request', field: 'timeOffset', message: /timeOffset/ },
  { name: 'minScore out of range', body: json({ text: 'red', minScore: 2 }), status: 400, code: 'invalid_request', field: 'minScore', message: /minScore/ },
  { name: 'videoIds not a list', body: json({ text: 'red', videoIds: 'traffic' }), status: 400, code: 'invalid_request', field: 'videoIds', message: /list of video ids/ },
  { name: 'empty tag', body: json({ text: 'red', tags: [''] }), status: 400, code: 'invalid_request', field: 'tags.0', message: /tag must not be empty/ },
  { name: 'keywords not a string', body: json({ text: 'red', keywords: ['a'] }), status: 400, code: 'invalid_request', field: 'keywords', message: /string/ },
  { name: 'like on an unknown video', body: json({ like: { videoId: 'no-such-video', start: 0, end: 2 } }), status: 400, code: 'invalid_request', field: 'like.videoId', message: /^like\.videoId: no video with id "no-such-video"/ },
  { name: 'like ending before it starts', body: json({ like: { videoId: 'any', start: 5, end: 2 } }), status: 400, code: 'invalid_request', field: 'like.end', message: /end must not be before start/ },
  { name: 'like without its end', body: json({ like: { videoId: 'any', start: 5 } }), status: 400, code: 'invalid_request', field: 'like.end', message: /like\.end/ },
  { name: 'empty negative query', body: json({ text: 'red', not: [' '] }), status: 400, code: 'invalid_request', field: 'not.0', message: /negative query must not be empty/ },
  { name: 'negative query repeating the query', body: json({ text: 'Red', not: ['blue', 'red '] }), status: 400, code: 'invalid_request', field: 'not', message: /^not: "red" is the query's own text/ },
  { name: 'snap neither shots nor none', body: json({ text: 'red', snap: 'scenes' }), status: 400, code: 'invalid_request', field: 'snap', message: /shots.*none/ },
  { name: 'dedupe not a boolean', body: json({ text: 'red', dedupe: 'no' }), status: 400, code: 'invalid_request', field: 'dedupe', message: /boolean/ },
];
