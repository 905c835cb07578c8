import { ArgsType, Field, Float, InputType } from 'type-graphql';
import { GraphQLJSON } from 'graphql-scalars';
import {
  ArrayMaxSize, ArrayMinSize, IsObject, IsOptional, Length, Matches, Max, MaxLength, Min, ValidateNested,
} from 'class-validator';
import { TargetingInput } from '../targeting/targeting.types';
import { KeyVersionArgs } from '../common/key-version.args';
import { SLUG_PATTERN } from '../targeting/targeting.rules';
import { ExperimentStatus } from './experiment.entity';
import { AnalysisPlanInput } from './analysis-plan.types';

const SLUG_MESSAGE = 'must be a slug: lower-case letters and digits, joined by - or _';
export const MAX_VARIANTS = 20;
const MAX_TAGS = 20;
const MAX_METRICS = 20;

@InputType()
export class VariantInput {
  @Field()
  @Length(1, 64)
  @Matches(SLUG_PATTERN, { message: `key ${SLUG_MESSAGE}` })
  key!: string;

  @Field()
  @Length(1, 200)
  name!: string;

  @Field(() => Float, { description: 'Percent of the experiment’s traffic.' })
  @Min(0)
  @Max(100)
  weight!: number;

  @Field({ defaultValue: false })
  isControl!: boolean;

  @Field(() => GraphQLJSON, { nullable: true, description: 'The incentive configuration, a JSON object (default `{}`).' })
  @IsOptional()
  @IsObject({ message: 'payload must be a JSON object' })
  payload?: Record<string, unknown> | null;

  @Field(() => String, { nullable: true, description: 'The strategy this arm tests; default the experiment’s.' })
  @IsOptional()
  @Length(1, 100)
  strategy?: string | null;
}

/** Every field optional: an update changes only what it names; `null` clears an optional text. */
@InputType()
export class UpdateExperimentInput {
  @Field({ nullable: true })
  @IsOptional()
  @Length(1, 200)
  name?: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(5000)
  description?: string | null;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(5000)
  hypothesis?: string | null;

  @Field(() => String, { nullable: true, description: 'Free text such as `check-in`, `task-system`, `advisor`.' })
  @IsOptional()
  @Length(1, 64)
  strategy?: string | null;

  @Field(() => String, { nullable: true, description: 'Defaults to the creating key’s name.' })
  @IsOptional()
  @Length(1, 200)
  owner?: string | null;

  @Field(() => [String], { nullable: true })
  @IsOptional()
  @ArrayMaxSize(MAX_TAGS)
  @Length(1, 50, { each: true })
  @Matches(SLUG_PATTERN, { each: true, message: `each tag ${SLUG_MESSAGE}` })
  tags?: string[];

  @Field(() => [VariantInput], { nullable: true, description: `2 to ${MAX_VARIANTS} variants.` })
  @IsOptional()
  @ArrayMinSize(2)
  @ArrayMaxSize(MAX_VARIANTS)
  @ValidateNested({ each: true })
  variants?: VariantInput[];

  @Field(() => Float, { nullable: true, description: 'Percent of eligible users who enter, 0 to 100 (default 100).' })
  @IsOptional()
  @Min(0)
  @Max(100)
  trafficAllocation?: number;

  @Field(() => TargetingInput, { nullable: true, description: 'Default: everyone.' })
  @IsOptional()
  @ValidateNested()
  targeting?: TargetingInput;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @Matches(SLUG_PATTERN, { message: `primaryMetricKey ${SLUG_MESSAGE}` })
  primaryMetricKey?: string | null;

  @Field(() => [String], { nullable: true })
  @IsOptional()
  @ArrayMaxSize(MAX_METRICS)
  @Matches(SLUG_PATTERN, { each: true, message: `each metric key ${SLUG_MESSAGE}` })
  secondaryMetricKeys?: string[];

