import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { applyDecorators } from '@nestjs/common';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsBoolean, IsIn, IsString, Matches } from 'class-validator';
import { IsDateTime, MultiLineText, Optional, SingleLineText } from '@app/common';
import {
  INCIDENT_IMPACTS,
  INCIDENT_STATUSES,
  type CreateIncidentRequest,
  type EditIncidentRequest,
  type IncidentImpact,
  type IncidentStatus,
  type IncidentUpdateRequest,
  type MaintenanceRequest,
} from '@app/contracts';
import { LIMITS } from '@app/monitoring';

const oneOf = (values: readonly string[]) => ({ message: `must be one of ${values.join(', ')}` });

/** Ids of monitored services: a list of at most 100 (at least `min`), each a valid service id. */
export function ServiceIds(min = 0): PropertyDecorator {
  // Applied in the order stacked decorators would be (bottom up), so messages keep their order.
  return applyDecorators(
    Matches(LIMITS.idPattern, { each: true, message: 'must contain service ids (a-z, 0-9, "-", "_")' }),
    IsString({ each: true, message: 'must contain service ids' }),
    ArrayMaxSize(100, { message: 'must list at most 100 services' }),
    ...(min > 0 ? [ArrayMinSize(min, { message: 'must list at least one service' })] : []),
    IsArray({ message: 'must be a list of service ids' }),
  );
}

const Notify = () => applyDecorators(IsBoolean({ message: 'must be true or false' }), Optional());

export class CreateIncidentDto implements CreateIncidentRequest {
  @ApiProperty({ example: 'Elevated error rates on checkout' })
  @SingleLineText(1, 200)
  title!: string;

  @ApiPropertyOptional({ default: 'investigating', example: 'investigating' })
  @Optional()
  @IsIn(INCIDENT_STATUSES, oneOf(INCIDENT_STATUSES))
  status?: IncidentStatus;

  @ApiProperty({ example: 'major' })
  @IsIn(INCIDENT_IMPACTS, oneOf(INCIDENT_IMPACTS))
  impact!: IncidentImpact;

  @ApiProperty({ example: ['checkout-api'], description: 'Ids of affected monitored services (may be empty)' })
  @ServiceIds()
  serviceIds!: string[];

  @ApiProperty({ example: 'We are investigating elevated error rates.' })
  @MultiLineText(1, 5000)
  message!: string;

  @ApiPropertyOptional({ default: false, description: 'Send this to on-call (SNS, Slack)' })
  @Notify()
  notify?: boolean;
}

export class IncidentUpdateDto implements IncidentUpdateRequest {
  @ApiProperty({ example: 'identified' })
  @IsIn(INCIDENT_STATUSES, oneOf(INCIDENT_STATUSES))
  status!: IncidentStatus;

  @ApiProperty({ example: 'The cause is a bad deploy; rolling back.' })
  @MultiLineText(1, 5000)
  message!: string;

  @ApiPropertyOptional({ default: false })
  @Notify()
  notify?: boolean;
}

export class EditIncidentDto implements EditIncidentRequest {
  @ApiPropertyOptional({ example: 'Checkout errors (EU only)' })
  @Optional()
  @SingleLineText(1, 200)
  title?: string;

  @ApiPropertyOptional({ example: 'minor' })
  @Optional()
  @IsIn(INCIDENT_IMPACTS, oneOf(INCIDENT_IMPACTS))
  impact?: IncidentImpact;

  @ApiPropertyOptional({ example: ['checkout-api'] })
  @Optional()
  @ServiceIds()
  serviceIds?: string[];
}

export class MaintenanceDto implements MaintenanceRequest {
  @ApiProperty({ example: 'Database upgrade' })
  @SingleLineText(1, 200)
  title!: string;

  @ApiProperty({ example: ['checkout-api'] })
  @ServiceIds(1)
  serviceIds!: string[];

  @ApiProperty({ example: '2099-12-01T02:00:00Z' })
  @IsDateTime()
  startsAt!: string;

  @ApiProperty({ example: '2099-12-01T03:00:00Z', description: 'After startsAt, at most 7 days later, in the future' })
  @IsDateTime()
  endsAt!: string;

  @ApiProperty({ example: 'Checkout may be unavailable for up to 10 minutes.' })
  @MultiLineText(0, 5000)
  message!: string;
}
