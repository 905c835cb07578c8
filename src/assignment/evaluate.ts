// Moved to the evaluation engine (src/engine), which the SDK package builds from; kept for existing imports.
export * from '../engine/evaluate';
