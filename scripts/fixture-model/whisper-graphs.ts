/**
 * The Whisper fixture's two graphs, with the inputs, outputs and shapes of the hub's exports (onnx/encoder_model.onnx,
 * onnx/decoder_model_merged.onnx) and one decoder layer of one head whose d_model is the number of words.
 *
 * Encoder: log-mel [b, 80, 3000] → pairs of mel frames averaged ([b, 80, 1500], Whisper's stride-2 convolution: one
 * frame per 0.02 s, a timestamp token's step) → for each word, the mean of its band's bins less the mean of all bins
 * (a tone lifts its band ~1.5 above the floor the processor clamps to; silence gives 0 everywhere) → a steep sigmoid
 * around 0.5: the activity of each word in each frame, ~0 or ~1 [b, 1500, words].
 *
 * Decoder: a small machine over the last two tokens and the encoder's activities. The self-attention cache is where
 * it keeps the tokens it has seen (present.0.decoder.key holds each token's id in its first channel), so each position
 * reads its token and the one before it. What the last token was decides what comes next:
 *   <|startoftranscript|> → the language whose words are heard most (English in silence);
 *   a prefix token, or an end timestamp (one that follows a word) → the timestamp of the next frame at or after it
 *     where speech (any word active) starts, or <|endoftext|> when none does;
 *   a start timestamp → the word active at its frame (<|endoftext|> when none is);
 *   a word → the timestamp of the first frame after its start where speech stops (<|30.00|> if it runs to the end).
 * Each choice is a logit of 100 against -100 (timestamps less 0.01 per step, so the earliest wins), so greedy decoding
 * reads the machine's answer and WhisperTimeStampLogitsProcessor's rules (timestamps in pairs, rising) all hold.
 * The decoder reads encoder_hidden_states at every step (transformers.js passes them at every step); its encoder cache
 * outputs are the activities, in the shape a real export's have.
 */
import { ElemType, type GraphSpec, type ValueSpec } from '../onnx/writer';
import { GraphBuilder } from '../real-size-model/graph-builder';
import { FIXTURE_LANGUAGES, FIXTURE_WORDS, MEL_BINS, wordBins } from './whisper-words';
import { TIMESTAMP_COUNT, type WhisperVocab } from './whisper-tokenizer';

/** Mel frames per 30 s window (hop 160 at 16 kHz), and encoder frames (half as many). */
export const MEL_FRAMES = 3000;
export const ENCODER_FRAMES = 1500;

const BIG = 100;
/** What a timestamp loses per 0.02 s step, so that of all that qualify the earliest wins. */
const EARLIER = 0.01;
/** A band's mean above the frame's mean (in the processor's units, (log10 − 4 floor) / 4) that counts as its tone. */
const TONE_THRESHOLD = 0.5;
const TONE_GAIN = 20;
/** What the language logits add per unit of a language's mean activity, and English's head start in silence. */
const LANGUAGE_GAIN = 100;
const DEFAULT_LANGUAGE_BIAS = 1;

const words = FIXTURE_WORDS.length;

export function whisperEncoderGraph(): GraphSpec {
  const g = new GraphBuilder();
  const bands = new Float32Array(MEL_BINS * words);
  FIXTURE_WORDS.forEach((word, k) => {
    const bins = wordBins(word);
    for (let m = 0; m < MEL_BINS; m++) bands[m * words + k] = (bins.includes(m) ? 1 / bins.length : 0) - 1 / MEL_BINS;
  });
  const pairs = g.op('Reshape', ['input_features', g.int64s('pair_shape', [0, MEL_BINS, ENCODER_FRAMES, 2])], 'pairs');
  const mel = g.op('ReduceMean', [pairs], 'frames', [
    { name: 'axes', ints: [3] },
    { name: 'keepdims', int: 0 },
  ]);
  const byFrame = g.op('Transpose', [mel], 'by_frame', [{ name: 'perm', ints: [0, 2, 1] }]);
  const contrast = g.op('MatMul', [byFrame, g.tensor('band_weights', [MEL_BINS, words], bands)], 'contrast');
  const above = g.op('Sub', [contrast, g.scalar('tone_threshold', TONE_THRESHOLD)], 'above');
  const steep = g.op('Mul', [above, g.scalar('tone_gain', TONE_GAIN)], 'steep');
  g.named('Sigmoid', [steep], 'last_hidden_state');
  return g.build(
    'whisper_fixture_encoder',
    [{ name: 'input_features', type: ElemType.Float, shape: ['batch_size', MEL_BINS, MEL_FRAMES] }],
    [{ name: 'last_hidden_state', type: ElemType.Float, shape: ['batch_size', ENCODER_FRAMES, words] }],
  );
}