  @Field(() => [String], { nullable: true })
  @IsOptional()
  @ArrayMaxSize(MAX_METRICS)
  @Matches(SLUG_PATTERN, { each: true, message: `each metric key ${SLUG_MESSAGE}` })
  guardrailMetricKeys?: string[];

  @Field({ nullable: true, description: 'Opt in to pausing automatically when results find a guardrail BREACHED (by an always-valid bound; default false).' })
  @IsOptional()
  autoPauseOnGuardrail?: boolean;

  @Field(() => AnalysisPlanInput, { nullable: true, description: 'How the primary metric will be decided; fixed once started. Null clears it (the default plan).' })
  @IsOptional()
  @ValidateNested()
  analysisPlan?: AnalysisPlanInput | null;

  @Field(() => String, { nullable: true, description: 'A layer whose traffic this experiment shares exclusively; null leaves it.' })
  @IsOptional()
  @Matches(SLUG_PATTERN, { message: `layerKey ${SLUG_MESSAGE}` })
  layerKey?: string | null;

  @Field(() => Float, { nullable: true, description: 'Percent of the layer to take, with layerKey.' })
  @IsOptional()
  @Min(0.01)
  @Max(100)
  layerShare?: number | null;
}

@InputType()
export class CreateExperimentInput extends UpdateExperimentInput {
  @Field({ description: 'Unique slug, e.g. `activity-incentives`.' })
  @Length(1, 64)
  @Matches(SLUG_PATTERN, { message: `key ${SLUG_MESSAGE}` })
  key!: string;

  @Field()
  @Length(1, 200)
  declare name: string;

  @Field(() => [VariantInput], { description: `2 to ${MAX_VARIANTS} variants.` })
  @ArrayMinSize(2)
  @ArrayMaxSize(MAX_VARIANTS)
  @ValidateNested({ each: true })
  declare variants: VariantInput[];
}

@InputType()
export class ExperimentFilter {
  @Field(() => [ExperimentStatus], { nullable: true })
  status?: ExperimentStatus[];

  @Field({ nullable: true })
  strategy?: string;

  @Field({ nullable: true })
  tag?: string;

  @Field({ nullable: true, description: 'Matches key, name, description or hypothesis, case-insensitively.' })
  @IsOptional()
  @MaxLength(200)
  text?: string;
}

@ArgsType()
export class StopExperimentArgs extends KeyVersionArgs {
  @Field(() => String, { nullable: true, description: 'The variant to ship to everyone; omit to ship none.' })
  shippedVariantKey?: string | null;

  @Field()
  @Length(1, 1000)
  reason!: string;
}

@ArgsType()
export class RestartExperimentArgs extends KeyVersionArgs {
  @Field()
  @Length(1, 1000)
  reason!: string;

  @Field(() => [VariantInput], { nullable: true, description: 'New variants or weights for the new phase; default: unchanged.' })
  @IsOptional()
  @ArrayMinSize(2)
  @ArrayMaxSize(MAX_VARIANTS)
  @ValidateNested({ each: true })
  variants?: VariantInput[];
}

@ArgsType()
export class ForcedAssignmentArgs {
  @Field()
  experimentKey!: string;

  @Field()
  @Length(1, 200)
  userId!: string;
}

@ArgsType()
export class SetForcedAssignmentArgs extends ForcedAssignmentArgs {
  @Field()
  variantKey!: string;
}

@ArgsType()
export class PauseExperimentArgs extends KeyVersionArgs {
  @Field(() => String, { nullable: true })
  @IsOptional()
  @Length(1, 1000)
  reason?: string | null;
}

@ArgsType()
export class DuplicateExperimentArgs {
  @Field()
  key!: string;

  @Field()
  @Length(1, 64)
  @Matches(SLUG_PATTERN, { message: `newKey ${SLUG_MESSAGE}` })
  newKey!: string;

  @Field({ nullable: true, description: 'Default: the original’s name with " (copy)".' })
  @IsOptional()
  @Length(1, 200)
  name?: string;
}
