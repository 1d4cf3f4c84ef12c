import type { BenchCase } from '../bench-case';
import { asrCase } from './asr';
import { clusteringCase } from './clustering';
import { containerJobCase } from './container-job';
import { decodeCase } from './decode';
import { embedderCase } from './embedder';
import { indexPipelineCase } from './index-pipeline';
import { localSearchCase } from './local-search';
import { peakRssCase } from './peak-rss';
import { realModelEmbedCase } from './real-model-embed';
import { realModelIndexCase } from './real-model-index';
import { realModelQueryCase } from './real-model-query';
import { searchServiceCase } from './search-service';
import { smoothingCase } from './smoothing';

/** Every case of `npm run bench`, in the order. */
export const CASES: readonly BenchCase[] = [
  decodeCase,
  indexPipelineCase,
  asrCase,
  smoothingCase,
  clusteringCase,
  localSearchCase,
  embedderCase,
  searchServiceCase,
  peakRssCase,
  containerJobCase,
  realModelEmbedCase,
  realModelIndexCase,
  realModelQueryCase,
];
