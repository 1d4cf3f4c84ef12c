import { toApiError } from '../../lib/api/known-errors';
import { StoreDamagedError } from '../../lib/store/errors';

test('a damaged local store is a 503 that says what to run, without the data directory', () => {
  const error = toApiError(new StoreDamagedError('frames', '/home/me/.vsearch', 'the storage engine failed: Panic in async function'));
  expect(error).toMatchObject({ status: 503, code: 'store_damaged', message: 'the frames table of the local store is damaged: run vsearch repair' });
  expect(JSON.stringify(error)).not.toContain('/home/me');
});
