import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';

/** The OpenAPI document at /api/openapi.json and Swagger UI at /api/docs, built from the controllers and DTOs. */
export function setupOpenApi(app: INestApplication): void {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('CloudOps Status Page API')
      .setDescription('Public status (no auth) and the admin API (bearer token; see README → Admin API).')
      .setVersion('1')
      .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'An admin token from npm run admin-token' })
      .build(),
  );
  SwaggerModule.setup('api/docs', app, document, { jsonDocumentUrl: 'api/openapi.json', raw: ['json'] });
}
