import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsISO8601,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  MinLength,
} from 'class-validator';

const STATUSES = ['investigating', 'identified', 'monitoring', 'resolved'] as const;
const IMPACTS = ['none', 'minor', 'major', 'critical'] as const;
const SERVICE_ID = /^[a-z0-9][a-z0-9_-]{0,62}$/;

export class CreateIncidentDto {
  @ApiProperty({ example: 'Elevated error rates on checkout', maxLength: 200 })
  @IsString({ message: 'must be a string' })
  @MinLength(1, { message: 'must be 1-200 characters' })
  @MaxLength(200, { message: 'must be 1-200 characters' })
  title!: string;

  @ApiPropertyOptional({ enum: STATUSES, default: 'investigating' })
  @IsOptional()
  @IsIn(STATUSES, { message: `must be one of ${STATUSES.join(', ')}` })
  status?: (typeof STATUSES)[number];

  @ApiProperty({ enum: IMPACTS, example: 'major' })
  @IsIn(IMPACTS, { message: `must be one of ${IMPACTS.join(', ')}` })
  impact!: (typeof IMPACTS)[number];

  @ApiProperty({ example: ['checkout-api'], description: 'Ids of affected monitored services (may be empty)' })
  @IsArray({ message: 'must be a list of service ids' })
  @ArrayMaxSize(100, { message: 'must list at most 100 services' })
  @IsString({ each: true, message: 'must contain service ids' })
  @Matches(SERVICE_ID, { each: true, message: 'must contain service ids (a-z, 0-9, "-", "_")' })
  serviceIds!: string[];

  @ApiProperty({ example: 'We are investigating elevated error rates.', maxLength: 5000 })
  @IsString({ message: 'must be a string' })
  @MinLength(1, { message: 'must be 1-5000 characters' })
  @MaxLength(5000, { message: 'must be 1-5000 characters' })
  message!: string;

  @ApiPropertyOptional({ default: false, description: 'Send this to on-call (SNS, Slack)' })
  @IsOptional()
  @IsBoolean({ message: 'must be true or false' })
  notify?: boolean;
}

export class IncidentUpdateDto {
  @ApiProperty({ enum: STATUSES, example: 'identified' })
  @IsIn(STATUSES, { message: `must be one of ${STATUSES.join(', ')}` })
  status!: (typeof STATUSES)[number];

  @ApiProperty({ example: 'The cause is a bad deploy; rolling back.', maxLength: 5000 })
  @IsString({ message: 'must be a string' })
  @MinLength(1, { message: 'must be 1-5000 characters' })
  @MaxLength(5000, { message: 'must be 1-5000 characters' })
  message!: string;

  @ApiPropertyOptional({ default: false })
  @IsOptional()
  @IsBoolean({ message: 'must be true or false' })
  notify?: boolean;
}

export class EditIncidentDto {
  @ApiPropertyOptional({ maxLength: 200 })
  @IsOptional()
  @IsString({ message: 'must be a string' })
  @MinLength(1, { message: 'must be 1-200 characters' })
  @MaxLength(200, { message: 'must be 1-200 characters' })
  title?: string;

  @ApiPropertyOptional({ enum: IMPACTS })
  @IsOptional()
  @IsIn(IMPACTS, { message: `must be one of ${IMPACTS.join(', ')}` })
  impact?: (typeof IMPACTS)[number];

  @ApiPropertyOptional({ example: ['checkout-api'] })
  @IsOptional()
  @IsArray({ message: 'must be a list of service ids' })
  @ArrayMaxSize(100, { message: 'must list at most 100 services' })
  @IsString({ each: true, message: 'must contain service ids' })
  @Matches(SERVICE_ID, { each: true, message: 'must contain service ids (a-z, 0-9, "-", "_")' })
  serviceIds?: string[];
}

export class MaintenanceDto {
  @ApiProperty({ example: 'Database upgrade', maxLength: 200 })
  @IsString({ message: 'must be a string' })
  @MinLength(1, { message: 'must be 1-200 characters' })
  @MaxLength(200, { message: 'must be 1-200 characters' })
  title!: string;

  @ApiProperty({ example: ['checkout-api'] })
  @IsArray({ message: 'must be a list of service ids' })
  @ArrayMinSize(1, { message: 'must list at least one service' })
  @ArrayMaxSize(100, { message: 'must list at most 100 services' })
  @IsString({ each: true, message: 'must contain service ids' })
  @Matches(SERVICE_ID, { each: true, message: 'must contain service ids (a-z, 0-9, "-", "_")' })
  serviceIds!: string[];

  @ApiProperty({ example: '2026-12-01T02:00:00Z' })
  @IsISO8601({ strict: true }, { message: 'must be an ISO-8601 date-time, e.g. 2026-12-01T02:00:00Z' })
  startsAt!: string;

  @ApiProperty({ example: '2026-12-01T03:00:00Z' })
  @IsISO8601({ strict: true }, { message: 'must be an ISO-8601 date-time, e.g. 2026-12-01T03:00:00Z' })
  endsAt!: string;

  @ApiProperty({ example: 'Checkout may be unavailable for up to 10 minutes.', maxLength: 5000 })
  @IsString({ message: 'must be a string' })
  @MaxLength(5000, { message: 'must be at most 5000 characters' })
  message!: string;
}
