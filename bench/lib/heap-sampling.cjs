// Preload for the server (BENCH_SERVER_NODE_ARGS="--require bench/lib/heap-sampling.cjs",
// with an absolute path): samples allocations, keeping objects a major GC
// freed but dropping those a scavenge freed. The profile therefore shows what
// was promoted to the old generation (plus what is still live), which is
// what makes major GCs come often. Each SIGUSR2 writes the profile since the
// last one to HEAP_SAMPLING_OUT (default ./promoted.heapprofile) and starts
// again; read it with bench/lib/heap-summary.mjs. Writing stalls the server:
// the window it lands in is spoiled.
const inspector = require('node:inspector');
const { writeFileSync } = require('node:fs');

const options = { samplingInterval: 16_384, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: false };
const session = new inspector.Session();
session.connect();
session.post('HeapProfiler.enable');
session.post('HeapProfiler.startSampling', options);
process.on('SIGUSR2', () => {
  session.post('HeapProfiler.stopSampling', (error, result) => {
    if (!error) writeFileSync(process.env.HEAP_SAMPLING_OUT ?? 'promoted.heapprofile', JSON.stringify(result.profile));
    session.post('HeapProfiler.startSampling', options);
  });
});
