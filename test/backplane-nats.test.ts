import { runBackplaneContract } from './contracts/backplane-contract.js';
import { natsPair, NATS_TEST_URL, probeNats } from './backplane-services.js';
import { whenAvailable } from './storage-services.js';

const unavailable = await probeNats();

whenAvailable(`NATS backplane (${NATS_TEST_URL})`, unavailable, () => {
  runBackplaneContract('nats', natsPair);
});
