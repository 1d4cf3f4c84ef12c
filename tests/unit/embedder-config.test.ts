import { configFromEnv } from '../../containers/embedder/config';
import { DEFAULT_ASR_MODEL } from '../../lib/speech/transformers-recognizer';

const base = { MODEL_ID: 'Xenova/clip-vit-base-patch32' };

test('speech recognition: on by default with the default Whisper, off with ASR_MODEL=none, with its dtype and language', () => {
  expect(configFromEnv(base).model.asr).toEqual({ modelId: DEFAULT_ASR_MODEL, dtype: 'fp32' });
  expect(configFromEnv({ ...base, ASR_MODEL: '' }).model.asr).toEqual({ modelId: DEFAULT_ASR_MODEL, dtype: 'fp32' });
  expect(configFromEnv({ ...base, ASR_MODEL: 'none' }).model.asr).toBeUndefined();
  expect(configFromEnv({ ...base, ASR_MODEL: 'Xenova/whisper-small', ASR_DTYPE: 'q8', ASR_LANGUAGE: 'de' }).model.asr).toEqual({
    modelId: 'Xenova/whisper-small',
    dtype: 'q8',
    language: 'de',
  });
  expect(() => configFromEnv({ ...base, ASR_DTYPE: 'fp64' })).toThrow(/^ASR_DTYPE: /);
});