export function whisperDecoderGraph(vocab: WhisperVocab): GraphSpec {
  const g = new GraphBuilder();
  const V = vocab.tokens.length;
  const TB = vocab.timestampBegin;
  const f = (name: string, dims: number[], values: ArrayLike<number>) => g.tensor(name, dims, Float32Array.from(values));
  const axes = (name: string, values: number[]) => g.int64s(name, values);
  const cast = (x: string, prefix: string) => g.op('Cast', [x], prefix, [{ name: 'to', int: ElemType.Float }]);
  const compare = (op: string, a: string, b: string, prefix: string) => cast(g.op(op, [a, b], `${prefix}_bool`), prefix);
  const one = g.scalar('one', 1);
  const zero = g.scalar('zero', 0);
  const notOf = (x: string, prefix: string) => g.op('Sub', [one, x], prefix);

  // The tokens seen so far: the cache's first channel, then this call's input_ids.
  const ids = cast('input_ids', 'ids');
  const idChannel = f('id_channel', [words], Array.from({ length: words }, (_, i) => (i === 0 ? 1 : 0)));
  const ids4 = g.op('Unsqueeze', [ids, axes('head_and_channel', [1, 3])], 'ids4');
  const newKeys = g.op('Mul', [ids4, idChannel], 'new_keys');
  const presentKey = g.named('Concat', ['past_key_values.0.decoder.key', newKeys], 'present.0.decoder.key', [{ name: 'axis', int: 2 }]);
  g.named('Concat', ['past_key_values.0.decoder.value', newKeys], 'present.0.decoder.value', [{ name: 'axis', int: 2 }]);
  const history = g.op('ReduceSum', [presentKey, axes('head_channel_axes', [1, 3])], 'history', [{ name: 'keepdims', int: 0 }]);
  // One "no token" (-1) before the first, so every position has a previous token.
  const firstColumn = g.op('Slice', [history, axes('s0', [0]), axes('s1', [1]), axes('seq_axis', [1])], 'first_column');
  const noToken = g.op('Sub', [g.op('Mul', [firstColumn, zero], 'zeros_b1'), one], 'no_token');
  const padded = g.op('Concat', [noToken, history], 'padded_history', [{ name: 'axis', int: 1 }]);
  const length = g.op('Slice', [g.op('Shape', ['input_ids'], 'ids_shape'), axes('one_i', [1]), axes('two_i', [2])], 'length');
  const fromEnd = g.op('Neg', [length], 'from_end');
  const fromEndBefore = g.op('Sub', [fromEnd, axes('one_step', [1])], 'from_end_before');
  const last = g.op('Slice', [padded, fromEnd, axes('to_end', [2 ** 62]), axes('seq_axis2', [1])], 'last');
  const prev = g.op('Slice', [padded, fromEndBefore, axes('before_end', [-1]), axes('seq_axis3', [1])], 'prev');

  // What each position's tokens are (0/1 floats, [b, s]).
  const scalar = (name: string, v: number) => g.scalar(name, v);
  const lastIsTimestamp = compare('GreaterOrEqual', last, scalar('tb', TB), 'last_is_timestamp');
  const lastIsWord = compare('Less', last, scalar('word_end', words - 0.5), 'last_is_word');
  const lastIsStart = compare('Equal', last, scalar('sot', vocab.startOfTranscript), 'last_is_sot');
  const prevIsTimestamp = compare('GreaterOrEqual', prev, 'tb', 'prev_is_timestamp');
  const prevIsWord = g.op(
    'Mul',
    [compare('Less', prev, 'word_end', 'prev_below_words'), compare('Greater', prev, scalar('minus_half', -0.5), 'prev_is_token')],
    'prev_is_word',
  );
  // Phases: L (language), B (a start timestamp: say the word), C (a word: say its end), A (find the next start).
  const phaseL = lastIsStart;
  const phaseC = lastIsWord;
  const phaseB = g.op('Mul', [lastIsTimestamp, notOf(prevIsWord, 'prev_not_word')], 'phase_b');
  const phaseA = g.op('Sub', [g.op('Sub', [g.op('Sub', [one, phaseL], 'a1'), phaseC], 'a2'), phaseB], 'phase_a');
  // The cursor: the step of the last timestamp said (this token's, else the previous one's, else 0).
  const lastStep = g.op('Mul', [lastIsTimestamp, g.op('Sub', [last, 'tb'], 'last_minus_tb')], 'last_step');
  const prevStep = g.op(
    'Mul',
    [g.op('Mul', [notOf(lastIsTimestamp, 'last_not_timestamp'), prevIsTimestamp], 'use_prev'), g.op('Sub', [prev, 'tb'], 'prev_minus_tb')],
    'prev_step',
  );
  const cursor = g.op('Unsqueeze', [g.op('Add', [lastStep, prevStep], 'cursor2'), axes('vocab_axis', [2])], 'cursor'); // [b, s, 1]

  // Speech per encoder frame, with silence before frame 0 and at frame 1500 (the window's end).
  const activity = 'encoder_hidden_states';
  const speaking = compare('Greater', g.op('ReduceMax', [activity], 'loudest', [{ name: 'axes', ints: [2] }, { name: 'keepdims', int: 0 }]), scalar('half', 0.5), 'speaking');
  const silentColumn = g.op('Mul', [g.op('Slice', [speaking, axes('c0', [0]), axes('c1', [1]), axes('frame_axis', [1])], 'frame0'), zero], 'silent_column');
  const speech = g.op('Concat', [silentColumn, speaking, silentColumn], 'speech_padded', [{ name: 'axis', int: 1 }]); // t = -1 … 1500
  const now = g.op('Slice', [speech, axes('n0', [1]), axes('n1', [ENCODER_FRAMES + 2]), axes('frame_axis2', [1])], 'speech_now');
  const before = g.op('Slice', [speech, axes('b0', [0]), axes('b1', [ENCODER_FRAMES + 1]), axes('frame_axis3', [1])], 'speech_before');
  const onsets = g.op('Mul', [now, notOf(before, 'not_before')], 'onsets'); // [b, 1501]
  const offsets = g.op('Mul', [before, notOf(now, 'not_now')], 'offsets');
  const unsqueezeRows = (x: string, prefix: string) => g.op('Unsqueeze', [x, axes(`${prefix}_axis`, [1])], prefix);
  const steps = f('steps', [TIMESTAMP_COUNT], Array.from({ length: TIMESTAMP_COUNT }, (_, i) => i));
  const earlier = f('earlier', [TIMESTAMP_COUNT], Array.from({ length: TIMESTAMP_COUNT }, (_, i) => -EARLIER * i));
  const atOrAfter = compare('GreaterOrEqual', steps, cursor, 'at_or_after'); // [b, s, 1501]
  const after = compare('Greater', steps, cursor, 'after');
  const big = scalar('big', BIG);
  const timestampLogits = (events: string, window: string, prefix: string) =>
    g.op('Add', [g.op('Mul', [g.op('Mul', [unsqueezeRows(events, `${prefix}_rows`), window], `${prefix}_hits`), big], `${prefix}_big`), earlier], prefix);
  const nextStart = timestampLogits(onsets, atOrAfter, 'next_start');
  const nextEnd = timestampLogits(offsets, after, 'next_end');
  // The words active at the cursor's frame ([b, s, words]; none at frame 1500).
  const atCursor = compare('Equal', steps, cursor, 'at_cursor');
  const padRow = g.op('Mul', [g.op('Slice', [activity, axes('r0', [0]), axes('r1', [1]), axes('frame_axis4', [1])], 'row0'), zero], 'pad_row');
  const activityPadded = g.op('Concat', [activity, padRow], 'activity_padded', [{ name: 'axis', int: 1 }]);
  const wordsAtCursor = g.op('Mul', [g.op('MatMul', [atCursor, activityPadded], 'words_at_cursor_raw'), big], 'words_at_cursor');
  // Languages: each one's mean activity over the window, weighted.
  const languageWeights = new Float32Array(words * FIXTURE_LANGUAGES.length);
  FIXTURE_WORDS.forEach((word, k) => (languageWeights[k * FIXTURE_LANGUAGES.length + FIXTURE_LANGUAGES.indexOf(word.language as never)] = LANGUAGE_GAIN));
  const heard = g.op('ReduceMean', [activity], 'heard', [{ name: 'axes', ints: [1] }, { name: 'keepdims', int: 1 }]); // [b, 1, words]
  const languageBias = f('language_bias', [FIXTURE_LANGUAGES.length], FIXTURE_LANGUAGES.map((_, i) => (i === 0 ? DEFAULT_LANGUAGE_BIAS : 0)));
  const languageLogits = g.op('Add', [g.op('MatMul', [heard, f('language_weights', [words, FIXTURE_LANGUAGES.length], languageWeights)], 'language_scores'), languageBias], 'language_logits');

  // Each phase's logits over the vocabulary [b, s, V]: word tokens | <|endoftext|> | the other specials | timestamps.
  const base = g.op('Mul', [cursor, zero], 'zeros_bs1'); // [b, s, 1]
  const block = (values: number[], prefix: string) => g.op('Add', [base, f(`${prefix}_values`, [values.length], values)], prefix);
  const fill = (n: number, v: number) => new Array<number>(n).fill(v);
  const specials = TB - vocab.endOfText - 1; // <|startoftranscript|> … <|notimestamps|>
  const languageStart = vocab.languages.get(FIXTURE_LANGUAGES[0])! - vocab.endOfText - 1;
  const concat = (parts: string[], prefix: string) => g.op('Concat', parts, prefix, [{ name: 'axis', int: 2 }]);
  const wordsNo = block(fill(words, -BIG), 'no_words');
  const specialsNo = block(fill(specials, -BIG), 'no_specials');
  const timestampsNo = block(fill(TIMESTAMP_COUNT, -BIG), 'no_timestamps');
  const endMaybe = block([BIG / 2], 'end_maybe');
  const endNo = block([-BIG], 'end_no');
  const languagesWide = g.op('Add', [base, languageLogits], 'languages_wide');
  const logitsL = concat(
    [wordsNo, endNo, block(fill(languageStart, -BIG), 'before_languages'), languagesWide, block(fill(specials - languageStart - FIXTURE_LANGUAGES.length, -BIG), 'after_languages'), timestampsNo],
    'logits_l',
  );
  const logitsA = concat([wordsNo, endMaybe, specialsNo, nextStart], 'logits_a');
  const logitsB = concat([wordsAtCursor, endMaybe, specialsNo, timestampsNo], 'logits_b');
  const logitsC = concat([wordsNo, endNo, specialsNo, nextEnd], 'logits_c');
  const weighted = (phase: string, logits: string, prefix: string) => g.op('Mul', [g.op('Unsqueeze', [phase, 'vocab_axis'], `${prefix}_phase`), logits], prefix);
  const sumAB = g.op('Add', [weighted(phaseA, logitsA, 'from_a'), weighted(phaseB, logitsB, 'from_b')], 'sum_ab');
  const sumABC = g.op('Add', [sumAB, weighted(phaseC, logitsC, 'from_c')], 'sum_abc');
  g.named('Add', [sumABC, weighted(phaseL, logitsL, 'from_l')], 'logits');

  // The encoder cache a real export computes from encoder_hidden_states: here the activities, one head.
  const encoderCache = g.op('Unsqueeze', [activity, axes('head_axis', [1])], 'encoder_cache');
  g.named('Identity', [encoderCache], 'present.0.encoder.key');
  g.named('Identity', [encoderCache], 'present.0.encoder.value');

  const cache = (name: string, length: string): ValueSpec => ({ name, type: ElemType.Float, shape: ['batch_size', 1, length, words] });
  return g.build(
    'whisper_fixture_decoder',
    [
      { name: 'input_ids', type: ElemType.Int64, shape: ['batch_size', 'decoder_sequence_length'] },
      { name: 'encoder_hidden_states', type: ElemType.Float, shape: ['batch_size', 'encoder_sequence_length / 2', words] },
      cache('past_key_values.0.decoder.key', 'past_decoder_sequence_length'),
      cache('past_key_values.0.decoder.value', 'past_decoder_sequence_length'),
      cache('past_key_values.0.encoder.key', 'encoder_sequence_length_out'),
      cache('past_key_values.0.encoder.value', 'encoder_sequence_length_out'),
      { name: 'use_cache_branch', type: ElemType.Bool, shape: [1] },
    ],
    [
      { name: 'logits', type: ElemType.Float, shape: ['batch_size', 'decoder_sequence_length', V] },
      cache('present.0.decoder.key', 'past_decoder_sequence_length + decoder_sequence_length'),
      cache('present.0.decoder.value', 'past_decoder_sequence_length + decoder_sequence_length'),
      cache('present.0.encoder.key', 'encoder_sequence_length_out'),
      cache('present.0.encoder.value', 'encoder_sequence_length_out'),
    ],
  );
}
