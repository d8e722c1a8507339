/**
 * @module
 * Queries of the kinds Grafana dashboards for node_exporter and Prometheus
 * send (Node Exporter Full, Prometheus 2.0 Overview), over the metrics of
 * test/fixtures/datasets/node-exporter-80m.prom.gz: selectors with label
 * filters, rate/irate/increase, sum by, topk, histogram_quantile, binary
 * operators with matching, *_over_time and subqueries.
 */
const N = 'instance="127.0.0.1:29200",job="node"';
const P = 'instance="127.0.0.1:29190",job="prometheus"';

const counters = [
  "node_cpu_seconds_total",
  "node_network_receive_bytes_total",
  "node_network_transmit_bytes_total",
  "node_disk_read_bytes_total",
  "node_disk_written_bytes_total",
  "node_context_switches_total",
  "node_intr_total",
  "process_cpu_seconds_total",
  "prometheus_http_requests_total",
  "go_memstats_alloc_bytes_total",
];
const gauges = [
  "node_memory_MemAvailable_bytes",
  "node_load1",
  "node_filesystem_avail_bytes",
  "go_goroutines",
  "process_resident_memory_bytes",
  "node_sockstat_TCP_inuse",
];

export const DASHBOARD_QUERIES: readonly string[] = [
  // Plain and filtered selectors.
  `up`,
  `up{job="node"}`,
  `node_cpu_seconds_total{${N},mode="idle"}`,
  `node_filesystem_avail_bytes{${N},fstype!~"tmpfs|ramfs"}`,
  `node_network_receive_bytes_total{device!~"lo|veth.*"}`,
  `{__name__=~"node_load.*",job="node"}`,
  `prometheus_http_requests_total{handler=~"/api/v1/.*"}`,
  // rate / irate / increase.
  ...counters.map((m) => `rate(${m}[5m])`),
  ...counters.slice(0, 6).map((m) => `irate(${m}[1m])`),
  ...counters.slice(0, 6).map((m) => `increase(${m}[1h])`),
  // sum by / avg by / count.
  `sum by (mode) (rate(node_cpu_seconds_total{${N}}[5m]))`,
  `sum by (cpu) (irate(node_cpu_seconds_total{mode!="idle"}[5m]))`,
  `avg by (instance) (rate(node_cpu_seconds_total{mode="idle"}[5m]))`,
  `100 - (avg by (instance) (rate(node_cpu_seconds_total{mode="idle"}[5m])) * 100)`,
  `count by (instance) (node_cpu_seconds_total{mode="idle"})`,
  `sum by (device) (rate(node_network_receive_bytes_total[5m]))`,
  `sum by (handler) (rate(prometheus_http_requests_total[5m]))`,
  `sum without (cpu) (rate(node_cpu_seconds_total[5m]))`,
  `count(count by (cpu) (node_cpu_seconds_total))`,
  `sum(rate(node_disk_io_time_seconds_total[5m])) by (device)`,
  // topk / bottomk.
  `topk(5, rate(node_network_receive_bytes_total[5m]))`,
  `topk(3, sum by (handler) (rate(prometheus_http_requests_total[5m])))`,
  `bottomk(3, node_filesystem_avail_bytes)`,
  `topk(10, rate(node_cpu_seconds_total[5m]))`,
  `topk by (mode) (1, rate(node_cpu_seconds_total[5m]))`,
  // histogram_quantile.
  `histogram_quantile(0.9, sum by (le) (rate(prometheus_http_request_duration_seconds_bucket[5m])))`,
  `histogram_quantile(0.99, sum by (le, handler) (rate(prometheus_http_request_duration_seconds_bucket[5m])))`,
  `histogram_quantile(0.5, rate(prometheus_http_response_size_bytes_bucket[5m]))`,
  `histogram_quantile(0.9, sum by (le) (rate(prometheus_tsdb_compaction_chunk_range_seconds_bucket[1h])))`,
  // Binary operators with matching.
  `node_memory_MemAvailable_bytes{${N}} / node_memory_MemTotal_bytes{${N}} * 100`,
  `1 - (node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes)`,
  `node_filesystem_avail_bytes / on (instance, device, mountpoint) node_filesystem_size_bytes`,
  `(node_filesystem_size_bytes - node_filesystem_free_bytes) / node_filesystem_size_bytes * 100`,
  `rate(node_cpu_seconds_total{mode="user"}[5m]) / ignoring (mode) group_left sum without (mode) (rate(node_cpu_seconds_total[5m]))`,
  `sum by (instance) (rate(node_cpu_seconds_total[5m])) / on (instance) group_left count by (instance) (node_cpu_seconds_total{mode="idle"})`,
  `node_load1 / on (instance) count by (instance) (node_cpu_seconds_total{mode="idle"})`,
  `rate(prometheus_http_request_duration_seconds_sum[5m]) / rate(prometheus_http_request_duration_seconds_count[5m])`,
  `up == 1`,
  `node_load1 > bool 0.5`,
  `rate(node_network_receive_bytes_total[5m]) > 0 and rate(node_network_transmit_bytes_total[5m]) > 0`,
  `node_network_up unless node_network_carrier == 0`,
  `process_resident_memory_bytes{${P}} or process_resident_memory_bytes{${N}}`,
  `time() - node_boot_time_seconds`,
  `time() - process_start_time_seconds`,
  // *_over_time.
  ...gauges.map((m) => `avg_over_time(${m}[10m])`),
  ...gauges.slice(0, 4).map((m) => `max_over_time(${m}[1h])`),
  ...gauges.slice(0, 4).map((m) => `min_over_time(${m}[30m])`),
  `quantile_over_time(0.9, go_goroutines[30m])`,
  `stddev_over_time(node_load1[30m])`,
  `count_over_time(up[1h])`,
  `last_over_time(node_time_seconds[5m])`,
  `changes(node_boot_time_seconds[1h])`,
  `resets(node_cpu_seconds_total[1h])`,
  `delta(node_memory_MemFree_bytes[10m])`,
  `deriv(node_memory_MemFree_bytes[10m])`,
  `predict_linear(node_filesystem_avail_bytes[30m], 4 * 3600)`,
  // Subqueries.
  `max_over_time(rate(node_cpu_seconds_total{mode="user"}[1m])[30m:1m])`,
  `avg_over_time(sum by (mode) (rate(node_cpu_seconds_total[5m]))[30m:5m])`,
  `max_over_time(irate(node_network_receive_bytes_total[1m])[10m:])`,
  `rate(go_memstats_alloc_bytes_total[5m:1m])`,
  // Functions and aggregations dashboards use.
  `sort_desc(sum by (handler) (increase(prometheus_http_requests_total[1h])))`,
  `label_replace(up, "host", "$1", "instance", "([^:]+):.*")`,
  `clamp_min(node_memory_MemAvailable_bytes - 1e9, 0)`,
  `round(rate(node_context_switches_total[5m]), 0.1)`,
  `absent(up{job="missing"})`,
  `scalar(count(up)) * 2`,
  `quantile by (mode) (0.5, rate(node_cpu_seconds_total[5m]))`,
  `count_values("version", go_info)`,
  `stddev by (mode) (rate(node_cpu_seconds_total[5m]))`,
  `group by (job) (up)`,
  `sum(node_memory_MemTotal_bytes) - sum(node_memory_MemAvailable_bytes)`,
];
