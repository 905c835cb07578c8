import { fullGarbageCollection, SettledCollection } from './settled-collection';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('SettledCollection', () => {
  it('collects once a burst has settled, not during it', async () => {
    let collections = 0;
    const collection = new SettledCollection(80, () => collections++);
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
    const collection = new SettledCollection(30, () => collections++);
    collection.poke();
    collection.stop();
    await sleep(80);
    expect(collections).toBe(0);
  });

  it("uses V8's full collection, made callable without --expose-gc", () => {
    const collect = fullGarbageCollection();
    expect(typeof collect).toBe('function');
    let garbage: number[][] | null = Array.from({ length: 200 }, () => Array.from({ length: 10_000 }, (_, i) => i));
    expect(garbage.length).toBe(200);
    garbage = null;
    collect!();
    // What is left is live: collecting again finds (almost) nothing more.
    const after = process.memoryUsage().heapUsed;
    collect!();
    expect(Math.abs(after - process.memoryUsage().heapUsed)).toBeLessThan(5e6);
  });
});
