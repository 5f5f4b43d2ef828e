import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Fails, Returns } from '../openapi/responses.js';
import { Public } from '../auth/public.decorator.js';
import { Controller, Get } from '@nestjs/common';
import { HealthCheck, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import { DynamoHealth } from '@app/aws';
import { ChangeFeed, MonitoringScheduler, MonitorService, Prober, ReplicaCoordinator } from '@app/monitoring';

/**
 * Liveness + readiness for the ALB: storage reachable and the scheduler ticking; `cluster` reports this replica's
 * shards and lease (informational: a replica that owns nothing still serves the page).
 */
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
    private readonly coordinator: ReplicaCoordinator,
    private readonly feed: ChangeFeed,
    private readonly prober: Prober,
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
          // Shown from stored state, recent checks still loading (after boot): not checked yet.
          restoring: stats.restoring,
          inFlight: stats.inFlight,
          queued: stats.queued,
          lastTickAgeMs: ageMs,
          slipP50Ms: stats.slip.p50Ms,
          slipP99Ms: stats.slip.p99Ms,
          bufferedWrites: stats.writer.buffered,
          droppedWrites: stats.writer.dropped,
          supersededWrites: stats.writer.superseded,
          rssMb: Math.round(process.memoryUsage.rss() / 2 ** 20),
          // 'main thread' with the probe thread on: it could not start (logged), the checks run here.
          probesRunOn: this.prober.runsOn,
        };
        return this.scheduler.isReady && ageMs !== null && ageMs < 5000 ? session.up(data) : session.down(data);
      },
      () => {
        const cluster = this.coordinator.status();
        const { lastPollOkAt, published, applied, pendingChecks } = this.feed.stats;
        return this.indicators.check('cluster').up({
          ...cluster,
          checkedServices: this.monitor.stats().owned,
          feed: {
            published,
            applied,
            pendingChecks,
            lastReadAgeMs: lastPollOkAt === null ? null : Date.now() - lastPollOkAt,
          },
        });
      },
    ]);
  }
}
