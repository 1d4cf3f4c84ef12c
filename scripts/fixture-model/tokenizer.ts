/**
 * A word-level tokenizer in the Hugging Face tokenizer.json format: lower-cases, splits on whitespace and
 * punctuation, and knows only the colour words; everything else is the unknown token.
 */
import { COLOUR_WORDS } from './colours';

export type Arch = 'clip' | 'siglip';

interface Specials {
  bos?: string;
  eos: string;
  pad: string;
  unk: string;
  maxLength: number;
  tokenizerClass: string;
}

/** The special tokens and lengths of the real tokenizers (openai/clip-vit-*, google/siglip-*). */
const SPECIALS: Record<Arch, Specials> = {
  clip: {
    bos: '<|startoftext|>',
    eos: '<|endoftext|>',
    pad: '<|endoftext|>',
    unk: '<|endoftext|>',
    maxLength: 77,
    tokenizerClass: 'CLIPTokenizer',
  },
  siglip: { eos: '</s>', pad: '</s>', unk: '<unk>', maxLength: 64, tokenizerClass: 'SiglipTokenizer' },
};

export interface FixtureTokenizer {
  /** Tokens in id order. */
  vocab: string[];
  /** The id texts are padded with. */
  padToken: number;
  /** The ids of the start (CLIP only) and end of text. */
  bosToken?: number;
  eosToken: number;
  tokenizerJson: object;
  tokenizerConfig: object;
}

export function buildTokenizer(arch: Arch): FixtureTokenizer {
  const s = SPECIALS[arch];
  const specialTokens = [...new Set([s.bos, s.eos, s.pad, s.unk].filter((t): t is string => t !== undefined))];
  const vocab = [...specialTokens, ...COLOUR_WORDS.keys()];
  const id = (token: string): number => vocab.indexOf(token);
  const special = (token: string, typeId = 0) => ({ SpecialToken: { id: token, type_id: typeId } });
  const sequence = (seq: 'A' | 'B', typeId: number) => ({ Sequence: { id: seq, type_id: typeId } });
  const wrap = (seq: 'A' | 'B', typeId: number) => [
    ...(s.bos ? [special(s.bos, typeId)] : []),
    sequence(seq, typeId),
    special(s.eos, typeId),
  ];

  const tokenizerJson = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: specialTokens.map((content) => ({
      id: id(content),
      content,
      single_word: false,
      lstrip: false,
      rstrip: false,
      normalized: false,
      special: true,
    })),
    normalizer: { type: 'Lowercase' },
    pre_tokenizer: { type: 'Whitespace' },
    post_processor: {
      type: 'TemplateProcessing',
      single: wrap('A', 0),
      pair: [...wrap('A', 0), ...wrap('B', 1)],
      special_tokens: Object.fromEntries(
        [s.bos, s.eos].filter((t): t is string => t !== undefined).map((t) => [t, { id: t, ids: [id(t)], tokens: [t] }]),
      ),
    },
    decoder: null,
    model: { type: 'WordLevel', vocab: Object.fromEntries(vocab.map((t, i) => [t, i])), unk_token: s.unk },
  };

  const tokenizerConfig = {
    tokenizer_class: s.tokenizerClass,
    model_max_length: s.maxLength,
    ...(s.bos ? { bos_token: s.bos } : {}),
    eos_token: s.eos,
    pad_token: s.pad,
    unk_token: s.unk,
    padding_side: 'right',
    clean_up_tokenization_spaces: false,
  };

  return {
    vocab,
    padToken: id(s.pad),
    ...(s.bos ? { bosToken: id(s.bos) } : {}),
    eosToken: id(s.eos),
    tokenizerJson,
    tokenizerConfig,
  };
}

export function maxTokens(arch: Arch): number {
  return SPECIALS[arch].maxLength;
}
