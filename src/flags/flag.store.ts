import type { EntityManager } from 'typeorm';
import { Flag } from './flag.entity';
import { FlagErrorReason, flagError } from './flag.errors';
import { VersionedStore, type VersionedRefusals } from '../common/versioned-store';

export const flagRefusals: VersionedRefusals = {
  notFound: (key) => flagError(FlagErrorReason.FLAG_NOT_FOUND, `No flag with key "${key}"`, 'key'),
  keyTaken: (key) => flagError(FlagErrorReason.KEY_TAKEN, `A flag with key "${key}" already exists`, 'key'),
  staleVersion: (key, actual, expected) =>
    flagError(FlagErrorReason.VERSION_CONFLICT, `Flag "${key}" is at version ${actual}, not ${expected}: someone changed it since you read it`, 'version'),
  changed: (key) => flagError(FlagErrorReason.VERSION_CONFLICT, `Flag "${key}" was changed by someone else; read it again`, 'version'),
  archived: (key) => flagError(FlagErrorReason.ARCHIVED, `Flag "${key}" is archived and read-only`, 'key'),
};

/** All SQL of the flags domain: a versioned table of flags (active() is resolution's order). */
export class FlagStore extends VersionedStore<Flag> {
  constructor(manager: EntityManager) {
    super(manager, { target: Flag, refusals: flagRefusals });
  }
}
