import { fullGarbageCollection, SettledCollection } from './settled-collection';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('SettledCollection', () => {
  it('collects once a big enough burst has settled, not during it, and not after a small one', async () => {
    let collections = 0;
    const collection = new SettledCollection(80, 5, () => collections++);
    collection.poke();
    collection.poke();
    await sleep(150);
    expect(collections).toBe(0);
    for (let i = 0; i < 5; i++) {
      collection.poke();
      await sleep(20);
    }
    expect(collections).toBe(0);
    await sleep(150);
    expect(collections).toBe(1);
  });

  it('collects nothing once stopped', async () => {
    let collections = 0;
    const collection = new SettledCollection(30, 1, () => collections++);
    collection.poke();
    collection.stop();
    await sleep(80);
    expect(collections).toBe(0);
  });

  it("uses V8's full collection, made callable without --expose-gc", () => {
    const collect = fullGarbageCollection();
    expect(typeof collect).toBe('function');
    // About 40 MB, live while measured, then dropped: nothing allocates between the drop and the
    // measure after, so only the collection called can have freed it.
    let garbage: number[][] | null = Array.from({ length: 500 }, () => Array.from({ length: 10_000 }, (_, i) => i + 0.5));
    const withGarbage = process.memoryUsage().heapUsed;
    expect(garbage.length).toBe(500);
    garbage = null;
    collect!();
    expect(withGarbage - process.memoryUsage().heapUsed).toBeGreaterThan(30e6);
  });
});
