import type { MigrationInterface } from 'typeorm';
import { Init1795518680611 } from './1795518680611-Init';
import { AssignmentFlagsEvents1795519563732 } from './1795519563732-AssignmentFlagsEvents';
import { BehaviourSummaries1795525664987 } from './1795525664987-BehaviourSummaries';
import { Metrics1795526050530 } from './1795526050530-Metrics';
import { Entitlements1795526427182 } from './1795526427182-Entitlements';
import { ResultSnapshots1795526466234 } from './1795526466234-ResultSnapshots';
import { AnalysisIndexes1795527000000 } from './1795527000000-AnalysisIndexes';
import { ActiveDays1795529763529 } from './1795529763529-ActiveDays';
import { ExposureMetricValues1795535474250 } from './1795535474250-ExposureMetricValues';
import { TierCatalogue1795540000000 } from './1795540000000-TierCatalogue';
import { VariantStrategy1795540000001 } from './1795540000001-VariantStrategy';
import { ShortKeyPrefixes1796118107312 } from './1796118107312-ShortKeyPrefixes';
import { OtherVariantExposures1796128142068 } from './1796128142068-OtherVariantExposures';
import { ClientKeys1795540000002 } from './1795540000002-ClientKeys';
import { AnalysisPlan1795541000000 } from './1795541000000-AnalysisPlan';
import { ActivityQuality1795550000000 } from './1795550000000-ActivityQuality';

/**
 * Every migration, oldest first. Listed here rather than found by a file glob, so that the same
 * list works from TypeScript (tests, CLI) and from the built JavaScript (npm start).
 */
export const migrations: (new () => MigrationInterface)[] = [
  Init1795518680611,
  AssignmentFlagsEvents1795519563732,
  BehaviourSummaries1795525664987,
  Metrics1795526050530,
  Entitlements1795526427182,
  ResultSnapshots1795526466234,
  AnalysisIndexes1795527000000,
  ActiveDays1795529763529,
  ExposureMetricValues1795535474250,
  TierCatalogue1795540000000,
  VariantStrategy1795540000001,
  ClientKeys1795540000002,
  AnalysisPlan1795541000000,
  ActivityQuality1795550000000,
  ShortKeyPrefixes1796118107312,
  OtherVariantExposures1796128142068,
];
