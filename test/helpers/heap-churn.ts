/**
 * A child script for the heap bound tests (test/runtime/): it keeps a live set and churns objects that live long
 * enough to reach the old generation, so how far V8 lets the heap grow past its live size shows in its peak.
 */

/**
 * ES module source printing `{ peak }`, the peak of `statistic` (a field of v8.getHeapStatistics()) in MiB; `before`
 * runs first (e.g. a call that applies a bound).
 */
export function heapChurnScript(statistic: 'used_heap_size' | 'total_heap_size', before = ''): string {
  return `
    import v8 from 'node:v8';
    ${before}
    const live = Array.from({ length: 150_000 }, (_, i) => ({ i, s: 'live' + i }));
    const recent = [];
    let peak = 0;
    for (let batch = 0; batch < 250; batch++) {
      recent.push(Array.from({ length: 5_000 }, (_, i) => ({ batch, i, s: 'old' + i })));
      if (recent.length > 8) recent.shift();
      peak = Math.max(peak, v8.getHeapStatistics().${statistic});
    }
    console.log(JSON.stringify({ peak: peak / 2 ** 20, live: live.length }));`;
}
