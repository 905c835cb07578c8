import { ApiKey } from '../auth/api-key.entity';
import { AuditEntry } from '../audit/audit-entry.entity';
import { Experiment, StatusChange, Variant } from '../experiments/experiment.entity';

/** Every TypeORM entity; the migrations must match them (see `npm run migration:check`). */
export const entities = [ApiKey, AuditEntry, Experiment, Variant, StatusChange];
