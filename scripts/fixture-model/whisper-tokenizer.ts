/**
 * The Whisper fixture's vocabulary in the order of Whisper's own (text tokens, then <|endoftext|>, the prefix
 * tokens, <|notimestamps|> and the 1,501 timestamp tokens <|0.00|> … <|30.00|>), written as tokenizer.json,
 * tokenizer_config.json and the generation_config.json fields that name token ids. Text tokens are whole words after
 * a space (`Ġfox`, as Whisper's byte-level BPE writes " fox"); the fixture never encodes text, it only decodes.
 * Timestamp tokens are added tokens that are not special, as in the hub's tokenizers: the pipeline tells them from
 * special tokens by that.
 */
import { FIXTURE_LANGUAGES, FIXTURE_WORDS } from './whisper-words';

/** 30 s in steps of 0.02 s: timestamp token i is i × 0.02 s into the window. */
export const TIMESTAMP_COUNT = 1501;

const TASKS = ['<|translate|>', '<|transcribe|>', '<|startoflm|>', '<|startofprev|>', '<|nospeech|>'] as const;

export interface WhisperVocab {
  tokens: string[];
  /** Ids of the word tokens are 0 … words − 1, in FIXTURE_WORDS order. */
  words: number;
  endOfText: number;
  startOfTranscript: number;
  /** Language code → id, in FIXTURE_LANGUAGES order. */
  languages: Map<string, number>;
  transcribe: number;
  translate: number;
  noTimestamps: number;
  /** The id of <|0.00|>. */
  timestampBegin: number;
}

export function whisperVocab(): WhisperVocab {
  const tokens = [
    ...FIXTURE_WORDS.map((word) => `Ġ${word.text}`),
    '<|endoftext|>',
    '<|startoftranscript|>',
    ...FIXTURE_LANGUAGES.map((code) => `<|${code}|>`),
    ...TASKS,
    '<|notimestamps|>',
    ...Array.from({ length: TIMESTAMP_COUNT }, (_, i) => `<|${(i * 0.02).toFixed(2)}|>`),
  ];
  const id = (token: string) => tokens.indexOf(token);
  return {
    tokens,
    words: FIXTURE_WORDS.length,
    endOfText: id('<|endoftext|>'),
    startOfTranscript: id('<|startoftranscript|>'),
    languages: new Map(FIXTURE_LANGUAGES.map((code) => [code, id(`<|${code}|>`)])),
    transcribe: id('<|transcribe|>'),
    translate: id('<|translate|>'),
    noTimestamps: id('<|notimestamps|>'),
    timestampBegin: id('<|0.00|>'),
  };
}

export function whisperTokenizerFiles(vocab: WhisperVocab): { tokenizerJson: object; tokenizerConfig: object } {
  const added = vocab.tokens.slice(vocab.words).map((content, i) => ({
    id: vocab.words + i,
    content,
    single_word: false,
    lstrip: false,
    rstrip: false,
    normalized: false,
    special: vocab.words + i < vocab.timestampBegin,
  }));
  const tokenizerJson = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: added,
    normalizer: null,
    pre_tokenizer: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true },
    post_processor: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: false, use_regex: true },
    decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: '',
      end_of_word_suffix: '',
      fuse_unk: false,
      byte_fallback: false,
      vocab: Object.fromEntries(vocab.tokens.slice(0, vocab.words).map((token, i) => [token, i])),
      merges: [],
    },
  };
  const tokenizerConfig = {
    tokenizer_class: 'WhisperTokenizer',
    model_max_length: 1024,
    bos_token: '<|endoftext|>',
    eos_token: '<|endoftext|>',
    pad_token: '<|endoftext|>',
    unk_token: '<|endoftext|>',
    add_prefix_space: false,
    clean_up_tokenization_spaces: true,
    errors: 'replace',
  };
  return { tokenizerJson, tokenizerConfig };
}

/** The token ids both config.json and generation_config.json name, as the hub's Whisper checkpoints do. */
export function specialTokenIds(vocab: WhisperVocab): object {
  return {
    bos_token_id: vocab.endOfText,
    eos_token_id: vocab.endOfText,
    pad_token_id: vocab.endOfText,
    decoder_start_token_id: vocab.startOfTranscript,
    begin_suppress_tokens: [vocab.endOfText],
    suppress_tokens: [],
  };
}

/**
 * generation_config.json as the hub's multilingual checkpoints have it (openai/whisper-base), with the fixture's ids,
 * except max_initial_timestamp_index: the hub's 50 keeps a first timestamp within 1 s of the window's start (a real
 * model then starts its first segment at 0 and its words later); the fixture starts a segment where its tone starts,
 * anywhere in the window. (transformers.js 4.3 does not apply the limit; a version that does must not cut the fixture.)
 */
export function whisperGenerationConfig(vocab: WhisperVocab): object {
  return {
    ...specialTokenIds(vocab),
    forced_decoder_ids: [
      [1, null],
      [2, vocab.transcribe],
    ],
    is_multilingual: true,
    lang_to_id: Object.fromEntries([...vocab.languages].map(([code, id]) => [`<|${code}|>`, id])),
    task_to_id: { translate: vocab.translate, transcribe: vocab.transcribe },
    no_timestamps_token_id: vocab.noTimestamps,
    max_initial_timestamp_index: TIMESTAMP_COUNT - 1,
    max_length: 448,
  };
}
