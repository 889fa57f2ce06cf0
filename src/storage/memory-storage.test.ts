import { runStorageContract } from '../../test/contracts/storage-contract.js';
import { MemoryStorage } from './memory-storage.js';

runStorageContract('memory', async () => new MemoryStorage());
