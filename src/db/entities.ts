import { ApiKey } from '../auth/api-key.entity';
import { AuditEntry } from '../audit/audit-entry.entity';
import { Experiment, ForcedAssignment, StatusChange, Variant } from '../experiments/experiment.entity';
import { Holdout, Layer } from '../layers/layer.entity';
import { Flag } from '../flags/flag.entity';
import { Metric } from '../metrics/metric.entity';
import { ExposureMetricValue } from '../analytics/metric-value.entity';
import { ResultSnapshot } from '../results/result-snapshot.entity';
import { TrackedEvent } from '../events/event.entity';
import { Exposure, OtherVariantExposure, UserActivity, UserEventDay } from '../analytics/analytics.entity';
import { Entitlement, EntitlementRule, UserGrant } from '../entitlements/entitlement.entity';
import { Tier } from '../tiers/tier.entity';

/** Every TypeORM entity; the migrations must match them (see `npm run migration:check`). */
export const entities = [
  ApiKey, AuditEntry, Experiment, Variant, StatusChange, ForcedAssignment, Layer, Holdout, Flag, TrackedEvent, Exposure, OtherVariantExposure, UserEventDay, UserActivity,
  Metric, ExposureMetricValue, ResultSnapshot, Entitlement, EntitlementRule, UserGrant, Tier,
];
