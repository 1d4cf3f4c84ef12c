/** config.json and preprocessor_config.json in the layout of the hub's Whisper checkpoints (openai/whisper-base). */
import { FIXTURE_WORDS, MEL_BINS, SAMPLE_RATE } from './whisper-words';
import { ENCODER_FRAMES, MEL_FRAMES } from './whisper-graphs';
import { specialTokenIds, type WhisperVocab } from './whisper-tokenizer';

/** One window: 30 s of 16 kHz audio, 10 ms hops, 25 ms FFT frames. */
const CHUNK_SEC = 30;
const HOP = 160;
const N_FFT = 400;

export function whisperPreprocessorConfig(): object {
  return {
    chunk_length: CHUNK_SEC,
    feature_extractor_type: 'WhisperFeatureExtractor',
    feature_size: MEL_BINS,
    hop_length: HOP,
    n_fft: N_FFT,
    n_samples: CHUNK_SEC * SAMPLE_RATE,
    nb_max_frames: MEL_FRAMES,
    padding_side: 'right',
    padding_value: 0,
    processor_class: 'WhisperProcessor',
    return_attention_mask: false,
    sampling_rate: SAMPLE_RATE,
  };
}

/** One layer, one head, d_model = the number of words (see whisper-graphs.ts). */
export function whisperModelConfig(vocab: WhisperVocab): object {
  return {
    architectures: ['WhisperForConditionalGeneration'],
    model_type: 'whisper',
    d_model: FIXTURE_WORDS.length,
    encoder_layers: 1,
    decoder_layers: 1,
    encoder_attention_heads: 1,
    decoder_attention_heads: 1,
    encoder_ffn_dim: FIXTURE_WORDS.length,
    decoder_ffn_dim: FIXTURE_WORDS.length,
    num_hidden_layers: 1,
    num_mel_bins: MEL_BINS,
    max_source_positions: ENCODER_FRAMES,
    max_target_positions: 448,
    vocab_size: vocab.tokens.length,
    ...specialTokenIds(vocab),
    is_encoder_decoder: true,
    use_cache: true,
  };
}
