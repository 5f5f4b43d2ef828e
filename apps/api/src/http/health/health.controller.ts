import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Fails, Returns } from '../openapi/responses.js';
import { Public } from '../auth/public.decorator.js';
import { Controller, Get } from '@nestjs/common';
import { HealthCheck, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import { DynamoHealth } from '@app/aws';
import { MonitoringScheduler, MonitorService } from '@app/monitoring';

/** Liveness + readiness for the ALB: storage reachable and the scheduler ticking. */
@Public()
@ApiTags('public')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly dynamo: DynamoHealth,
    private readonly monitor: MonitorService,
    private readonly scheduler: MonitoringScheduler,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Readiness: storage reachable and the scheduler ticking (for the load balancer)' })
  @HealthCheck()
  @Returns(200, 'HealthResponse', 'Ready')
  @Fails(503, 'Not ready: storage unreachable or the scheduler not ticking (the load balancer takes it out)')
  check() {
    return this.health.check([
      () =>
        this.indicators
          .check('storage')
          .attempt(() => this.dynamo.ping())
          .withTimeout(2500),
      () => {
        const session = this.indicators.check('scheduler');
        const stats = this.monitor.stats();
        const last = this.monitor.lastTickAt;
        const ageMs = last === null ? null : Date.now() - last;
        const data = {
          services: stats.services,
          inFlight: stats.inFlight,
          queued: stats.queued,
          lastTickAgeMs: ageMs,
          slipP50Ms: stats.slip.p50Ms,
          slipP99Ms: stats.slip.p99Ms,
          bufferedWrites: stats.writer.buffered,
          droppedWrites: stats.writer.dropped,
          rssMb: Math.round(process.memoryUsage.rss() / 2 ** 20),
        };
        return this.scheduler.isReady && ageMs !== null && ageMs < 5000 ? session.up(data) : session.down(data);
      },
    ]);
  }
}
