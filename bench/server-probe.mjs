// Preloaded into the server under test (`node --import bench/server-probe.mjs …`) by bench/turns.mjs.
// It answers the driver over the IPC channel with the server's own accounting, so CPU time and heap
// figures are read inside the server process (microsecond resolution) rather than guessed from outside.
if (typeof process.send === 'function') {
  process.on('message', (msg) => {
    if (!msg || typeof msg !== 'object' || typeof msg.probe !== 'string') return;
    const reply = { probe: msg.probe, id: msg.id };
    if (msg.probe === 'cpu') {
      reply.cpu = process.cpuUsage();
      // Microseconds on the monotonic clock V8 stamps --cpu-prof samples with, to cut a window out of it.
      reply.monoUs = Number(process.hrtime.bigint() / 1000n);
    } else if (msg.probe === 'heap') {
      // Two full collections: the first may only schedule finalizers that free more on the second.
      if (typeof globalThis.gc === 'function') {
        globalThis.gc();
        globalThis.gc();
      }
      reply.gc = typeof globalThis.gc === 'function';
      reply.memory = process.memoryUsage();
    }
    process.send(reply);
  });
  // The channel must not keep a server alive that would otherwise exit (SIGTERM, drain).
  process.channel?.unref();
}
