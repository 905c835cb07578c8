import { allocateSlice } from './layer.rules';

describe('allocateSlice', () => {
  it('places slices one after another from 0', () => {
    expect(allocateSlice([], 30)).toEqual([0, 0.3]);
    expect(allocateSlice([[0, 0.3]], 50)).toEqual([0.3, 0.8]);
    expect(allocateSlice([[0, 0.3], [0.3, 0.8]], 20)).toEqual([0.8, 1]);
  });

  it('reuses a gap left by a stopped experiment when it is wide enough', () => {
    expect(allocateSlice([[0.3, 0.8]], 30)).toEqual([0, 0.3]);
    expect(allocateSlice([[0.2, 0.8]], 30)).toBeNull();
    expect(allocateSlice([[0.2, 0.8]], 20)).toEqual([0, 0.2]);
  });

  it('refuses when the layer is full', () => {
    expect(allocateSlice([[0, 1]], 1)).toBeNull();
    expect(allocateSlice([[0, 0.5], [0.5, 0.99]], 2)).toBeNull();
  });

  it('works in whole hash buckets, so thirds tile the layer without a gap or an overlap', () => {
    const first = allocateSlice([], 33.33)!;
    const second = allocateSlice([first], 33.33)!;
    const third = allocateSlice([first, second], 33.34)!;
    expect([first, second, third]).toEqual([[0, 0.3333], [0.3333, 0.6666], [0.6666, 1]]);
  });
});
