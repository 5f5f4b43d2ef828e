import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsString, Matches, MaxLength, ValidateBy, ValidateNested } from 'class-validator';
import { Optional, SingleLineText, validateDto, type FieldError } from '@app/common';
import type { PageInfo, PageLink } from '@app/contracts';
import { DEFAULT_PAGE_INFO, type DisplayOrder } from '@app/monitoring';

const HEX_COLOUR = /^#[0-9a-fA-F]{6}$/;
// eslint-disable-next-line no-control-regex -- these patterns exist to find control characters
const LINK_FORBIDDEN = /[\s\u0000-\u001f\u007f]/;
// eslint-disable-next-line no-control-regex -- as above, plus what would end an attribute or a CSS url()
const LOGO_FORBIDDEN = /[\s\u0000-\u001f\u007f"'<>\\]/;

/** http(s) or mailto: — what a footer or support link may open. */
function IsLinkUrl(): PropertyDecorator {
  return ValidateBy({
    name: 'isLinkUrl',
    validator: {
      validate: (value: unknown) => {
        if (typeof value !== 'string' || value.length > 2048 || LINK_FORBIDDEN.test(value)) return false;
        try {
          return ['http:', 'https:', 'mailto:'].includes(new URL(value).protocol);
        } catch {
          return false;
        }
      },
      defaultMessage: () => 'must be an absolute http(s):// or mailto: URL of at most 2048 characters',
    },
  });
}

/** https URL or a path on the page's own origin ("/brand/logo.svg"): what the page's CSP lets an <img> load. */
function IsLogoUrl(): PropertyDecorator {
  return ValidateBy({
    name: 'isLogoUrl',
    validator: {
      validate: (value: unknown) => {
        if (typeof value !== 'string' || value.length > 2048 || LOGO_FORBIDDEN.test(value)) return false;
        if (/^\/(?!\/)/.test(value)) return true;
        try {
          return new URL(value).protocol === 'https:';
        } catch {
          return false;
        }
      },
      defaultMessage: () => 'must be an https:// URL or a path on this site such as "/logo.svg"',
    },
  });
}

export class PageLinkDto implements PageLink {
  @SingleLineText(1, 40)
  label!: string;

  @IsLinkUrl()
  url!: string;
}

export class PageColoursDto {
  @Optional()
  @IsString({ message: 'must be a colour such as "#0b6bcb"' })
  @Matches(HEX_COLOUR, { message: 'must be a colour such as "#0b6bcb" (# and six hex digits)' })
  accent?: string;

  @Optional()
  @IsString({ message: 'must be a colour such as "#58a6ff"' })
  @Matches(HEX_COLOUR, { message: 'must be a colour such as "#58a6ff" (# and six hex digits)' })
  accentDark?: string;
}

/** The services file's `page:` section: branding and order of the public page (README → "Branding"). */
export class PageConfigDto {
  @Optional()
  @SingleLineText(1, 60)
  title?: string;

  @Optional()
  @IsLogoUrl()
  logoUrl?: string;

  @Optional()
  @ValidateNested()
  @Type(() => PageColoursDto)
  colors?: PageColoursDto;

  @Optional()
  @IsArray({ message: 'must be a list of { label, url }' })
  @ArrayMaxSize(10, { message: 'must list at most 10 links' })
  @ValidateNested({ each: true })
  @Type(() => PageLinkDto)
  links?: PageLinkDto[];

  @Optional()
  @IsLinkUrl()
  supportUrl?: string;

  @Optional()
  @IsArray({ message: 'must be a list of group names' })
  @ArrayMaxSize(200, { message: 'must list at most 200 groups' })
  @IsString({ each: true, message: 'must be a list of group names' })
  @MaxLength(60, { each: true, message: 'must list group names of at most 60 characters' })
  groupOrder?: string[];

  @Optional()
  @IsArray({ message: 'must be a list of service ids' })
  @ArrayMaxSize(20_000, { message: 'must list at most 20000 services' })
  @IsString({ each: true, message: 'must be a list of service ids' })
  serviceOrder?: string[];
}

/** The validated `page:` section as the snapshot uses it. */
export interface PageConfig {
  info: Omit<PageInfo, 'subscriptions'>;
  order: DisplayOrder;
}

export const DEFAULT_PAGE_CONFIG: PageConfig = {
  info: {
    title: DEFAULT_PAGE_INFO.title,
    logoUrl: null,
    colors: { accent: null, accentDark: null },
    links: [],
    supportUrl: null,
  },
  order: { groups: [], services: [] },
};

/**
 * Validates the `page:` section (absent = defaults). Lists and nested objects are checked like every DTO: unknown
 * keys and null are errors naming the path.
 */
export function parsePageConfig(
  plain: unknown,
): { value: PageConfig; errors: [] } | { value: null; errors: FieldError[] } {
  if (plain === undefined) return { value: DEFAULT_PAGE_CONFIG, errors: [] };
  const result = validateDto(PageConfigDto, plain, 'page');
  // ValidateNested also accepts a list: `colors: []` would silently mean "no colours".
  const colors: unknown =
    plain !== null && typeof plain === 'object' ? (plain as Record<string, unknown>)['colors'] : undefined;
  const errors: FieldError[] = [...result.errors];
  if (colors !== undefined && colors !== null && (typeof colors !== 'object' || Array.isArray(colors)))
    errors.push({ path: 'page.colors', value: colors, rule: 'must be a mapping such as { accent: "#0b6bcb" }' });
  if (result.value === null || errors.length > 0) return { value: null, errors };
  const dto = result.value;
  return {
    value: {
      info: {
        title: dto.title ?? DEFAULT_PAGE_INFO.title,
        logoUrl: dto.logoUrl ?? null,
        colors: { accent: dto.colors?.accent ?? null, accentDark: dto.colors?.accentDark ?? null },
        links: (dto.links ?? []).map((link) => ({ label: link.label, url: link.url })),
        supportUrl: dto.supportUrl ?? null,
      },
      order: { groups: dto.groupOrder ?? [], services: dto.serviceOrder ?? [] },
    },
    errors: [],
  };
}
