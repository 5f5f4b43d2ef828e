import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsEmail, IsString, Matches, MaxLength } from 'class-validator';
import { Optional } from '@app/common';
import type { SubscribeRequest } from '@app/contracts';
import { ServiceIds } from '../domain/incident.dto.js';

export const EMAIL_RULE = 'must be an e-mail address such as name@example.com (ASCII, at most 254 characters)';

export class SubscribeDto implements SubscribeRequest {
  @ApiProperty({ example: 'name@example.com', maxLength: 254 })
  // ASCII only: what SNS e-mail endpoints accept; the rest is validator.js's RFC 5321 syntax check with a TLD.
  @IsEmail(
    { allow_display_name: false, require_tld: true, allow_ip_domain: false, allow_utf8_local_part: false },
    { message: EMAIL_RULE },
  )
  @Matches(/^[\x21-\x7e]+$/, { message: EMAIL_RULE })
  @MaxLength(254, { message: EMAIL_RULE })
  @IsString({ message: EMAIL_RULE })
  email!: string;

  @ApiPropertyOptional({ example: ['checkout-api'], description: 'Service ids; leave out for all services' })
  @Optional()
  @ServiceIds(1)
  services?: string[];
}
