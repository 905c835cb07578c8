import { Field, Float, InputType, ObjectType, registerEnumType } from 'type-graphql';
import { IsIn, IsOptional, Matches, Max, Min } from 'class-validator';

export enum AnalysisPlanKind {
  FIXED_HORIZON = 'FIXED_HORIZON',
  SEQUENTIAL = 'SEQUENTIAL',
}
registerEnumType(AnalysisPlanKind, {
  name: 'AnalysisPlanKind',
  description:
    'FIXED_HORIZON: one test at the planned sample (or end day); before it, only the always-valid test can ship a variant. SEQUENTIAL: the always-valid test at every read, tuned for the planned sample.',
});

@ObjectType({ description: 'How the primary metric will be decided, fixed when the experiment starts (docs/statistics.md, "Analysis plans and peeking").' })
export class AnalysisPlanView {
  @Field(() => AnalysisPlanKind)
  type!: AnalysisPlanKind;

  @Field(() => Float, { nullable: true, description: 'Expected control value of the primary metric (a rate for conversions and retention).' })
  baseline!: number | null;

  @Field(() => Float, { nullable: true, description: 'Per-user standard deviation, for mean primaries.' })
  baselineStandardDeviation!: number | null;

  @Field(() => Float, { description: 'Relative lift to detect (0.1 = 10%).' })
  minimumDetectableLift!: number;

  @Field(() => Float)
  power!: number;

  @Field(() => Float)
  alpha!: number;

  @Field(() => String, { nullable: true, description: 'FIXED_HORIZON only: the horizon as a UTC day instead of a sample size.' })
  plannedEndDay!: string | null;

  @Field(() => String, { description: 'HOLM or BH: the correction of the secondary metrics’ family.' })
  secondaryAdjustment!: 'HOLM' | 'BH';
}

@InputType({ description: 'An analysis plan; fixed once the experiment starts.' })
export class AnalysisPlanInput {
  @Field(() => AnalysisPlanKind, { defaultValue: AnalysisPlanKind.FIXED_HORIZON })
  type!: AnalysisPlanKind;

  @Field(() => Float, { nullable: true })
  @IsOptional()
  baseline?: number | null;

  @Field(() => Float, { nullable: true })
  @IsOptional()
  @Min(0)
  baselineStandardDeviation?: number | null;

  @Field(() => Float, { defaultValue: 0.1 })
  @Min(0.001)
  @Max(10)
  minimumDetectableLift!: number;

  @Field(() => Float, { defaultValue: 0.8 })
  @Min(0.5)
  @Max(0.99)
  power!: number;

  @Field(() => Float, { defaultValue: 0.05 })
  @Min(0.001)
  @Max(0.2)
  alpha!: number;

  @Field(() => String, { nullable: true, description: 'YYYY-MM-DD.' })
  @IsOptional()
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'plannedEndDay must be a day, YYYY-MM-DD' })
  plannedEndDay?: string | null;

  @Field(() => String, { defaultValue: 'HOLM', description: 'HOLM or BH.' })
  @IsIn(['HOLM', 'BH'])
  secondaryAdjustment!: 'HOLM' | 'BH';
}
