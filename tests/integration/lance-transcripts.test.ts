import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { openLocalStore, type LocalStore } from '../../lib/store/open-local-store';
import { transcriptIndexContract } from '../helpers/transcript-contract';

let dir: string;
let store: LocalStore | undefined;

afterEach(async () => {
  store?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('LanceTranscripts', () => {
  transcriptIndexContract(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'lance-transcripts-'));
    store = await openLocalStore(path.join(dir, 'data'));
    return { index: store.transcripts, catalog: store.catalog };
  });
});
