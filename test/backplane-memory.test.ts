import { MemoryBackplane } from '../src/backplane/index.js';
import { runBackplaneContract } from './contracts/backplane-contract.js';

runBackplaneContract(
  'memory',
  async () => {
    const a = new MemoryBackplane();
    return { a, close: () => a.close() };
  },
  { replicas: false },
);
