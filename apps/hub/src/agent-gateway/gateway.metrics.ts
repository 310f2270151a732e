import { Injectable } from '@nestjs/common';
import { MetricsRegistry } from '@flotilla/observability';
import { Gauge } from 'prom-client';
import { AgentGatewayServer } from './agent-gateway.server.js';
import { StatusIngester } from './status-ingester.js';

/** `flotilla_agent_*`: live streams, the connect admission queue, and what status ingestion committed, in this hub process. */
@Injectable()
export class GatewayMetrics {
  constructor(metrics: MetricsRegistry, gateway: AgentGatewayServer, ingester: StatusIngester) {
    const registers = [metrics.registry];
    const gauge = (name: string, help: string, value: () => number): void => {
      new Gauge({
        name,
        help,
        registers,
        collect() {
          this.set(value());
        },
      });
    };
    gauge('flotilla_agent_streams', 'Live agent streams on this hub process.', () => gateway.streamCount);
    gauge('flotilla_agent_admission_active', 'Connecting agents whose certificate check or Hello is being worked on now.', () => gateway.admission.active);
    gauge('flotilla_agent_admission_waiting', 'Connecting agents waiting for their certificate check or Hello.', () => gateway.admission.waiting);
    gauge('flotilla_agent_admission_waiting_peak', 'The longest the admission queue has been since the process started.', () => gateway.admission.peakWaiting);
    gauge('flotilla_agent_admission_refused', 'Connects refused since the process started because the admission queue was full.', () => gateway.admissionRefused);
    gauge('flotilla_agent_reads_paused', 'Times an agent stream was left unread until status ingestion caught up, since the process started.', () => gateway.readsPaused);
    gauge('flotilla_agent_statuses_committed', 'Bundle statuses whose latest state was committed since the process started.', () => ingester.committedStatuses);
    gauge('flotilla_agent_status_history_committed', 'Status history rows committed since the process started.', () => ingester.committedHistory);
    gauge('flotilla_agent_status_rows_dropped', "Statuses and acks dropped since the process started because the database refused the rows themselves (see the hub's log).", () => ingester.droppedRows);
  }
}
